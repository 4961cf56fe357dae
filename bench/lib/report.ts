import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pinning } from './cpu-pinning.js';
import type { BenchOptions } from './options.js';
import { repoRoot } from './server-process.js';

export interface ScenarioResult {
  readonly scenario: string;
  /** The headline figure, e.g. "p95 12.3 ms". */
  readonly measured: string;
  readonly goal: string;
  readonly anchor: string;
  /** measured / goal or measured / anchor, as the scenario defines it; undefined when not a ratio. */
  readonly ratio?: number;
  /** Against the goal and the acceptance floor (PRODUCT.md's goals table). */
  readonly verdict: Verdict;
  readonly details: Record<string, unknown>;
}

export type Verdict = 'met' | 'floor met' | 'missed' | 'no goal';

/** For goals where smaller is better: at or under the goal is met, at or under the floor is floor met. */
export function verdictAtMost(value: number, goal: number, floor = goal): Verdict {
  return value <= goal ? 'met' : value <= floor ? 'floor met' : 'missed';
}

export function verdictAtLeast(value: number, goal: number, floor = goal): Verdict {
  return value >= goal ? 'met' : value >= floor ? 'floor met' : 'missed';
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
    pinning: pinning().note,
    // Other work on the machine shows here: the figures of a loaded machine are noisier.
    loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
    date: new Date().toISOString(),
  };
}

export function writeResult(result: ScenarioResult, options: BenchOptions): void {
  const dir = path.join(repoRoot, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    path.join(dir, `${result.scenario}.json`),
    `${JSON.stringify({ ...result, options: { ...options, scenarios: undefined }, machine: machine() }, null, 2)}\n`,
  );
}

export function printTable(results: readonly ScenarioResult[]): void {
  const rows = [
    ['scenario', 'measured', 'goal', 'anchor', 'ratio', 'verdict'],
    ...results.map((r) => [
      r.scenario,
      r.measured,
      r.goal,
      r.anchor,
      r.ratio === undefined ? '–' : r.ratio.toFixed(2),
      r.verdict,
    ]),
  ];
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  for (const r of rows) process.stdout.write(`${r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ')}\n`);
}
