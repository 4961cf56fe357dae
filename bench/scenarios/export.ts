import { rmSync, statSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  BIGINT,
  DOUBLE,
  DuckDBInstance,
  VARCHAR,
  type DuckDBConnection,
  type DuckDBType,
} from '@duckdb/node-api';
import { isDataWidget } from '../../server/config/project/project.schema.js';
import { DASHBOARD, benchProject } from '../data/bench-project.js';
import { pinSelf } from '../lib/cpu-pinning.js';
import { rowLabel, type BenchOptions } from '../lib/options.js';
import type { ScenarioResult } from '../lib/report.js';
import { verdictAtLeast, verdictAtMost } from '../lib/report.js';
import { viewerToken } from '../lib/signed-in.js';
import { round } from '../lib/stats.js';
import { loadBenchProject } from '../lib/widget-sql.js';
import { withServer, type BenchServer } from '../lib/with-server.js';
import type { Project } from '../../server/config/project/project.types.js';
import { compilePlan, type CompiledQuery } from '../../server/query/compiler.js';
import { duckdbDialect } from '../../server/query/engines/duckdb/index.js';
import { tenantId } from '../../server/query/plan.js';
import { getDashboard } from '../../server/services/dashboards.service.js';
import { DEFAULT_EXPORT_LIMIT, exportPlan } from '../../server/services/widget-export.service.js';
import { widgetQuery } from '../../server/services/widget-plans.js';

const WIDGET = 'recent'; // the 8-column table of the bench dashboard: every row of `events`
const SAMPLE_MS = 20;
/** Parquet downloads and DuckDB COPYs, alternating (parquetAlternating). */
const PARQUET_ROUNDS = 5;
/** PRODUCT.md / issue 13 goals. */
const GOALS = { csvAddedMb: 64, xlsxAddedMb: 128, csvShareOfDuckdb: 0.5, parquetTimesDuckdb: 1.2 };

interface Download {
  readonly seconds: number;
  readonly bytes: number;
  /** Largest server RSS while downloading, sampled every 20 ms, minus the RSS just before. */
  readonly addedRssMb: number;
  /** The kernel's high-water mark after the download, minus the RSS just before (a stricter bound). */
  readonly addedPeakRssMb: number;
}

/**
 * `npm run bench -- export`: the bench table widget (all rows of `events`, 1 M by default) exported
 * through the API by a production server in its own process — CSV, XLSX and Parquet, each on a fresh
 * server — with the server's RSS sampled during the download; and, as the anchor, DuckDB's own
 * `COPY (…) TO` of the very same statement (compiled by the server's code) to CSV and Parquet,
 * in-process on the server's core, in the same run (Parquet: five rounds alternating with the
 * server's downloads, compared by medians).
 */
export async function exportScenario(options: BenchOptions): Promise<ScenarioResult> {
  const bench = await benchProject({ rows: options.rows, threads: options.duckdbThreads });
  const project = await loadBenchProject(bench.dir);
  const statement = exportStatement(project);

  const csv = await viaServer(bench.dir, 'csv');
  const xlsx = await viaServer(bench.dir, 'xlsx');
  const parquetRounds = await parquetAlternating(bench.dir, bench.dataFile, statement);
  const duckCsv = await duckdbCopy(bench.dataFile, statement, 'csv');
  const parquet = medianRound(parquetRounds.map((r) => r.server));
  const duckParquet = medianRound(parquetRounds.map((r) => r.duckdb));

  const csvShare = duckCsv.seconds / csv.seconds;
  const parquetTimes = parquet.seconds / duckParquet.seconds;
  const verdicts = [
    verdictAtMost(csv.addedRssMb, GOALS.csvAddedMb),
    verdictAtMost(xlsx.addedRssMb, GOALS.xlsxAddedMb),
    verdictAtLeast(csvShare, GOALS.csvShareOfDuckdb),
    verdictAtMost(parquetTimes, GOALS.parquetTimesDuckdb),
  ];
  const rate = (s: number) => Math.round(bench.rows / s);
  return {
    scenario: 'export',
    measured:
      `CSV ${rowLabel(bench.rows)} rows +${round(csv.addedRssMb, 1)} MB RSS, ${rate(csv.seconds)} rows/s ` +
      `(${Math.round(csvShare * 100)} % of DuckDB COPY); XLSX +${round(xlsx.addedRssMb, 1)} MB, ` +
      `${rate(xlsx.seconds)} rows/s; Parquet ${round(parquetTimes, 2)}× DuckDB COPY ` +
      `(medians of ${PARQUET_ROUNDS} alternating rounds)`,
    goal: 'CSV ≤ 64 MB added, ≥ 50 % of COPY; XLSX ≤ 128 MB added; Parquet ≤ 1.2× COPY',
    anchor: `DuckDB COPY TO csv ${round(duckCsv.seconds, 2)} s, parquet ${round(duckParquet.seconds, 2)} s (median)`,
    ratio: round(csvShare, 3),
    verdict: verdicts.includes('missed') ? 'missed' : 'met',
    details: {
      rows: bench.rows,
      csv,
      xlsx,
      parquet,
      duckdb: { csv: duckCsv, parquet: duckParquet },
      parquetRounds: parquetRounds.map((r) => ({ server: r.server.seconds, duckdb: r.duckdb.seconds })),
      csvShareOfDuckdb: round(csvShare, 3),
      parquetTimesDuckdb: round(parquetTimes, 3),
      goals: GOALS,
    },
  };
}

/**
 * Parquet's rounds: a download through the server, then DuckDB's own COPY of the same statement on
 * the server's core, alternating on one server (after a warm-up), so both sides of each round see
 * the same load; the anchor's instance stays open and warm. One of each swung 0.4–2.3× between runs on this shared machine (docs/performance.md):
 * the ratio is of the medians.
 */
async function parquetAlternating(
  dir: string,
  dataFile: string,
  statement: CompiledQuery,
): Promise<{ server: Download; duckdb: { seconds: number; bytes: number } }[]> {
  // The anchor's instance is opened once and warmed by an untimed COPY: its every round is warm,
  // where the server's first round follows only the tiny warm-up export.
  pinSelf('server');
  const instance = await DuckDBInstance.create(dataFile, { access_mode: 'READ_ONLY' });
  const conn = await instance.connect();
  pinSelf('load');
  try {
    await timedCopy(conn, statement, 'parquet');
    const { value } = await withServer(dir, {}, async (server) => {
      const token = await viewerToken(server);
      await download(server, token, 'parquet', JSON.stringify({ message: 'no such message at all' }));
      await new Promise((r) => setTimeout(r, 1_000));
      const rounds = [];
      for (let i = 0; i < PARQUET_ROUNDS; i++) {
        const viaApi = await download(server, token, 'parquet');
        rounds.push({ server: viaApi, duckdb: await timedCopy(conn, statement, 'parquet') });
      }
      return rounds;
    });
    return value;
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

/** The round of median time (an odd count: a real round, its RSS figures with it). */
function medianRound<T extends { seconds: number }>(rounds: readonly T[]): T {
  const sorted = [...rounds].sort((a, b) => a.seconds - b.seconds);
  const mid = sorted[Math.floor(sorted.length / 2)];
  if (!mid) throw new Error('no rounds');
  return mid;
}

/** The statement the server streams for the table's export, compiled by the server's own code. */
function exportStatement(project: Project): CompiledQuery {
  const tenant = tenantId('bench');
  const dashboard = getDashboard(project, DASHBOARD, { tenant, role: 'admin' });
  const widget = dashboard.widgets.find((w) => w.id === WIDGET);
  if (!widget || !isDataWidget(widget)) throw new Error(`no widget ${WIDGET}`);
  const dataset = project.datasets.get(widget.dataset);
  if (!dataset) throw new Error(`no dataset ${widget.dataset}`);
  const q = widgetQuery(widget, dataset, [], tenant, {});
  const limit = dataset.exportLimit ?? DEFAULT_EXPORT_LIMIT;
  return compilePlan(exportPlan(widget, q.plan, limit + 1), dataset, duckdbDialect, { maxRows: limit });
}

async function viaServer(dir: string, format: 'csv' | 'xlsx' | 'parquet'): Promise<Download> {
  const { value } = await withServer(dir, {}, async (server) => {
    const token = await viewerToken(server);
    // Warm: the same code paths on a tiny export, so the baseline holds the loaded code.
    await download(server, token, format, JSON.stringify({ message: 'no such message at all' }));
    await new Promise((r) => setTimeout(r, 1_000));
    return download(server, token, format);
  });
  return value;
}

function download(server: BenchServer, token: string, format: string, filters?: string): Promise<Download> {
  const query = new URLSearchParams({ format, ...(filters ? { filters } : {}) });
  const url = `${server.url}/api/v1/dashboards/${DASHBOARD}/widgets/${WIDGET}/export?${query}`;
  const before = server.rssMb();
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, server.rssMb())), SAMPLE_MS);
  const started = performance.now();
  return new Promise<Download>((resolve, reject) => {
    get(url, { headers: { authorization: `Bearer ${token}` } }, (res) => {
      if (res.statusCode !== 200) {
        clearInterval(sampler);
        res.resume();
        reject(new Error(`export ${format}: HTTP ${res.statusCode}`));
        return;
      }
      let bytes = 0;
      res.on('data', (chunk: Buffer) => (bytes += chunk.length));
      res.on('error', reject);
      res.on('end', () => {
        clearInterval(sampler);
        peak = Math.max(peak, server.rssMb());
        resolve({
          seconds: (performance.now() - started) / 1000,
          bytes,
          addedRssMb: round(peak - before, 1),
          addedPeakRssMb: round(server.peakRssMb() - before, 1),
        });
      });
    }).on('error', (err) => {
      clearInterval(sampler);
      reject(err);
    });
  });
}

/** DuckDB's own COPY of the same statement, in-process on the server's core, read-only as the server opens it. */
async function duckdbCopy(
  file: string,
  statement: CompiledQuery,
  format: 'csv' | 'parquet',
): Promise<{ seconds: number; bytes: number }> {
  pinSelf('server');
  const instance = await DuckDBInstance.create(file, { access_mode: 'READ_ONLY' });
  const conn = await instance.connect();
  try {
    return await timedCopy(conn, statement, format);
  } finally {
    conn.closeSync();
    instance.closeSync();
    pinSelf('load');
  }
}

/** One timed COPY on an open connection, pinned to the server's core while it runs. */
async function timedCopy(
  conn: DuckDBConnection,
  statement: CompiledQuery,
  format: 'csv' | 'parquet',
): Promise<{ seconds: number; bytes: number }> {
  const out = path.join(tmpdir(), `trellis-bench-export-${process.pid}.${format}`);
  pinSelf('server');
  try {
    const options = format === 'csv' ? 'FORMAT csv, HEADER true' : 'FORMAT parquet';
    const prepared = await conn.prepare(`COPY (${statement.sql}) TO '${out}' (${options})`);
    prepared.bind([...statement.params], statement.params.map(typeOf));
    const started = performance.now();
    await prepared.run();
    const seconds = (performance.now() - started) / 1000;
    return { seconds, bytes: statSync(out).size };
  } finally {
    rmSync(out, { force: true });
    pinSelf('load');
  }
}

function typeOf(value: unknown): DuckDBType {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? BIGINT : DOUBLE;
  return VARCHAR;
}
