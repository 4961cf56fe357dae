import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { ExportFile, ExportStartResponse } from '../../../contract/index.js';
import { defaultConfig } from '../../config/env.js';
import { ReleaseJob, WorkerStopping } from '../../jobs/queue.js';
import { loginAs, startApp, type SignedIn, type TestApp } from '../../../test/app-harness.js';
import { ORDER_ROWS, createTenantFixture, type TenantFixture } from '../../../test/tenant-fixture.js';

/**
 * Export jobs through the API on the real app, its store queue and worker, over the multi-tenant
 * DuckDB fixture: beyond the row threshold an export is a job whose file only its requester and the
 * organisation's admins can see and download — never another member, another organisation, or a
 * stranger; a queued job can be cancelled; a ready file expires and is deleted.
 */
const JOB_ROWS = 50; // beacon has 120 orders: its full list is a job, a filtered one is direct
const KEEP_MS = 3_600_000;

let fixture: TenantFixture;
let app: TestApp;
let close: () => Promise<void>;
let dir: string;
let clock = Date.now();
let requester: SignedIn;
let colleague: SignedIn;
let admin: SignedIn;
let otherAdmin: SignedIn;
let otherViewer: SignedIn;

beforeAll(async () => {
  fixture = await createTenantFixture('duckdb', '');
  dir = mkdtempSync(path.join(tmpdir(), 'trellis-export-jobs-'));
  ({ app, close } = await startApp(
    fixture.dir,
    {
      exports: { dir, jobRows: JOB_ROWS, keepMs: KEEP_MS },
      // Sessions outlive the clock's jump past the files' keep time.
      sessions: { ...defaultConfig().sessions, idleMs: 10 * KEEP_MS, absoluteMs: 10 * KEEP_MS },
    },
    { now: () => clock, exportProgressMs: 20, jobTimings: { cancelPollMs: 20 } },
  ));
  requester = await loginAs(app, { org: 'beacon', role: 'viewer' });
  colleague = await loginAs(app, { org: 'beacon', role: 'viewer', email: 'colleague@beacon.test' });
  admin = await loginAs(app, { org: 'beacon', role: 'admin' });
  otherAdmin = await loginAs(app, { org: 'atlas', role: 'admin' });
  otherViewer = await loginAs(app, { org: 'atlas', role: 'viewer' });
}, 60_000);

afterAll(async () => {
  await close?.();
  await fixture?.teardown();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const start = (who: SignedIn, body: object) =>
  who.inject({
    method: 'POST',
    url: '/api/v1/exports',
    payload: { dashboard: 'ops', widget: 'list', format: 'csv', ...body },
  });

async function waitFor(who: SignedIn, id: string, done: (e: ExportFile) => boolean): Promise<ExportFile> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const r = await who.inject(`/api/v1/exports/${id}`);
    expect(r.statusCode).toBe(200);
    const e = r.json() as ExportFile;
    if (done(e)) return e;
    if (Date.now() > deadline) throw new Error(`export ${id} stayed ${e.status}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const beaconIds = ORDER_ROWS.filter((r) => r.org === 'beacon').map((r) => r.id);

describe('export jobs', () => {
  let cancelledId: string;

  test('a queued job can be cancelled, and then never runs', async () => {
    // The worker is not started yet: the job waits in the queue.
    const r = await start(requester, { format: 'json' });
    expect(r.statusCode).toBe(202);
    const job = (r.json() as Extract<ExportStartResponse, { mode: 'job' }>).export;
    expect(job).toMatchObject({ status: 'queued', rowsTotal: beaconIds.length, mine: true });
    // Another member cannot cancel it (it does not exist for them).
    expect(
      (await colleague.inject({ method: 'POST', url: `/api/v1/exports/${job.id}/cancel` })).statusCode,
    ).toBe(404);
    const c = await requester.inject({ method: 'POST', url: `/api/v1/exports/${job.id}/cancel` });
    expect(c.statusCode).toBe(200);
    expect((c.json() as ExportFile).status).toBe('cancelled');
    cancelledId = job.id;
  });

  test('small exports are direct; beyond the threshold a job writes the file, with progress', async () => {
    app.services.jobs.startWorker();
    const direct = await start(requester, { filters: { region: ['hub'] } });
    expect(direct.statusCode).toBe(200);
    expect(direct.json()).toEqual({ mode: 'direct', rows: beaconIds.filter((id) => id % 3 === 2).length });

    const r = await start(requester, {});
    expect(r.statusCode).toBe(202);
    const { id } = (r.json() as Extract<ExportStartResponse, { mode: 'job' }>).export;
    const ready = await waitFor(requester, id, (e) => e.status !== 'queued' && e.status !== 'running');
    expect(ready).toMatchObject({ status: 'ready', rowsTotal: beaconIds.length, rowsDone: beaconIds.length });
    expect(ready.expiresAt).toBe(new Date(Date.parse(ready.finishedAt ?? '') + KEEP_MS).toISOString());

    const file = await requester.inject(`/api/v1/exports/${id}/download`);
    expect(file.statusCode).toBe(200);
    expect(file.headers['content-disposition']).toMatch(
      /^attachment; filename="ops-list-\d{4}-\d\d-\d\d\.csv"$/,
    );
    const lines = file.body.trimEnd().split('\r\n').slice(1);
    expect(lines.map((l) => Number(l.split(',')[0])).sort((a, b) => a - b)).toEqual(beaconIds);
    expect(lines.every((l) => l.split(',')[1] === '"beacon"')).toBe(true);

    // The cancelled job stayed cancelled when the worker came by, and left no file.
    const cancelled = await waitFor(requester, cancelledId, () => true);
    expect(cancelled.status).toBe('cancelled');
    expect((await requester.inject(`/api/v1/exports/${cancelledId}/download`)).json().error).toBe(
      'EXPORT_NOT_READY',
    );
    expect(readdirSync(dir).filter((f) => f.startsWith(cancelledId))).toEqual([]);
    // Cancelling a finished job is refused.
    const again = await requester.inject({ method: 'POST', url: `/api/v1/exports/${id}/cancel` });
    expect(again.statusCode).toBe(409);
    expect(again.json().error).toBe('EXPORT_NOT_RUNNING');
  }, 30_000);

  test("only the requester and the organisation's admins see and download it", async () => {
    const mine = (await requester.inject('/api/v1/exports')).json() as { exports: ExportFile[] };
    const ready = mine.exports.find((e) => e.status === 'ready');
    expect(ready).toBeDefined();
    const id = ready?.id ?? '';

    // Another viewer of the same organisation: not listed, not found, not downloadable.
    const theirs = (await colleague.inject('/api/v1/exports')).json() as { exports: ExportFile[] };
    expect(theirs.exports).toEqual([]);
    for (const url of [`/api/v1/exports/${id}`, `/api/v1/exports/${id}/download`]) {
      const r = await colleague.inject(url);
      expect(r.statusCode).toBe(404);
      expect(r.json().error).toBe('EXPORT_NOT_FOUND');
    }

    // The organisation's admin: listed (not theirs), downloadable.
    const listed = (await admin.inject('/api/v1/exports')).json() as { exports: ExportFile[] };
    expect(listed.exports.map((e) => e.id)).toContain(id);
    expect(listed.exports.find((e) => e.id === id)?.mine).toBe(false);
    expect((await admin.inject(`/api/v1/exports/${id}/download`)).statusCode).toBe(200);

    // Organisation A's admin and viewer: nothing of B's exists.
    for (const other of [otherAdmin, otherViewer]) {
      expect(((await other.inject('/api/v1/exports')).json() as { exports: ExportFile[] }).exports).toEqual(
        [],
      );
      for (const url of [`/api/v1/exports/${id}`, `/api/v1/exports/${id}/download`]) {
        const r = await other.inject(url);
        expect(r.statusCode).toBe(404);
        expect(r.json().error).toBe('EXPORT_NOT_FOUND');
      }
      const c = await other.inject({ method: 'POST', url: `/api/v1/exports/${id}/cancel` });
      expect(c.statusCode).toBe(404);
    }

    // A stranger: 401 everywhere.
    for (const url of ['/api/v1/exports', `/api/v1/exports/${id}`, `/api/v1/exports/${id}/download`])
      expect((await app.inject(url)).statusCode).toBe(401);
    const anonymous = await app.inject({
      method: 'POST',
      url: '/api/v1/exports',
      payload: { dashboard: 'ops', widget: 'list', format: 'csv' },
    });
    expect(anonymous.statusCode).toBe(401);
  });

  test('the checks of a download apply before a job is queued: admin-only dashboards, export limits, bad ids', async () => {
    const hidden = await start(requester, { dashboard: 'admin_only' });
    expect(hidden.statusCode).toBe(404);
    const bad = await requester.inject('/api/v1/exports/..%2F..%2Fetc%2Fpasswd/download');
    expect(bad.statusCode).toBe(404);
    const unknownFilter = await start(requester, { filters: { nope: ['x'] } });
    expect(unknownFilter.statusCode).toBe(400);
  });

  test('a ready file is deleted when its time is up', async () => {
    const list = (await requester.inject('/api/v1/exports')).json() as { exports: ExportFile[] };
    const ready = list.exports.filter((e) => e.status === 'ready');
    expect(ready.length).toBeGreaterThan(0);
    const files = readdirSync(dir).filter((f) => ready.some((e) => f.startsWith(e.id)));
    expect(files.length).toBe(ready.length);

    clock += KEEP_MS + 1;
    try {
      // Past its time the file is refused at once, even before the sweep.
      const late = await requester.inject(`/api/v1/exports/${ready[0]?.id}/download`);
      expect(late.statusCode).toBe(410);
      expect(late.json().error).toBe('EXPORT_EXPIRED');
      expect(await app.services.exportJobs.sweep()).toBe(ready.length);
      for (const f of files) expect(existsSync(path.join(dir, f))).toBe(false);
    } finally {
      clock -= KEEP_MS + 1;
    }
    // Marked expired for good, whatever the clock says now.
    const after = (await requester.inject(`/api/v1/exports/${ready[0]?.id}`)).json() as ExportFile;
    expect(after.status).toBe('expired');
    expect((await requester.inject(`/api/v1/exports/${ready[0]?.id}/download`)).statusCode).toBe(410);
  });

  test('a stopping worker hands the job back without a partial file; the next attempt writes the one file', async () => {
    const jobs = app.services.exportJobs;
    const id = newJobId();
    await jobs.files.create({ ...(await template()), id });
    const stopping = new AbortController();
    stopping.abort(new WorkerStopping());
    const job = { id: 'j1', name: 'export-file', payload: { exportId: id }, attempt: 1, maxAttempts: 5 };
    await expect(jobs.execute(id, { signal: stopping.signal, job })).rejects.toBeInstanceOf(ReleaseJob);
    expect(readdirSync(dir).filter((f) => f.startsWith(id))).toEqual([]);
    expect((await jobs.files.byId(id))?.status).toBe('running');

    await jobs.execute(id, { signal: new AbortController().signal, job: { ...job, attempt: 2 } });
    expect(await jobs.files.byId(id)).toMatchObject({ status: 'ready', rows_done: beaconIds.length });
    expect(readdirSync(dir).filter((f) => f.startsWith(id))).toEqual([`${id}.csv`]);
    // Delivered twice (at least once): the second run finds it finished and leaves the file alone.
    await jobs.execute(id, { signal: new AbortController().signal, job: { ...job, attempt: 3 } });
    expect(readdirSync(dir).filter((f) => f.startsWith(id))).toEqual([`${id}.csv`]);
  });

  test('a cancel asked while an attempt ran stops the next attempt before it writes anything', async () => {
    const jobs = app.services.exportJobs;
    const id = newJobId();
    await jobs.files.create({ ...(await template()), id, status: 'running' });
    const organisation = (await template()).organisation_id;
    expect(await jobs.files.requestCancel(organisation as never, id, Date.now())).toBe(true);
    const job = { id: 'j2', name: 'export-file', payload: { exportId: id }, attempt: 2, maxAttempts: 5 };
    await jobs.execute(id, { signal: new AbortController().signal, job });
    expect((await jobs.files.byId(id))?.status).toBe('cancelled');
    expect(readdirSync(dir).filter((f) => f.startsWith(id))).toEqual([]);
  });

  test('a cancel accepted after the rows were written, just before the file is made ready, still cancels', async () => {
    const jobs = app.services.exportJobs;
    const id = newJobId();
    await jobs.files.create({ ...(await template()), id });
    const organisation = (await template()).organisation_id;
    // The user's cancel lands between the attempt's last look at the flag and its finish (the race a
    // loaded CI run hit: the cancel answered 200, the export then ended ready).
    const finish = jobs.files.finish.bind(jobs.files);
    let accepted: boolean | undefined;
    jobs.files.finish = async (fid, outcome, now) => {
      if (fid === id && outcome.status === 'ready' && accepted === undefined)
        accepted = await jobs.files.requestCancel(organisation as never, id, Date.now());
      return finish(fid, outcome, now);
    };
    try {
      const job = { id: 'j3', name: 'export-file', payload: { exportId: id }, attempt: 1, maxAttempts: 5 };
      await jobs.execute(id, { signal: new AbortController().signal, job });
    } finally {
      jobs.files.finish = finish;
    }
    expect(accepted).toBe(true);
    expect((await jobs.files.byId(id))?.status).toBe('cancelled');
    expect(readdirSync(dir).filter((f) => f.startsWith(id))).toEqual([]);
  });
});

/** A queued export row of the requester's full list (as POST /api/v1/exports writes it). */
async function template() {
  const rows = await app.services.exportJobs.files.list(
    (
      await app.services.store.db
        .selectFrom('organisations')
        .select('id')
        .where('slug', '=', 'beacon')
        .executeTakeFirstOrThrow()
    ).id as never,
    undefined,
  );
  const first = rows.find((r) => r.format === 'csv' && r.request.includes('"filters":{}'));
  if (!first) throw new Error('no csv export of the full list to copy');
  return {
    ...first,
    status: 'queued' as const,
    rows_done: 0,
    rows_per_second: null,
    bytes: null,
    error_code: null,
    cancel_requested: 0,
    finished_at: null,
    expires_at: null,
  };
}

function newJobId(): string {
  return `exp_${Math.random().toString(36).slice(2).padEnd(22, 'x').slice(0, 22)}`;
}
