import { readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';

/**
 * What a process that died (kill -9, lost host) may leave in the upload folder, recognised by OUR
 * naming only — every name starts with an upload id (`upl_` + 22 characters):
 *   `<id>.upload`                      the received file (kept while the upload is `received`)
 *   `<id>.upload.rows.parquet`         the import's typed rows (kept with it)
 *   `<id>.upload.rows.parquet.<hex>.tmp` a rows file being written
 *   `<id>.spill-<hex>/`                a check session's DuckDB spill folder
 * Anything else in the folder is not ours and is never touched.
 */
const OURS =
  /^(upl_[A-Za-z0-9_-]{22})\.(upload|upload\.rows\.parquet|upload\.rows\.parquet\.[0-9a-f]+\.tmp|spill-[0-9a-f]+)$/;

/** A session's scratch (spill folder, `.tmp` rows) older than this is no live session's on any instance. */
export const STALE_SCRATCH_MS = 30 * 60_000;

export interface SweepResult {
  readonly removed: readonly string[];
}

/**
 * Removes our leftovers from `folder`: every file of an upload whose row is gone or no longer waits
 * (`keep` says which ids still wait: `received` or an import under way), and — for those that wait —
 * scratch (spill folders, `.tmp`) not touched for STALE_SCRATCH_MS, since another instance sharing the
 * folder may be checking that upload right now.
 */
export async function sweepUploadFolder(
  folder: string,
  keep: (ids: readonly string[]) => Promise<ReadonlySet<string>>,
  now: number,
): Promise<SweepResult> {
  let names: string[];
  try {
    names = await readdir(folder);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { removed: [] };
    throw err;
  }
  const ours = names.flatMap((name) => {
    const m = OURS.exec(name);
    return m?.[1] && m[2]
      ? [{ name, id: m[1], scratch: m[2].endsWith('.tmp') || m[2].startsWith('spill-') }]
      : [];
  });
  if (ours.length === 0) return { removed: [] };
  const waiting = await keep([...new Set(ours.map((o) => o.id))]);
  const removed: string[] = [];
  for (const o of ours) {
    const file = path.join(folder, o.name);
    if (waiting.has(o.id)) {
      if (!o.scratch) continue;
      const touched = await stat(file).then(
        (s) => s.mtimeMs,
        () => null,
      );
      if (touched === null || now - touched < STALE_SCRATCH_MS) continue;
    }
    await rm(file, { recursive: true, force: true });
    removed.push(o.name);
  }
  return { removed };
}

/**
 * Removes every file of one upload that no longer waits (imported, failed, rejected): its received
 * file, its rows, and the scratch of any check or rows file a killed attempt left — once settled, no
 * session on any instance has a use for them, and the start-up sweep would only find them at the next
 * start.
 */
export async function removeUploadFiles(folder: string, id: string): Promise<void> {
  let names: string[];
  try {
    names = await readdir(folder);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  for (const name of names) {
    if (OURS.exec(name)?.[1] === id) await rm(path.join(folder, name), { recursive: true, force: true });
  }
}
