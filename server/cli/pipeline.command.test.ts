import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { TABLE_NAMES } from '../../examples/clinical-trials/transforms/ctgov-study.js';
import { CtgovReplayServer } from '../../test/ctgov-replay-server.js';
import { expectedCounts } from '../../test/pipeline-context.js';
import { createPipelineProject, summarise } from '../../test/pipeline-fixture.js';
import { repoRoot } from '../../test/paths.js';

// `trellis pipeline run` as a user runs it (the built bin), killed with SIGKILL at three random
// points and started again: the final tables must equal those of a run that was never interrupted.
// 4,000 studies keep `npm test` short; the full size is one variable away:
// KILL_TEST_STUDIES=50000 npx vitest run server/cli/pipeline.command.test.ts
const STUDIES = Number(process.env['KILL_TEST_STUDIES'] ?? 4_000);
const PAGE_SIZE = STUDIES >= 20_000 ? 500 : 100;
const PAGES = STUDIES / PAGE_SIZE;
const bin = path.join(repoRoot, 'bin', 'trellis.js');

let server: CtgovReplayServer;
beforeAll(async () => {
  if (!existsSync(path.join(repoRoot, 'dist', 'server', 'main.js')))
    throw new Error('dist/ is missing: run "npm test" (it builds first) or "npm run build"');
  server = await CtgovReplayServer.start({ studies: STUDIES });
});
afterAll(() => server.close());

const env = () => ({ ...process.env, CTGOV_BASE_URL: server.url, NODE_ENV: 'test' });

/** Runs the CLI until it exits, or SIGKILLs it once it printed page `killAfterPage` (+ a random delay). */
function runCli(
  dir: string,
  killAfterPage: number | null,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, 'pipeline', 'run', dir, 'ctgov'], { env: env() });
    let out = '';
    let err = '';
    let killing = false;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      if (killAfterPage === null || killing) return;
      const pages = [...out.matchAll(/— page (\d+) /g)].map((m) => Number(m[1]));
      if ((pages.at(-1) ?? 0) >= killAfterPage) {
        killing = true;
        // Somewhere inside the next page: fetching, mapping, in the transaction, or publishing.
        setTimeout(() => child.kill('SIGKILL'), Math.floor(Math.random() * 60));
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve({ code, signal, out, err }));
  });
}

describe('trellis pipeline run, killed with SIGKILL and restarted', () => {
  test(
    'three kills at random pages, three restarts: the same tables as an uninterrupted run',
    async () => {
      const interrupted = await createPipelineProject({
        pageSize: PAGE_SIZE,
        publishEveryPages: 4,
        forCli: true,
      });
      const whole = await createPipelineProject({ pageSize: PAGE_SIZE, publishEveryPages: 4, forCli: true });

      const points = new Set<number>();
      while (points.size < 3) points.add(2 + Math.floor(Math.random() * (PAGES - 6)));
      const killAt = [...points].sort((a, b) => a - b);
      const transcript: string[] = [];
      for (const page of killAt) {
        const r = await runCli(interrupted.dir, page);
        transcript.push(`kill after page ${page}: ${r.signal ?? r.code}\n${r.err}`);
        expect(r.signal, `the run ended before page ${page}:\n${r.out}\n${r.err}`).toBe('SIGKILL');
      }
      const last = await runCli(interrupted.dir, null);
      expect(last.code, `${transcript.join('\n')}\n${last.out}\n${last.err}`).toBe(0);
      expect(last.out).toMatch(/^resuming after page \d+ /m);
      expect(last.out).toMatch(/^succeeded: \d+ rows written in [\d.]+ s$/m);

      const clean = await runCli(whole.dir, null);
      expect(clean.code, clean.err).toBe(0);

      const a = await summarise(interrupted.served, TABLE_NAMES, null);
      const b = await summarise(whole.served, TABLE_NAMES, null);
      expect(a).toEqual(b);
      const counts = Object.fromEntries(Object.entries(a).map(([t, s]) => [t, s.rows]));
      expect(counts).toEqual(expectedCounts(server));
      expect(counts['studies']).toBe(STUDIES);
    },
    180_000 + STUDIES * 20,
  );

  test('a failing run exits 1 with the error code and the page on stderr', async () => {
    const project = await createPipelineProject({ forCli: true });
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const r = spawnSync(process.execPath, [bin, 'pipeline', 'run', project.dir, 'ctgov'], {
      encoding: 'utf8',
      timeout: 30_000,
      // Nothing listens on that port any more: every attempt is refused.
      env: { ...process.env, CTGOV_BASE_URL: `http://127.0.0.1:${port}/api/v2/studies` },
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(
      /^trellis pipeline: PIPELINE_FAILED: Pipeline ctgov: page 1 failed: network error: .*ECONNREFUSED.* \(after 5 attempts\)$/m,
    );
    expect(r.stdout).toMatch(/^warn: page 1: network error: .*; retry 4 of 4 in /m);
  });

  test('trellis check reports a broken pipeline file with its line', async () => {
    const project = await createPipelineProject({ servedStudies: 20 });
    const file = path.join(project.dir, 'pipelines', 'ctgov.yaml');
    const text = readFileSync(file, 'utf8');
    writeFileSync(file, text.replace("schedule: '30 3 * * *'", "schedule: '30 25 * * *'"));
    const r = spawnSync(process.execPath, [bin, 'check', project.dir], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(1);
    const line = text.split('\n').findIndex((l) => l.startsWith('schedule:')) + 1;
    expect(r.stderr).toContain(`pipelines/ctgov.yaml:${line}: schedule: hour: 25 is outside 0–23`);
    writeFileSync(file, text);
    const ok = spawnSync(process.execPath, [bin, 'check', project.dir], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);
  });

  test('an invalid project exits 1 with file:line problems', () => {
    const r = spawnSync(process.execPath, [bin, 'pipeline', 'run', repoRoot, 'ctgov'], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^trellis\.yaml:1: file not found$/m);
  });
});
