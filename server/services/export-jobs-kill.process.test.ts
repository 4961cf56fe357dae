import { createReadStream, existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { beforeAll, describe, expect, test } from 'vitest';
import type { ExportFile, ExportStartResponse } from '../../contract/index.js';
import { createMiniProject } from '../../test/mini-project.js';
import { repoRoot } from '../../test/paths.js';
import { TEST_SECRET } from '../../test/serve-process.js';
import { cliProcesses, type CliProcess } from '../../test/cli-process.js';
import { until } from '../../test/until.js';
import { CLI_CONTEXT } from '../audit/audit-log.js';
import { AccountsService } from '../auth/accounts.service.js';
import { openStore } from '../store/store.js';

/**
 * An export job survives `kill -9` of its worker (issue 13): `serve --role web` and `worker` as two
 * processes on one SQLite store and one exports folder (the built commands). A large CSV export is
 * queued from the web process; once the worker has written part of it, the worker is SIGKILLed, the
 * job is left running with its partial `.part` file; a new worker takes the job again after its lease
 * and writes the file from the first row. The user ends with exactly one file holding every row once,
 * in order, no `.part` left, status ready. Then a cancel while rows stream stops the worker's file.
 */
const built = existsSync(path.join(repoRoot, 'dist', 'server', 'cli', 'worker.command.js'));
const PASSWORD = 'correct horse battery staple';
/** Enough for a few seconds of writing on a busy 2-core machine, so the kill lands mid-file. */
const ROWS = 600_000;

const { run } = cliProcesses();

describe.skipIf(!built)('export jobs on a worker process: kill -9, cancel (SQLite store)', () => {
  let env: Record<string, string>;
  let projectDir: string;
  let exportsDir: string;
  let base: string;
  let cookie: string;
  let csrf: string;
  let worker: CliProcess;

  beforeAll(async () => {
    const mini = await createMiniProject({
      'datasets/many.yaml': `sql: sql/many.sql\nshared: true\ncolumns:\n  n: { type: number }\n  label: { type: string }\n`,
      'sql/many.sql': `SELECT i AS n, 'row ' || i || ', "quoted"' AS label FROM range(${ROWS}) t(i)`,
      'dashboards/many.yaml': `title: Many\ndataset: many\nwidgets:\n  - { id: rows, type: table, title: Rows, columns: [n, label], sort: { by: n, direction: desc } }\n`,
    });
    projectDir = mini.dir;
    const dataDir = mkdtempSync(path.join(tmpdir(), 'trellis-export-kill-'));
    exportsDir = path.join(dataDir, 'exports');
    const store = await openStore({ kind: 'sqlite', file: path.join(dataDir, 'meta.sqlite') });
    const accounts = new AccountsService(store);
    await accounts.createOrganisation('acme', 'Acme', CLI_CONTEXT);
    await accounts.createUser(
      { email: 'vi@acme.test', password: PASSWORD, organisation: 'acme', role: 'viewer' },
      CLI_CONTEXT,
    );
    await store.close();
    env = {
      TRELLIS_SESSION_SECRET: TEST_SECRET,
      TRELLIS_DATA_DIR: dataDir,
      TRELLIS_WORKER_LEASE: '2s',
      TRELLIS_EXPORT_JOB_ROWS: '1000',
    };
    const web = run(['serve', '--role', 'web', projectDir], env);
    base = (await web.waitFor(/serving "[^"]*" at (http:\/\/\S+)/))[1] ?? '';
    const login = await fetch(`${base}/api/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'vi@acme.test', password: PASSWORD }),
    });
    expect(login.status).toBe(200);
    cookie = login.headers.getSetCookie()[0]?.split(';')[0] ?? '';
    csrf = ((await login.json()) as { csrfToken: string }).csrfToken;
  }, 120_000);

  const exportOf = async (id: string) =>
    (await (await fetch(`${base}/api/v1/exports/${id}`, { headers: { cookie } })).json()) as ExportFile;

  test('the job is taken again and the user ends with exactly one complete file', async () => {
    const started = await fetch(`${base}/api/v1/exports`, {
      method: 'POST',
      headers: { cookie, 'x-csrf-token': csrf, 'content-type': 'application/json' },
      body: JSON.stringify({ dashboard: 'many', widget: 'rows', format: 'csv', filters: {} }),
    });
    expect(started.status).toBe(202);
    const body = (await started.json()) as ExportStartResponse;
    if (body.mode !== 'job') throw new Error('expected an export job');
    const id = body.export.id;
    expect(body.export.rowsTotal).toBe(ROWS);

    worker = run(['worker', projectDir], env);
    await worker.waitFor(/worker is running jobs/);
    // Mid-file: rows written, the file not finished.
    await until(
      async () => {
        const e = await exportOf(id);
        return e.status === 'running' && e.rowsDone > 0 && e.rowsDone < ROWS ? e : undefined;
      },
      60_000,
      'the export under way',
    );
    worker.child.kill('SIGKILL');
    await new Promise((r) => worker.child.once('exit', r));
    const stalled = await exportOf(id);
    expect(stalled.status).toBe('running');
    expect(stalled.rowsDone).toBeLessThan(ROWS);
    // The dead worker's partial file is there, and no finished file.
    expect(readdirSync(exportsDir)).toEqual([`${id}.part`]);

    worker = run(['worker', projectDir], env);
    await worker.waitFor(/worker is running jobs/);
    const done = await until(
      async () => {
        const e = await exportOf(id);
        return e.status === 'running' || e.status === 'queued' ? undefined : e;
      },
      120_000,
      'the export taken again',
    );
    expect(done.status).toBe('ready');
    expect(done.rowsDone).toBe(ROWS);
    expect(readdirSync(exportsDir)).toEqual([`${id}.csv`]);

    // The download holds every row once, in the table's sort (n descending), header first.
    const res = await fetch(`${base}/api/v1/exports/${id}/download`, { headers: { cookie } });
    expect(res.status).toBe(200);
    await res.body?.cancel();
    const lines = createInterface({ input: createReadStream(path.join(exportsDir, `${id}.csv`)) });
    let count = -1;
    let expected = ROWS - 1;
    let outOfOrder = 0;
    for await (const line of lines) {
      if (count === -1) expect(line).toBe('"N","Label"');
      else if (!line.startsWith(`${expected},"row ${expected}, ""quoted"""`)) outOfOrder++;
      else expected--;
      count++;
    }
    expect(outOfOrder).toBe(0);
    expect(count).toBe(ROWS);
  }, 240_000);

  test('cancel while rows are streaming: the worker stops, no file is left, status cancelled', async () => {
    const started = await fetch(`${base}/api/v1/exports`, {
      method: 'POST',
      headers: { cookie, 'x-csrf-token': csrf, 'content-type': 'application/json' },
      body: JSON.stringify({ dashboard: 'many', widget: 'rows', format: 'ndjson', filters: {} }),
    });
    const body = (await started.json()) as ExportStartResponse;
    if (body.mode !== 'job') throw new Error('expected an export job');
    const id = body.export.id;
    await until(
      async () => {
        const e = await exportOf(id);
        return e.status === 'running' && e.rowsDone > 0 && e.rowsDone < ROWS ? e : undefined;
      },
      60_000,
      'the export under way',
    );
    const cancel = await fetch(`${base}/api/v1/exports/${id}/cancel`, {
      method: 'POST',
      headers: { cookie, 'x-csrf-token': csrf, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(cancel.status).toBe(200);
    const done = await until(
      async () => {
        const e = await exportOf(id);
        return e.status === 'running' ? undefined : e;
      },
      30_000,
      'the cancelled export',
    );
    expect(done.status).toBe('cancelled');
    expect(done.rowsDone).toBeLessThan(ROWS);
    expect(readdirSync(exportsDir).filter((f) => f.startsWith(id))).toEqual([]);
    const download = await fetch(`${base}/api/v1/exports/${id}/download`, { headers: { cookie } });
    expect(download.status).toBe(409);
  }, 120_000);
});

if (!built)
  test('the export kill test needs the built server (npm run build)', () => {
    throw new Error('dist/server is missing: run `npm run build` (npm test does it)');
  });
