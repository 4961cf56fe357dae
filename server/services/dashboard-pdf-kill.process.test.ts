import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { ExportFile } from '../../contract/index.js';
import { createMiniProject } from '../../test/mini-project.js';
import { repoRoot } from '../../test/paths.js';
import { TEST_SECRET } from '../../test/serve-process.js';
import { cliProcesses } from '../../test/cli-process.js';
import { until } from '../../test/until.js';
import { CLI_CONTEXT } from '../audit/audit-log.js';
import { AccountsService } from '../auth/accounts.service.js';
import { openStore } from '../store/store.js';

/**
 * A dashboard PDF job survives `kill -9` of its worker while Chromium renders (issue 13):
 * `serve --role web` and `worker` as two processes on one SQLite store and one exports folder (the
 * built commands and web app, Debian's Chromium). The worker is SIGKILLed once its Chromium is up
 * (the render under way, no file yet); a new worker takes the job again after its lease and renders
 * it. The user ends with exactly one file: one `<id>.pdf`, a PDF, nothing else in the folder, the job
 * ready, and the download that file.
 */
const CHROMIUM = '/usr/bin/chromium';
const built =
  existsSync(path.join(repoRoot, 'dist', 'server', 'cli', 'worker.command.js')) &&
  existsSync(path.join(repoRoot, 'dist', 'web', 'index.html'));
const hasChromium = existsSync(CHROMIUM);
const PASSWORD = 'correct horse battery staple';

const { run } = cliProcesses();
/** Chromiums the killed worker had started (pids we saw): stopped at the end if they outlived it. */
const orphans = new Set<number>();
afterAll(() => {
  for (const pid of orphans) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone with its parent already.
    }
  }
});

/** Every process descended from `root` whose command line names Chromium (read from /proc). */
function chromiumsUnder(root: number): number[] {
  const parent = new Map<number, number>();
  const command = new Map<number, string>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // "pid (comm) state ppid …": the command may hold spaces and parentheses; ppid follows the last ")".
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parent.set(Number(entry), ppid);
      command.set(Number(entry), readFileSync(`/proc/${entry}/cmdline`, 'utf8'));
    } catch {
      // Exited while we looked.
    }
  }
  const under = (pid: number): boolean => {
    for (let p = parent.get(pid); p !== undefined && p > 1; p = parent.get(p)) if (p === root) return true;
    return false;
  };
  return [...command.entries()]
    .filter(([pid, cmd]) => cmd.includes('chrom') && under(pid))
    .map(([pid]) => pid);
}

describe.skipIf(!built || !hasChromium)('dashboard PDF job on a worker process: kill -9 mid-render', () => {
  let env: Record<string, string>;
  let projectDir: string;
  let exportsDir: string;
  let base: string;
  let cookie: string;
  let csrf: string;

  beforeAll(async () => {
    projectDir = (await createMiniProject()).dir;
    const dataDir = mkdtempSync(path.join(tmpdir(), 'trellis-pdf-kill-'));
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
      TRELLIS_CHROMIUM: CHROMIUM,
      TRELLIS_PDF_TIMEOUT: '90s',
    };
    const web = run(['serve', '--role', 'web', projectDir], env);
    base = (await web.waitFor(/serving "[^"]*" at (http:\/\/\S+)/))[1] ?? '';
    // The worker prints the web process's pages.
    env.TRELLIS_PDF_BASE_URL = base;
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

  test('the render is taken again and the user ends with exactly one PDF', async () => {
    const started = await fetch(`${base}/api/v1/exports/pdf`, {
      method: 'POST',
      headers: { cookie, 'x-csrf-token': csrf, 'content-type': 'application/json' },
      body: JSON.stringify({ dashboard: 'main', paper: 'A4', orientation: 'portrait' }),
    });
    expect(started.status).toBe(202);
    const id = ((await started.json()) as ExportFile).id;

    let worker = run(['worker', projectDir], env);
    await worker.waitFor(/worker is running jobs/);
    const pid = worker.child.pid ?? 0;
    // Mid-render: the job is running and the worker's Chromium is up.
    const browsers = await until(
      () => {
        const found = chromiumsUnder(pid);
        return found.length > 0 ? found : undefined;
      },
      60_000,
      "the worker's Chromium",
    );
    for (const b of browsers) orphans.add(b);
    expect((await exportOf(id)).status).toBe('running');
    worker.child.kill('SIGKILL');
    await new Promise((r) => worker.child.once('exit', r));
    const stalled = await exportOf(id);
    expect(stalled.status).toBe('running');
    // Nothing finished from the dead worker (at most its partial file).
    expect(readdirSync(exportsDir).filter((f) => f === `${id}.pdf`)).toEqual([]);

    worker = run(['worker', projectDir], env);
    await worker.waitFor(/worker is running jobs/);
    const done = await until(
      async () => {
        const e = await exportOf(id);
        return e.status === 'running' || e.status === 'queued' ? undefined : e;
      },
      150_000,
      'the PDF rendered again',
    );
    expect(done.error).toBeNull();
    expect(done.status).toBe('ready');
    expect(readdirSync(exportsDir)).toEqual([`${id}.pdf`]);
    const res = await fetch(`${base}/api/v1/exports/${id}/download`, { headers: { cookie } });
    expect(res.status).toBe(200);
    const pdf = Buffer.from(await res.arrayBuffer());
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(pdf.length).toBe(done.bytes);
    expect(pdf.equals(readFileSync(path.join(exportsDir, `${id}.pdf`)))).toBe(true);
    // The list holds this one job once.
    const listed = (await (await fetch(`${base}/api/v1/exports`, { headers: { cookie } })).json()) as {
      exports: ExportFile[];
    };
    expect(listed.exports.filter((e) => e.id === id)).toHaveLength(1);
  }, 300_000);
});

if (!built)
  test('the PDF kill test needs the built server and web app (npm run build)', () => {
    throw new Error('dist/server or dist/web is missing: run `npm run build` (npm test does it)');
  });
if (built && !hasChromium && process.env.CI === 'true')
  test('the PDF kill test needs Chromium', () => {
    throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium`);
  });
