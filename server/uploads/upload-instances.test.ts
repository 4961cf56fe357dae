import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { loginAs, startApp, type SignedIn, type TestApp } from '../../test/app-harness.js';
import { createMiniProject } from '../../test/mini-project.js';
import { signIn } from '../../test/session-helper.js';
import { TEST_PASSWORD } from '../../test/login-as.js';
import { sendUpload, UPLOAD_PROJECT_FILES, waitForUpload } from '../../test/upload-api.js';
import { defaultConfig } from '../config/env.js';
import { openStore, type Store } from '../store/store.js';

/**
 * Three instances of one deployment (docs/uploads.md, "Several instances"): each its own app, store
 * connection and engines, sharing the store file, the project and the upload folder, as servers
 * behind one load balancer do. A (web) receives the file and is asked for the import; W (a worker,
 * `trellis worker`) imports it; B (web) serves the new version — told by the store's publications,
 * never by W directly. Two imports of one organisation into one target, asked together and run by
 * a worker taking two jobs at once, are serialised by the target's lock: versions 1 and 2, the
 * second begun only after the first was recorded, each complete.
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

let work: string;
const stores: Store[] = [];
const closers: (() => Promise<void>)[] = [];
let webA: TestApp;
let webB: TestApp;
let worker: TestApp;
let a: SignedIn;
let onB: SignedIn;

beforeAll(async () => {
  const mini = await createMiniProject(UPLOAD_PROJECT_FILES());
  mkdirSync(path.join(mini.dir, 'uploads'));
  writeFileSync(path.join(mini.dir, 'uploads', 'targets.yaml'), TARGET);
  work = mkdtempSync(path.join(tmpdir(), 'trellis-upload-instances-'));
  const instance = async (concurrency: number) => {
    const store = await openStore({ kind: 'sqlite', file: path.join(work, 'meta.sqlite') });
    stores.push(store);
    const { app, close } = await startApp(
      mini.dir,
      { uploads: { tempDir: path.join(work, 'uploads') }, jobs: { ...defaultConfig().jobs, concurrency } },
      { store, jobTimings: { publicationsPollMs: 50 } },
    );
    closers.push(close);
    return app;
  };
  webA = await instance(1);
  webB = await instance(1);
  worker = await instance(2);
  // The web roles watch publications (serve --role web); only W takes jobs.
  webA.services.jobs.watchPublications();
  webB.services.jobs.watchPublications();
  worker.services.jobs.startWorker();
  a = await loginAs(webA, { org: 'acme', role: 'editor' });
  onB = await signIn(webB, a.email, TEST_PASSWORD);
}, 120_000);
afterAll(async () => {
  for (const close of closers) await close();
  for (const s of stores) await s.close();
  rmSync(work, { recursive: true, force: true });
});

const csv = (prefix: string, rows: number) =>
  `sponsor,target\n${Array.from({ length: rows }, (_, i) => `${prefix}${i},1`).join('\n')}\n`;

async function received(content: string): Promise<string> {
  const r = await sendUpload(a, 'f.csv', content, { contentType: 'text/csv' });
  expect(r.statusCode, r.body).toBe(201);
  return r.json().id as string;
}

/** The `targets` dashboard's total (the sum of `target`, 1 per row) as instance B serves it. */
async function totalOnB(): Promise<number> {
  const r = await onB.inject({
    method: 'POST',
    url: '/api/v1/dashboards/targets/widgets/total/data',
    payload: { filters: {} },
  });
  expect(r.statusCode, r.body).toBe(200);
  return Number((r.json() as { rows: unknown[][] }).rows[0]?.[0] ?? 0);
}

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not within 30 s: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

test('an upload received and asked for on A is imported by the worker W and served by B', async () => {
  const id = await received(csv('A', 3000));
  expect(await totalOnB()).toBe(0);
  const asked = await a.inject({ method: 'POST', url: `/api/v1/uploads/${id}/import`, payload: {} });
  expect(asked.statusCode, asked.body).toBe(202);
  expect(asked.json()).toMatchObject({ id, status: 'queued' });
  const done = await waitForUpload(a, id);
  expect(done).toMatchObject({ status: 'imported', result: { version: { version: 1, rows: 3000 } } });
  // Who imported: W's worker, not A (A runs no worker), under the job A enqueued.
  const row = await webA.services.store.db
    .selectFrom('uploads')
    .select(['import_job', 'import_started_at'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
  expect(row.import_job).not.toBeNull();
  const job = row.import_job ?? '';
  await until(
    async () => (await worker.services.jobs.queue.getJob(job))?.status === 'completed',
    'the import job completed',
  );
  // B learns of the new version through the store's publications (polled), and serves it.
  await until(async () => (await totalOnB()) === 3000, 'B serves version 1');
  // B's own view of the upload is the same row.
  expect((await onB.inject(`/api/v1/uploads/${id}`)).json()).toMatchObject({ status: 'imported' });
}, 120_000);

test('two imports into one target for one organisation, asked together: one after the other, both complete', async () => {
  const first = await received(csv('B', 2000));
  const second = await received(csv('C', 500));
  const [r1, r2] = await Promise.all(
    [first, second].map((id) =>
      a.inject({ method: 'POST', url: `/api/v1/uploads/${id}/import`, payload: {} }),
    ),
  );
  expect([r1?.statusCode, r2?.statusCode]).toEqual([202, 202]);
  const [d1, d2] = [await waitForUpload(a, first), await waitForUpload(a, second)];
  expect([d1.status, d2.status]).toEqual(['imported', 'imported']);
  const rows = await webA.services.store.db
    .selectFrom('uploads')
    .innerJoin('upload_versions', 'upload_versions.upload_id', 'uploads.id')
    .select(['uploads.id', 'import_started_at', 'uploads.updated_at', 'version', 'rows'])
    .where('uploads.id', 'in', [first, second])
    .orderBy('version')
    .execute();
  expect(rows.map((r) => Number(r.version))).toEqual([2, 3]);
  expect(new Set(rows.map((r) => Number(r.rows)))).toEqual(new Set([2000, 500]));
  // Never interleaved: the later one began only after the earlier was recorded (the target's lock).
  const [earlier, later] = rows;
  expect(Number(later?.import_started_at)).toBeGreaterThanOrEqual(Number(earlier?.updated_at));
  // The served version is the later one, complete, on B.
  await until(async () => (await totalOnB()) === Number(later?.rows), 'B serves version 3');
  const listed = (await onB.inject('/api/v1/uploads/targets/targets/versions')).json().versions as {
    version: number;
    status: string;
  }[];
  expect(listed.map((v) => `${v.version}:${v.status}`)).toEqual(['3:current', '2:kept', '1:kept']);
}, 120_000);
