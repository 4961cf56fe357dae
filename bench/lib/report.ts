import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from './server-process.js';

export interface ScenarioResult {
  readonly scenario: string;
  /** The headline figure, e.g. "p95 12.3 ms". */
  readonly measured: string;
  readonly goal: string;
  readonly anchor: string;
  /** measured / goal or measured / anchor, as the scenario defines it; undefined when not a ratio. */
  readonly ratio?: number;
  readonly details: Record<string, unknown>;
}

export function machine(): Record<string, unknown> {
  const duckdb = JSON.parse(
    readFileSync(path.join(repoRoot, 'node_modules', '@duckdb', 'node-api', 'package.json'), 'utf8'),
  ) as { version: string };
  return {
    cores: os.cpus().length,
    cpu: os.cpus()[0]?.model,
    memoryGb: Math.round(os.totalmem() / 1024 ** 3),
    node: process.version,
    duckdb: duckdb.version,
    date: new Date().toISOString(),
  };
}

export function writeResult(result: ScenarioResult): void {
  const dir = path.join(repoRoot, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    path.join(dir, `${result.scenario}.json`),
    `${JSON.stringify({ ...result, machine: machine() }, null, 2)}\n`,
  );
}

export function printTable(results: readonly ScenarioResult[]): void {
  const rows = [
    ['scenario', 'measured', 'goal', 'anchor', 'ratio'],
    ...results.map((r) => [
      r.scenario,
      r.measured,
      r.goal,
      r.anchor,
      r.ratio === undefined ? '–' : r.ratio.toFixed(2),
    ]),
  ];
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  for (const r of rows) process.stdout.write(`${r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ')}\n`);
}
