import { existsSync } from 'node:fs';
import path from 'node:path';
import type { StoreConfig, StoreLocation } from '../config/env.js';

/**
 * Where the metadata store (users, organisations, sessions, audit) lives, decided the same way by
 * `serve`, `worker`, `demo link` and `user`/`org`: TRELLIS_METADATA_URL (PostgreSQL), else the SQLite
 * file in TRELLIS_DATA_DIR (or `--data-dir`), else `<project>/.trellis/meta.sqlite`. Tying the default
 * to the project folder — not the folder a command happens to run in — is what keeps
 * `trellis user reset-password` from quietly opening (and creating) a second, empty store.
 */
export const STORE_FOLDER = '.trellis';
export const STORE_FILE = 'meta.sqlite';

export function projectStoreFile(projectDir: string): string {
  return path.join(path.resolve(projectDir), STORE_FOLDER, STORE_FILE);
}

/** The store of the project in `projectDir` (serve, worker, demo link). */
export function storeForProject(location: StoreLocation, projectDir: string): StoreConfig {
  return location.kind === 'project' ? { kind: 'sqlite', file: projectStoreFile(projectDir) } : location;
}

export interface StoreChoice {
  /** `--project DIR`: the project whose store to use. */
  readonly project?: string | undefined;
  /** `--data-dir DIR`: the store's folder, as TRELLIS_DATA_DIR. */
  readonly dataDir?: string | undefined;
}

export type ResolvedStore = { ok: true; store: StoreConfig } | { ok: false; message: string };

/**
 * The store of a command that names no project positionally (`trellis user …`): `--data-dir`, the
 * environment, `--project`, or the current folder when it is a project (has trellis.yaml).
 */
export function storeForCommand(location: StoreLocation, choice: StoreChoice, cwd: string): ResolvedStore {
  if (choice.dataDir)
    return {
      ok: true,
      store: { kind: 'sqlite', file: path.join(path.resolve(cwd, choice.dataDir), STORE_FILE) },
    };
  if (location.kind !== 'project') return { ok: true, store: location };
  const project = choice.project ?? (existsSync(path.join(cwd, 'trellis.yaml')) ? cwd : undefined);
  if (!project)
    return {
      ok: false,
      message:
        'which project? The metadata store lives in the project folder (.trellis/meta.sqlite): ' +
        'run this inside the project, or pass --project DIR (or --data-dir DIR / TRELLIS_DATA_DIR / ' +
        'TRELLIS_METADATA_URL, as the server uses)',
    };
  const dir = path.resolve(cwd, project);
  if (!existsSync(path.join(dir, 'trellis.yaml')))
    return { ok: false, message: `${dir} is not a Trellis project (no trellis.yaml)` };
  return { ok: true, store: { kind: 'sqlite', file: projectStoreFile(dir) } };
}

/**
 * Before a command opens (and so creates) a SQLite store that does not exist yet: another store it
 * may have meant — the one in the current folder's .trellis/ (where stores were made before they
 * moved into the project folder), or the project's. A message saying so, or null when creating the
 * new store is expected (first start, nothing elsewhere).
 */
export function strayStoreWarning(
  store: StoreConfig,
  candidates: readonly string[],
): { found: string; message: string } | null {
  if (store.kind !== 'sqlite' || existsSync(store.file)) return null;
  const wanted = path.resolve(store.file);
  for (const candidate of candidates) {
    const file = path.resolve(candidate);
    if (file === wanted || !existsSync(file)) continue;
    return {
      found: file,
      message:
        `the metadata store ${wanted} does not exist, but there is one at ${file}. Refusing to create an ` +
        `empty one beside it: point at that one with TRELLIS_DATA_DIR=${path.dirname(file)} (or ` +
        `--data-dir), or move it to ${path.dirname(wanted)}/`,
    };
  }
  return null;
}

/** Where a store may sit besides `store`: the current folder's .trellis/, and the project's. */
export function otherStoreCandidates(cwd: string, projectDir?: string): string[] {
  const candidates = [path.join(cwd, STORE_FOLDER, STORE_FILE)];
  if (projectDir) candidates.push(projectStoreFile(projectDir));
  return candidates;
}
