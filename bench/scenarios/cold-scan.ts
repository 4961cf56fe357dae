import { benchProject, LIVE_DASHBOARD } from '../data/bench-project.js';
import { pinSelf } from '../lib/cpu-pinning.js';
import { widgetPath } from '../lib/dashboard-client.js';
import { errorCode } from '../lib/http-client.js';
import { signedInClient } from '../lib/signed-in.js';
import { rowLabel, type BenchOptions } from '../lib/options.js';
import { RawDuckDB } from '../lib/raw-duckdb.js';
import type { ScenarioResult } from '../lib/report.js';
import { median, round } from '../lib/stats.js';
import { loadBenchProject, widgetStatements } from '../lib/widget-sql.js';
import { withServer } from '../lib/with-server.js';

/** The aggregations of the dashboard: each scans the whole table (no filters). */
const AGGREGATIONS = ['events', 'revenue', 'median_duration', 'per_day', 'top_categories', 'region_hour'];
const RUNS = 3;

/**
 * Rows/s of cold aggregations through the API: each run starts a fresh server (DuckDB's buffer pool
 * empty; the OS page cache is left as it is — dropping it would slow everyone on a shared machine)
 * and asks for each aggregation once. The anchor is the same statements on a fresh in-process
 * DuckDB, pinned to the server's core, in the same run.
 */
export async function coldScan(options: BenchOptions): Promise<ScenarioResult> {
  const bench = await benchProject({ rows: options.scanRows, threads: options.duckdbThreads });
  const project = await loadBenchProject(bench.dir);
  const statements = AGGREGATIONS.map((w) => widgetStatements(project, LIVE_DASHBOARD, w));
  const apiRuns: number[][] = [];
  const rawRuns: number[][] = [];
  let profile: unknown;
  for (let run = 0; run < RUNS; run++) {
    const api = await withServer(bench.dir, { profile: options.profile && run === 0 }, async (server) => {
      const client = await signedInClient(server, 0, { maxSockets: 1, timeoutMs: 120_000 });
      const ms: number[] = [];
      try {
        for (const w of AGGREGATIONS) {
          const r = await client.post(widgetPath(LIVE_DASHBOARD, w), { filters: {} });
          if (r.status !== 200) throw new Error(`${w}: ${errorCode(r)}`);
          ms.push(r.ms);
        }
      } finally {
        client.close();
      }
      return ms;
    });
    profile ??= api.profile;
    apiRuns.push(api.value);
    pinSelf('server');
    const raw = await RawDuckDB.open(bench.dataFile, options.duckdbThreads);
    try {
      const ms: number[] = [];
      for (const s of statements) ms.push(await raw.runOnce(s));
      rawRuns.push(ms);
    } finally {
      raw.close();
      pinSelf('load');
    }
  }
  const rowsPerSecond = (runs: number[][]) =>
    median(runs.map((ms) => (bench.rows * AGGREGATIONS.length) / (ms.reduce((a, b) => a + b, 0) / 1000)));
  const api = rowsPerSecond(apiRuns);
  const raw = rowsPerSecond(rawRuns);
  const m = (n: number) => `${round(n / 1e6, 0)} M rows/s`;
  return {
    scenario: 'cold-scan',
    measured: `${m(api)} through the API vs ${m(raw)} raw (${rowLabel(bench.rows)} rows, ${AGGREGATIONS.length} aggregations)`,
    goal: 'no goal set; tracked (API ≈ raw)',
    anchor: 'raw DuckDB cold, same statements',
    ratio: api / raw,
    verdict: 'no goal',
    details: {
      rows: bench.rows,
      aggregations: AGGREGATIONS,
      apiMs: apiRuns.map((r) => r.map((x) => round(x))),
      rawMs: rawRuns.map((r) => r.map((x) => round(x))),
      apiRowsPerSecond: round(api, 0),
      rawRowsPerSecond: round(raw, 0),
      note: 'fresh process per run; OS page cache not dropped',
      ...(profile ? { profile } : {}),
    },
  };
}
