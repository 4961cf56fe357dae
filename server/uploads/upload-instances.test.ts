import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createMiniProject } from '../../test/mini-project.js';
import { loadProject } from '../config/project/load-project.js';
import type { Project } from '../config/project/project.types.js';
import { StoreResourceLocks } from '../jobs/coordination/resource-locks.js';
import { openStore, type Store } from '../store/store.js';
import { UploadsService, type Uploader } from './uploads.service.js';

/**
 * Two instances (each its own UploadsService and store connection, sharing the store file, the
 * project and the upload folder, as servers behind one load balancer do) import into the same
 * target for one organisation at the same time. Each DuckDB import copies the served file and renames
 * its copy over it, so two at once would lose one's rows and both take version 1; the shared source
 * lock makes them one after the other: versions 1 and 2, each complete in the served file.
 */
const TARGET = `title: Targets
target: main
table: targets
tenant_column: org
key: [sponsor]
mode: replace
columns:
  sponsor: { type: VARCHAR }
  target: { type: INTEGER, required: true }
`;

let dir: string;
let project: Project;
let work: string;
const stores: Store[] = [];

beforeAll(async () => {
  const mini = await createMiniProject();
  dir = mini.dir;
  mkdirSync(path.join(dir, 'uploads'));
  writeFileSync(path.join(dir, 'uploads', 'targets.yaml'), TARGET);
  const loaded = await loadProject(dir);
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
  project = loaded.project;
  work = mkdtempSync(path.join(tmpdir(), 'trellis-upload-instances-'));
}, 60_000);
afterAll(async () => {
  for (const s of stores) await s.close();
  rmSync(work, { recursive: true, force: true });
});

const uploader: Uploader = { organisationId: 'org_acme', tenant: 'acme', userId: 'usr_1', role: 'editor' };
const context = { actor: 'usr_1', ip: null, requestId: null, organisationId: 'org_acme' };
const metrics = { uploads: { inc: () => {} }, uploadBytes: { inc: () => {} } };

async function instance(): Promise<UploadsService> {
  const store = await openStore({ kind: 'sqlite', file: path.join(work, 'meta.sqlite') });
  stores.push(store);
  return new UploadsService(project, store, path.join(work, 'uploads'), metrics, Date.now, {
    publish: async () => {},
    ingest: { memoryLimit: '128MB', threads: 1 },
    locks: new StoreResourceLocks(store),
  });
}

const csv = (prefix: string, rows: number) =>
  `sponsor,target\n${Array.from({ length: rows }, (_, i) => `${prefix}${i},${i}`).join('\n')}\n`;

async function servedRows(): Promise<Map<number, number>> {
  const copy = path.join(work, `read-${Date.now()}.duckdb`);
  copyFileSync(path.join(dir, 'data', 'mini.duckdb'), copy);
  const db = await DuckDBInstance.create(copy, { access_mode: 'READ_ONLY' });
  try {
    const conn = await db.connect();
    const r = await conn.runAndReadAll(
      "SELECT _trellis_version AS v, count(*) AS n FROM targets__versions WHERE org = 'acme' GROUP BY 1",
    );
    return new Map(r.getRowObjectsJS().map((o) => [Number(o.v), Number(o.n)]));
  } finally {
    db.closeSync();
    rmSync(copy, { force: true });
  }
}

test('two instances importing into one target for one organisation are serialised: versions 1 and 2, both complete', async () => {
  const [one, two] = [await instance(), await instance()];
  const first = await one.receive(
    uploader,
    'targets',
    { stream: Readable.from([csv('A', 3000)]), fileName: 'a.csv' },
    context,
  );
  const second = await two.receive(
    uploader,
    'targets',
    { stream: Readable.from([csv('B', 2000)]), fileName: 'b.csv' },
    context,
  );

  const results = await Promise.allSettled([
    one.import(uploader, first.id, context),
    two.import(uploader, second.id, context),
  ]);
  expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled']);
  const versions = results.map((r) => (r.status === 'fulfilled' ? r.value.version.version : 0)).sort();
  expect(versions).toEqual([1, 2]);

  // Both versions' rows are in the served file, each complete: neither import lost the other's work.
  const rowsByVersion = new Map(
    results.map((r) => (r.status === 'fulfilled' ? [r.value.version.version, r.value.version.rows] : [0, 0])),
  );
  expect(new Set(rowsByVersion.values())).toEqual(new Set([3000, 2000]));
  expect(await servedRows()).toEqual(rowsByVersion);
  const listed = await one.versions(uploader, 'targets');
  expect(listed.map((v) => `${v.version}:${v.status}`)).toEqual(['2:current', '1:kept']);
}, 120_000);
