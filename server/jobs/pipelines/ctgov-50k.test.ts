import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { TABLE_NAMES } from '../../../examples/clinical-trials/transforms/ctgov-study.js';
import { createPipelineProject, queryFile, summarise } from '../../../test/pipeline-fixture.js';
import { clinicalTrialsDb, repoRoot, requireExampleData } from '../../../test/paths.js';

// Acceptance: 50,000 studies from the replay server (its own process) through `trellis pipeline run`
// (the built CLI) with the example's pipeline file (no rate limit). The result must be exactly the
// tables the offline generator builds from the same 50,000 studies through the same transform:
// same row counts and the same checksum over every column but the organisation.
const STUDIES = 50_000;

let replay: ReturnType<typeof spawn>;
let url: string;
beforeAll(async () => {
  for (const built of ['server/main.js', 'bench/lib/replay-server-process.js'])
    if (!existsSync(path.join(repoRoot, 'dist', built)))
      throw new Error(`dist/${built} is missing: run "npm test" (it builds first) or "npm run build"`);
  requireExampleData();
  replay = spawn(
    process.execPath,
    [path.join(repoRoot, 'dist', 'bench', 'lib', 'replay-server-process.js'), '--studies', String(STUDIES)],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  url = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: replay.stdout as NodeJS.ReadableStream });
    lines.on('line', (line) => {
      const m = /^listening (\S+)$/.exec(line);
      if (m) resolve(m[1] as string);
    });
    replay.once('exit', (code) => reject(new Error(`the replay server exited (${code})`)));
  });
});
afterAll(() => {
  replay?.kill('SIGTERM');
});

describe('ctgov pipeline, 50,000 studies', () => {
  test('writes exactly the 50,000 studies and the child rows the offline build has', async () => {
    const meta = await queryFile(
      clinicalTrialsDb,
      `SELECT value FROM meta WHERE key IN ('seed', 'study_count') ORDER BY key`,
    );
    // The example database is the same generator, seed and count as the replay server's.
    expect(meta.map((r) => r['value'])).toEqual(['20261124', String(STUDIES)]);

    const project = await createPipelineProject({
      pageSize: 1000,
      timeout: '60s',
      publishEveryPages: 20,
      forCli: true,
    });
    const run = spawn(
      process.execPath,
      [path.join(repoRoot, 'bin', 'trellis.js'), 'pipeline', 'run', project.dir, 'ctgov'],
      {
        env: { ...process.env, CTGOV_BASE_URL: url },
      },
    );
    let out = '';
    let err = '';
    run.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    run.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
    const code = await new Promise<number | null>((resolve) => run.on('exit', resolve));
    expect(code, err).toBe(0);
    expect(out).toMatch(/^done: 50 pages, 50000 items, \d+ rows written/m);
    expect(out).toMatch(/^progress 50000\/50000 items/m);

    const written = await summarise(project.served, TABLE_NAMES, 'atlas', ['org']);
    const offline = await summarise(clinicalTrialsDb, TABLE_NAMES, null, ['org']);
    expect(written['studies']?.rows).toBe(STUDIES);
    expect(written).toEqual(offline);
    const dupes = await queryFile(
      project.served,
      'SELECT count(*) - count(DISTINCT nct_id) AS d FROM studies',
    );
    expect(Number(dupes[0]?.['d'])).toBe(0);
  }, 240_000);
});
