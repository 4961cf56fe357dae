import { benchProject, LIVE_DASHBOARD } from '../data/bench-project.js';
import { pinSelf } from '../lib/cpu-pinning.js';
import { dataWidgets, widgetPath } from '../lib/dashboard-client.js';
import { errorCode } from '../lib/http-client.js';
import { signedInClient } from '../lib/signed-in.js';
import type { BenchOptions } from '../lib/options.js';
import { RawDuckDB } from '../lib/raw-duckdb.js';
import { type ScenarioResult, type Verdict } from '../lib/report.js';
import { percentile, round } from '../lib/stats.js';
import { loadBenchProject, widgetStatements } from '../lib/widget-sql.js';
import { withServer } from '../lib/with-server.js';

const WARM_UP = 5;
const ROUNDS = 8;
const PER_BATCH = 5;
/** Queries at least this slow (raw p50) are judged by ratio; faster ones by milliseconds added. */
const LARGE_MS = 50;
const GOAL = { ratio: 1.05, addedMs: 1 };
const FLOOR = { ratio: 1.1, addedMs: 2 };

interface WidgetFigures {
  widget: string;
  statements: number;
  raw: { p50: number; p95: number };
  api: { p50: number; p95: number };
  ratio: { p50: number; p95: number };
  addedMs: { p50: number; p95: number };
  large: boolean;
}

/**
 * Each widget of the live dashboard (a `freshness: live` dataset, never cached) through the HTTP
 * API, against the same statements prepared and run warm on an in-process DuckDB over the same
 * file. Raw and API batches alternate within one run, the raw side on the server's core (the
 * server idle meanwhile), the API side driven from the load core, so drift hits both alike.
 */
export async function engineOverhead(options: BenchOptions): Promise<ScenarioResult> {
  const bench = await benchProject({ rows: options.rows, threads: options.duckdbThreads });
  const project = await loadBenchProject(bench.dir);
  const raw = await RawDuckDB.open(bench.dataFile, options.duckdbThreads);
  try {
    const { value, profile } = await withServer(bench.dir, { profile: options.profile }, async (server) => {
      const client = await signedInClient(server, 0, { maxSockets: 1 });
      try {
        const widgets = await dataWidgets(client, LIVE_DASHBOARD);
        const figures: WidgetFigures[] = [];
        for (const widget of widgets) {
          const statements = widgetStatements(project, LIVE_DASHBOARD, widget);
          const runRaw = await raw.prepare(statements);
          const api = async () => {
            const reply = await client.post(widgetPath(LIVE_DASHBOARD, widget), { filters: {} });
            if (reply.status !== 200) throw new Error(`${widget}: ${errorCode(reply)}`);
            return reply.ms;
          };
          const rawMs: number[] = [];
          const apiMs: number[] = [];
          const batch = async (n: number, keep: boolean) => {
            pinSelf('server');
            for (let i = 0; i < n; i++) {
              const ms = await runRaw();
              if (keep) rawMs.push(ms);
            }
            pinSelf('load');
            for (let i = 0; i < n; i++) {
              const ms = await api();
              if (keep) apiMs.push(ms);
            }
          };
          await batch(WARM_UP, false);
          for (let r = 0; r < ROUNDS; r++) await batch(PER_BATCH, true);
          const p = (s: number[], q: number) => percentile(s, q);
          const rawP = { p50: p(rawMs, 50), p95: p(rawMs, 95) };
          const apiP = { p50: p(apiMs, 50), p95: p(apiMs, 95) };
          figures.push({
            widget,
            statements: statements.length,
            raw: { p50: round(rawP.p50), p95: round(rawP.p95) },
            api: { p50: round(apiP.p50), p95: round(apiP.p95) },
            ratio: { p50: round(apiP.p50 / rawP.p50, 3), p95: round(apiP.p95 / rawP.p95, 3) },
            addedMs: { p50: round(apiP.p50 - rawP.p50), p95: round(apiP.p95 - rawP.p95) },
            large: rawP.p50 >= LARGE_MS,
          });
        }
        return figures;
      } finally {
        client.close();
      }
    });
    return summarise(value, options.rows, profile);
  } finally {
    pinSelf('load');
    raw.close();
  }
}

function summarise(figures: WidgetFigures[], rows: number, profile: unknown): ScenarioResult {
  const large = figures.filter((f) => f.large);
  const small = figures.filter((f) => !f.large);
  const worst = <T>(items: T[], value: (t: T) => number) =>
    items.reduce<T | undefined>((w, t) => (w === undefined || value(t) > value(w) ? t : w), undefined);
  const worstLarge = worst(large, (f) => Math.max(f.ratio.p50, f.ratio.p95));
  const worstSmall = worst(small, (f) => Math.max(f.addedMs.p50, f.addedMs.p95));
  const largeRatio = worstLarge ? Math.max(worstLarge.ratio.p50, worstLarge.ratio.p95) : undefined;
  const smallAdded = worstSmall ? Math.max(worstSmall.addedMs.p50, worstSmall.addedMs.p95) : undefined;
  const within = (limit: { ratio: number; addedMs: number }) =>
    (largeRatio === undefined || largeRatio <= limit.ratio) &&
    (smallAdded === undefined || smallAdded <= limit.addedMs);
  const verdict: Verdict = within(GOAL) ? 'met' : within(FLOOR) ? 'floor met' : 'missed';
  const parts = [
    worstLarge
      ? `≥${LARGE_MS} ms: worst ×${worstLarge.ratio.p50.toFixed(2)} p50 / ×${worstLarge.ratio.p95.toFixed(2)} p95 (${worstLarge.widget}, ${large.length} queries)`
      : `no query ≥ ${LARGE_MS} ms`,
    worstSmall
      ? `small: worst +${worstSmall.addedMs.p50.toFixed(1)} ms p50 / +${worstSmall.addedMs.p95.toFixed(1)} ms p95 (${worstSmall.widget})`
      : 'no small queries',
  ];
  return {
    scenario: 'engine-overhead',
    measured: parts.join('; '),
    goal: `≤ ×${GOAL.ratio} (≥ 50 ms), ≤ raw + ${GOAL.addedMs} ms (small) [×${FLOOR.ratio}, +${FLOOR.addedMs} ms]`,
    anchor: 'raw DuckDB, prepared, warm, in-process',
    // The ratio column is the large queries' worst ratio when there are any, else the worst small one's.
    ratio: largeRatio ?? Math.max(...small.map((f) => f.ratio.p95)),
    verdict,
    details: {
      rows,
      samplesPerSide: ROUNDS * PER_BATCH,
      widgets: figures,
      ...(profile ? { profile } : {}),
    },
  };
}
