import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  clinicalTrialsDir,
  repoRoot,
  requireExampleData,
  requireVmInventoryData,
  vmInventoryDir,
} from '../../test/paths.js';

// The real CLI, as a user runs it: the built bin (npm test builds first, see scripts/setup.mjs).
const trellis = (...args: string[]) =>
  spawnSync(process.execPath, [path.join(repoRoot, 'bin', 'trellis.js'), ...args], {
    encoding: 'utf8',
    timeout: 60_000,
  });

const temp: string[] = [];
const tempCopy = (prefix: string) => {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  temp.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of temp) rmSync(dir, { recursive: true, force: true });
});

beforeAll(() => {
  if (!existsSync(path.join(repoRoot, 'dist', 'server', 'main.js')))
    throw new Error('dist/ is missing: run "npm test" (it builds first) or "npm run build"');
  requireExampleData();
  requireVmInventoryData();
});

describe('trellis check', () => {
  test('the clinical-trials example is valid', () => {
    const r = trellis('check', clinicalTrialsDir);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^clinical-trials: ok \(8 datasets, 7 dashboards, \d+ widgets\)/);
  });

  test('the vm-inventory example is valid (on its DuckDB file: the server variable is not set)', () => {
    const r = spawnSync(
      process.execPath,
      [path.join(repoRoot, 'bin', 'trellis.js'), 'check', vmInventoryDir],
      {
        encoding: 'utf8',
        timeout: 60_000,
        env: { ...process.env, VM_INVENTORY_DATABASE_URL: '' },
      },
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^vm-inventory: ok \(7 datasets, 4 dashboards, \d+ widgets\)/);
  });

  test('vm-inventory with a server variable that is not a server URL exits 1 on the source line', () => {
    const r = spawnSync(
      process.execPath,
      [path.join(repoRoot, 'bin', 'trellis.js'), 'check', vmInventoryDir],
      {
        encoding: 'utf8',
        timeout: 60_000,
        env: { ...process.env, VM_INVENTORY_DATABASE_URL: 'https://user:s3cret@db.example/x' },
      },
    );
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(
      /^trellis\.yaml:\d+: source "main" cannot be opened: environment variable VM_INVENTORY_DATABASE_URL \(server_url_env\) holds a https:\/\/ URL/m,
    );
    expect(r.stderr).not.toContain('s3cret');
  });

  // The keys `npm start -- sourcing` provides for its stand-ins (scripts/start.mjs); a real deployment
  // sets its own. Without one, check names the variable on the line that uses it.
  const sourcingDir = path.join(repoRoot, 'examples', 'sourcing');
  const checkSourcing = (keys: Record<string, string>) =>
    spawnSync(process.execPath, [path.join(repoRoot, 'bin', 'trellis.js'), 'check', sourcingDir], {
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, SOURCING_DATABASE_URL: '', SCORING_API_KEY: '', AGENT_API_KEY: '', ...keys },
    });

  test("the sourcing example is valid with the stand-ins' keys set (its agent pipeline included)", () => {
    const r = checkSourcing({ SCORING_API_KEY: 'demo-scoring-key', AGENT_API_KEY: 'demo-agent-key' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^sourcing: ok \(5 datasets, 3 dashboards, \d+ widgets\)/);
  });

  test('the sourcing example without the agent key exits 1 naming AGENT_API_KEY on its line', () => {
    const r = checkSourcing({ SCORING_API_KEY: 'demo-scoring-key' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(
      /^pipelines\/agent\.yaml:\d+: the environment variable AGENT_API_KEY is not set/m,
    );
  });

  test('a typo in a column name exits 1 naming the file and line', () => {
    const copy = tempCopy('trellis-typo-');
    // Without the pipeline and the upload target: what they write must lie in the project's own data
    // folder, which this copy's is not.
    cpSync(clinicalTrialsDir, copy, {
      recursive: true,
      filter: (src) => !src.endsWith('.duckdb') && !['pipelines', 'uploads'].includes(path.basename(src)),
    });
    // The copy points at the example's database, so only the files differ.
    const yaml = readFileSync(path.join(copy, 'trellis.yaml'), 'utf8').replace(
      'path: data/trials.duckdb',
      `path: ${path.join(clinicalTrialsDir, 'data', 'trials.duckdb')}`,
    );
    writeFileSync(path.join(copy, 'trellis.yaml'), yaml);
    const dataset = path.join(copy, 'datasets', 'studies.yaml');
    const original = readFileSync(dataset, 'utf8');
    writeFileSync(
      dataset,
      original.replace(
        '  masking: { type: string, label: Masking }',
        '  maskng: { type: string, label: Masking }',
      ),
    );
    const r = trellis('check', copy);
    expect(r.status).toBe(1);
    const line = original.split('\n').findIndex((l) => l.startsWith('  masking:')) + 1;
    expect(r.stderr).toContain(
      `datasets/studies.yaml:${line}: column "maskng" does not exist in table "studies"`,
    );

    const dashboard = path.join(copy, 'dashboards', 'overview.yaml');
    writeFileSync(dataset, original);
    writeFileSync(
      dashboard,
      readFileSync(dashboard, 'utf8').replace('dimension: overall_status', 'dimension: overal_status'),
    );
    const r2 = trellis('check', copy);
    expect(r2.status).toBe(1);
    expect(r2.stderr).toMatch(
      /^dashboards\/overview\.yaml:\d+: widget "by_status": unknown column "overal_status" in dataset "studies" \(did you mean "overall_status"\?\)$/m,
    );
    expect(r2.stderr).toMatch(/^1 problem found\.$/m);
  });

  test('serve refuses an invalid project the same way', () => {
    const copy = tempCopy('trellis-bad-');
    cpSync(clinicalTrialsDir, copy, { recursive: true, filter: (src) => !src.endsWith('.duckdb') });
    writeFileSync(
      path.join(copy, 'dashboards', 'broken.yaml'),
      'title: Broken\nwidgets:\n  - { id: x, type: gauge, title: X }\n',
    );
    const r = spawnSync(process.execPath, [path.join(repoRoot, 'bin', 'trellis.js'), 'serve', copy], {
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, TRELLIS_SESSION_SECRET: 'cli-test-secret-0123456789abcdefghijklmnop' },
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^dashboards\/broken\.yaml:3: /m);
    expect(r.stderr).toContain('Refusing to serve an invalid project');
  });

  test('usage errors', () => {
    expect(trellis('check').status).toBe(2);
    expect(trellis('frobnicate').status).toBe(2);
    expect(trellis('--help').stdout).toContain('Usage: trellis');
  });
});
