import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { RunSummary } from '../../contract/jobs.schema.js';
import { createMiniProject, MINI_ITEMS } from '../../test/mini-project.js';
import { repoRoot } from '../../test/paths.js';
import { TEST_SECRET } from '../../test/serve-process.js';
import { until } from '../../test/until.js';
import { CLI_CONTEXT } from '../audit/audit-log.js';
import { AccountsService } from '../auth/accounts.service.js';
import { openStore } from '../store/store.js';

/**
 * The process roles as deployed: `serve --role web` and `worker` as two processes on one SQLite
 * metadata store (the built commands, with the test pipelines passed in). The web process starts a
 * run and shows the worker's progress; the worker is killed with SIGKILL mid-run and restarted, and
 * the run resumes from the pipeline's checkpoint (the lease ran out); data the worker publishes
 * shows in the web process's answers; SIGTERM stops a worker within its grace.
 */
const ENTRY = path.join(repoRoot, 'test', 'fixtures', 'trellis-with-pipelines.mjs');
const built = existsSync(path.join(repoRoot, 'dist', 'server', 'cli', 'worker.command.js'));
const PASSWORD = 'correct horse battery staple';

interface Proc {
  readonly child: ChildProcess;
  output(): string;
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
}

const procs = new Set<ChildProcess>();
afterAll(() => {
  for (const c of procs) c.kill('SIGKILL');
});

function run(command: 'serve' | 'worker', dir: string, env: Record<string, string>): Proc {
  const child = spawn(process.execPath, [ENTRY, command, dir], {
    env: { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'warn', PORT: '0', HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  procs.add(child);
  child.once('exit', () => procs.delete(child));
  let out = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (out += c.toString()));
  return {
    child,
    output: () => out,
    waitFor: (pattern, timeoutMs = 60_000) =>
      until(() => pattern.exec(out) ?? undefined, timeoutMs, `${pattern} in:\n${out}`),
  };
}

describe.skipIf(!built)('serve --role web + worker, one SQLite store', () => {
  let env: Record<string, string>;
  let web: Proc;
  let worker: Proc;
  let base: string;
  let cookie: string;
  let csrf: string;
  let warehouse: string;
  let projectDir: string;

  beforeAll(async () => {
    const mini = await createMiniProject();
    projectDir = mini.dir;
    const dataDir = mkdtempSync(path.join(tmpdir(), 'trellis-roles-'));
    const store = await openStore({ kind: 'sqlite', file: path.join(dataDir, 'meta.sqlite') });
    const accounts = new AccountsService(store);
    await accounts.createOrganisation('acme', 'Acme', CLI_CONTEXT);
    await accounts.createUser(
      { email: 'ed@acme.test', password: PASSWORD, organisation: 'acme', role: 'editor' },
      CLI_CONTEXT,
    );
    await store.close();
    warehouse = path.join(dataDir, 'warehouse.sqlite');
    env = {
      TRELLIS_SESSION_SECRET: TEST_SECRET,
      TRELLIS_DATA_DIR: dataDir,
      TRELLIS_WORKER_LEASE: '2s',
      TRELLIS_WORKER_SHUTDOWN_GRACE: '5s',
      TEST_PIPELINES: JSON.stringify({
        dbFile: warehouse,
        pipelines: [{ id: 'pages', organisation: 'acme', pages: 30, rowsPerPage: 5, pageDelayMs: 100 }],
        replace: { id: 'reload', organisation: 'acme', target: mini.db, rows: 42, datasets: ['items'] },
      }),
    };
    web = run('serve', mini.dir, env);
    worker = run('worker', mini.dir, env);
    base = (await web.waitFor(/serving "[^"]*" at (http:\/\/\S+)/))[1] ?? '';
    await worker.waitFor(/worker is running jobs/);
    const login = await fetch(`${base}/api/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'ed@acme.test', password: PASSWORD }),
    });
    expect(login.status).toBe(200);
    cookie = login.headers.getSetCookie()[0]?.split(';')[0] ?? '';
    csrf = ((await login.json()) as { csrfToken: string }).csrfToken;
  }, 120_000);

  const api = async (method: 'GET' | 'POST', url: string) => {
    const r = await fetch(`${base}${url}`, {
      method,
      headers:
        method === 'POST' ? { cookie, 'x-csrf-token': csrf, 'content-type': 'application/json' } : { cookie },
      ...(method === 'POST' ? { body: '{}' } : {}),
    });
    return { status: r.status, body: (await r.json()) as Record<string, unknown> };
  };
  const runOf = async (id: string) => (await api('GET', `/api/v1/runs/${id}`)).body as unknown as RunSummary;

  test('a run started on the web process is done by the worker; kill -9 mid-run, restart: it resumes from the checkpoint', async () => {
    const started = await api('POST', '/api/v1/pipelines/pages/runs');
    expect(started.status).toBe(202);
    const id = String(started.body.id);
    await until(async () => (await runOf(id)).progress.done >= 5, 20_000, 'progress seen by the web process');
    worker.child.kill('SIGKILL');
    await new Promise((r) => worker.child.once('exit', r));
    const stalled = await runOf(id);
    expect(stalled.status).toBe('running');
    worker = run('worker', projectDir, env);
    await worker.waitFor(/worker is running jobs/);
    const done = await until(
      async () => {
        const r = await runOf(id);
        return r.status === 'succeeded' || r.status === 'failed' ? r : undefined;
      },
      40_000,
      'the resumed run',
    );
    expect(done.status).toBe('succeeded');
    const db = new SQLite(warehouse, { readonly: true });
    try {
      expect(
        (db.prepare("select count(*) as n from rows where pipeline = 'pages'").get() as { n: number }).n,
      ).toBe(150);
      const attempts = db
        .prepare("select resumed_from as page from attempts where pipeline = 'pages'")
        .all() as {
        page: number;
      }[];
      expect(attempts.length).toBe(2);
      expect(attempts[1]?.page).toBeGreaterThanOrEqual(5);
    } finally {
      db.close();
    }
  }, 90_000);

  test('data the worker publishes shows in the web process’s answers (reopened file, invalidated dataset)', async () => {
    const total = () =>
      fetch(`${base}/api/v1/dashboards/main/widgets/total/data`, {
        method: 'POST',
        headers: { cookie, 'x-csrf-token': csrf, 'content-type': 'application/json' },
        body: JSON.stringify({ filters: {} }),
      }).then(async (r) => ((await r.json()) as { rows: unknown[][] }).rows);
    expect(await total()).toEqual([[MINI_ITEMS]]);
    const started = await api('POST', '/api/v1/pipelines/reload/runs');
    const id = String(started.body.id);
    await until(async () => (await runOf(id)).status === 'succeeded', 20_000, 'the reload run');
    await until(
      async () => JSON.stringify(await total()) === '[[42]]',
      5_000,
      'the new rows on the web process',
    );
  });

  test('SIGTERM: the worker and the web process stop within their grace', async () => {
    const stopped = (p: Proc) => new Promise<number | null>((r) => p.child.once('exit', (code) => r(code)));
    const w = stopped(worker);
    const s = stopped(web);
    worker.child.kill('SIGTERM');
    web.child.kill('SIGTERM');
    expect(await w).toBe(0);
    expect(await s).toBe(0);
  }, 30_000);
});

if (!built)
  test('the process roles test needs the built server (npm run build)', () => {
    throw new Error('dist/server is missing: run `npm run build` (npm test does it)');
  });
