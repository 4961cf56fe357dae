import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { clinicalTrialsDir, repoRoot, requireExampleData } from '../../../test/paths.js';
import { startServe, type ServeProcess } from '../../../test/serve-process.js';

/** The `sh` blocks of docs/api.md, in order: what a reader copies. */
export function shellBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
}

const work = mkdtempSync(path.join(tmpdir(), 'trellis-api-docs-'));
let server: ServeProcess;
let link: string;
beforeAll(async () => {
  requireExampleData();
  server = await startServe(['--demo', clinicalTrialsDir], { TRELLIS_DATA_DIR: path.join(work, 'store') });
  link = (await server.waitFor(/(http:\/\/\S+\/login\/link\?token=[A-Za-z0-9_-]{43})/))[1] ?? '';
}, 90_000);
afterAll(async () => {
  await server?.stop();
  rmSync(work, { recursive: true, force: true });
});

test('every curl example of docs/api.md runs against a served instance and answers as the text says', () => {
  const blocks = shellBlocks(readFileSync(path.join(repoRoot, 'docs', 'api.md'), 'utf8'));
  expect(blocks.length).toBeGreaterThanOrEqual(6);
  const script = `set -euo pipefail\n${blocks.map((b, i) => `echo "--- block ${i + 1}"\n${b}`).join('\n')}`;
  const r = spawnSync('bash', ['--noprofile', '--norc', '-c', script], {
    cwd: work,
    encoding: 'utf8',
    timeout: 60_000,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: work,
      TRELLIS_URL: server.url,
      TRELLIS_LINK: link,
    },
  });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  const out = r.stdout;
  const block = (n: number) => out.split(`--- block ${n}\n`)[1]?.split('--- block')[0] ?? '';
  // 1: a token was minted with the session's CSRF token.
  expect(block(1)).toMatch(/^trl_…$/m);
  // 2: the dashboards and the filter types of one.
  expect(block(2)).toMatch(/^distributions$/m);
  expect(block(2)).toContain('{"id":"enrollment","type":"number_range"}');
  // 3: rows for a request with multi_select, date_range and number_range filters.
  const widget = JSON.parse(block(3).trim()) as { columns: string[]; rows: number; cache: string };
  expect(widget.rows).toBeGreaterThan(0);
  expect(widget.columns.length).toBeGreaterThan(1);
  // The text filter on a table: a total and a page of at most 5.
  const [total, page] = JSON.parse(block(4).trim()) as [number, number];
  expect(total).toBeGreaterThan(0);
  expect(page).toBe(Math.min(5, total));
  // 4: three pages, sorted, without overlap.
  const firsts = block(5).trim().split('\n');
  expect(firsts).toHaveLength(3);
  expect([...firsts].sort()).toEqual(firsts);
  expect(new Set(firsts).size).toBe(3);
  // 5: errors.
  expect(block(6)).toMatch(/^401$/m);
  expect(block(6)).toContain('"error":"INVALID_FILTER_VALUE"');
});
