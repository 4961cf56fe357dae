import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { verdictAtMost, type ScenarioResult } from '../lib/report.js';
import { repoRoot } from '../lib/server-process.js';
import { round } from '../lib/stats.js';

/** Bytes of JavaScript and CSS the first page loads (what index.html references), raw and gzip. */
export async function webBundle(): Promise<ScenarioResult> {
  const root = path.join(repoRoot, 'dist', 'web');
  const index = readFileSync(path.join(root, 'index.html'), 'utf8');
  const refs = [...index.matchAll(/(?:src|href)="\/?(assets\/[^"]+\.(?:js|css))"/g)].map(
    (m) => m[1] as string,
  );
  let raw = 0;
  let gzip = 0;
  const files: Record<string, { raw: number; gzip: number }> = {};
  for (const ref of refs) {
    const file = path.join(root, ref);
    if (!existsSync(file)) continue;
    const bytes = readFileSync(file);
    const gz = gzipSync(bytes, { level: 9 }).length;
    files[ref] = { raw: bytes.length, gzip: gz };
    raw += bytes.length;
    gzip += gz;
  }
  const kb = (n: number) => round(n / 1024, 1);
  return {
    scenario: 'web-bundle',
    measured: `first page ${kb(raw)} KB (${kb(gzip)} KB gzip)`,
    goal: '≤ 150 KB gzip first page (issue 14)',
    anchor: 'first probe 745 kB (docs/performance.md)',
    ratio: gzip / (150 * 1024),
    verdict: verdictAtMost(gzip, 150 * 1024),
    details: { files },
  };
}
