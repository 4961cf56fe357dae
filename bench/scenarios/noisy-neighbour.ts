import os from 'node:os';
import { benchProject, LIVE_DASHBOARD } from '../data/bench-project.js';
import { widgetPath } from '../lib/dashboard-client.js';
import { errorCode, type HttpClient } from '../lib/http-client.js';
import { loopDelayMs, metricSum, metricValue } from '../lib/prometheus-text.js';
import type { BenchOptions } from '../lib/options.js';
import { verdictAtMost, type ScenarioResult } from '../lib/report.js';
import { Tally } from '../lib/sampling.js';
import { signedInClient } from '../lib/signed-in.js';
import { round, summarize } from '../lib/stats.js';
import { withServer } from '../lib/with-server.js';

/** Issue 11: "organisation A's requests keep a p95 within 2× its unloaded p95 and 0 SOURCE_BUSY". */
const GOAL_RATIO = 2;
/**
 * A's requests, one after another with a short pause (a person clicking through filters: each click
 * asks the dashboard's widgets in turn), unloaded and then loaded: 10 of each widget.
 */
const QUIET_WIDGETS = [
  'events',
  'revenue',
  'users',
  'median_duration',
  'per_day',
  'top_categories',
  'region_hour',
];
const QUIET_REQUESTS = 10 * QUIET_WIDGETS.length;
const QUIET_PAUSE_MS = 25;
/** B's requests in flight at all times during the loaded phase: a script hammering the source. */
const FLOOD_CONCURRENCY = 300;
const FLOOD_WIDGET = 'revenue';

/**
 * One server on the bench data (live dashboard: every request is a statement on the source). Viewer
 * of organisation t00 (A) asks QUIET_REQUESTS unique questions one at a time (the dashboard's widgets
 * in turn, QUIET_PAUSE_MS apart), alone (unloaded); then again while the viewer of t01 (B) keeps
 * FLOOD_CONCURRENCY unique requests in flight (loaded; a refused one is retried after its
 * Retry-After). The per-user rate limit is off (TRELLIS_DATA_RATE=0), so the flood reaches the source
 * and what is measured is the source's fair share (server/query/concurrency-limiter.ts), not the 429s.
 * The answer's meta.queryMs splits A's time into the statement and the rest (slot wait, event loop).
 */
export async function noisyNeighbour(options: BenchOptions): Promise<ScenarioResult> {
  const bench = await benchProject({ rows: options.rows, threads: options.duckdbThreads });
  const { value, profile } = await withServer(
    bench.dir,
    { env: { TRELLIS_DATA_RATE: '0' }, profile: options.profile },
    async (server) => {
      const a = await signedInClient(server, 0, { timeoutMs: 60_000 });
      const b = await signedInClient(server, 1, { maxSockets: FLOOD_CONCURRENCY, timeoutMs: 60_000 });
      try {
        let n = 0;
        const ask = (client: HttpClient, widget: string) =>
          client.post(widgetPath(LIVE_DASHBOARD, widget), { filters: { amount: { min: 0.001 * ++n } } });
        let q = 0;
        const askQuiet = () => ask(a, QUIET_WIDGETS[q++ % QUIET_WIDGETS.length] as string);
        for (let i = 0; i < 2 * QUIET_WIDGETS.length; i++) await askQuiet(); // warm-up: JIT, sockets, DuckDB buffers
        const scrape = async () => (await fetch(`${server.url}/metrics`)).text();
        let mark = phaseMark(await scrape());
        const unloaded = await quietRun(askQuiet);
        const unloadedServer = phaseOf(mark, await scrape());

        let flooding = true;
        const bOutcomes = new Tally();
        const floodWorker = async () => {
          while (flooding) {
            const r = await ask(b, FLOOD_WIDGET);
            bOutcomes.add(r.status === 200 ? 'ok' : errorCode(r));
            // A refused request is retried after the Retry-After it came with, as the web app does;
            // a client that ignores it is spinning the server's CPU, which no queue order can fix.
            if (r.status !== 200) await new Promise((done) => setTimeout(done, 1000 * (r.retryAfterS ?? 1)));
          }
        };
        const workers = Array.from({ length: FLOOD_CONCURRENCY }, floodWorker);
        // Let the flood fill the source's queue before A starts asking.
        await new Promise((r) => setTimeout(r, 1_000));
        mark = phaseMark(await scrape());
        const loaded = await quietRun(askQuiet);
        const loadedServer = phaseOf(mark, await scrape());
        flooding = false;
        await Promise.all(workers);
        return { unloaded, loaded, unloadedServer, loadedServer, flood: bOutcomes.toJSON() };
      } finally {
        a.close();
        b.close();
      }
    },
  );
  const unloaded = summarize(value.unloaded.ms);
  const loaded = summarize(value.loaded.ms);
  const ratio = loaded.p95 / unloaded.p95;
  const unloadedQuery = summarize(value.unloaded.queryMs);
  const loadedQuery = summarize(value.loaded.queryMs);
  const unloadedWait = summarize(value.unloaded.waitMs);
  const loadedWait = summarize(value.loaded.waitMs);
  const unloadedRest = summarize(value.unloaded.restMs);
  const loadedRest = summarize(value.loaded.restMs);
  const busy = value.loaded.errors.SOURCE_BUSY ?? 0;
  const aErrors = Object.values(value.loaded.errors).reduce((s, k) => s + k, 0);
  const u = value.unloadedServer;
  const l = value.loadedServer;
  // Where A's p95 went, alone → loaded: the cause named by what grew.
  process.stdout.write(
    `  A p95 by stage, alone → loaded: statement ${round(unloadedQuery.p95, 1)} → ${round(loadedQuery.p95, 1)} ms, ` +
      `slot wait ${round(unloadedWait.p95, 1)} → ${round(loadedWait.p95, 1)} ms, ` +
      `rest (HTTP, event loop) ${round(unloadedRest.p95, 1)} → ${round(loadedRest.p95, 1)} ms\n` +
      `  server: event-loop delay p99 ${u.loopDelayP99Ms} → ${l.loopDelayP99Ms} ms (mean ${u.loopDelayMeanMs} → ${l.loopDelayMeanMs}), ` +
      `CPU ${u.cpuCores} → ${l.cpuCores} cores, refused ${u.refusedPerS} → ${l.refusedPerS} requests/s\n`,
  );
  return {
    scenario: 'noisy-neighbour',
    measured: `A p95 ${round(unloaded.p95, 1)} ms alone → ${round(loaded.p95, 1)} ms while B floods (${round(ratio, 2)}×); A: ${busy} SOURCE_BUSY, ${aErrors} errors / ${QUIET_REQUESTS}; load average ${os.loadavg()[0]?.toFixed(2)}`,
    goal: `p95 ≤ ${GOAL_RATIO}× unloaded, 0 SOURCE_BUSY for A`,
    anchor: 'shared FIFO queue: 23 of 37 of A failed (issue 11)',
    ratio: ratio / GOAL_RATIO,
    verdict: aErrors > 0 ? 'missed' : verdictAtMost(ratio, GOAL_RATIO),
    details: {
      quietWidgets: QUIET_WIDGETS,
      floodWidget: FLOOD_WIDGET,
      quietRequests: QUIET_REQUESTS,
      floodConcurrency: FLOOD_CONCURRENCY,
      aUnloadedMs: { p50: round(unloaded.p50), p95: round(unloaded.p95), max: round(unloaded.max) },
      aLoadedMs: { p50: round(loaded.p50), p95: round(loaded.p95), max: round(loaded.max) },
      // Where A's time went: the statement itself on the source (after its slot was won)…
      aUnloadedQueryMs: { p50: round(unloadedQuery.p50), p95: round(unloadedQuery.p95) },
      aLoadedQueryMs: { p50: round(loadedQuery.p50), p95: round(loadedQuery.p95) },
      // …the wait for a slot on the source before it (fair share)…
      aUnloadedWaitMs: { p50: round(unloadedWait.p50), p95: round(unloadedWait.p95) },
      aLoadedWaitMs: { p50: round(loadedWait.p50), p95: round(loadedWait.p95) },
      // …and the rest: HTTP, auth, JSON, the event loop busy with other requests (B's refusals).
      aUnloadedRestMs: { p50: round(unloadedRest.p50), p95: round(unloadedRest.p95) },
      aLoadedRestMs: { p50: round(loadedRest.p50), p95: round(loadedRest.p95) },
      // The server over each phase: event-loop delay, CPU used (1.0 = one core), requests refused.
      serverUnloaded: value.unloadedServer,
      serverLoaded: value.loadedServer,
      aErrors: value.loaded.errors,
      bOutcomes: value.flood,
      ...(profile ? { profile } : {}),
    },
  };
}

/**
 * A's requests one after another: the whole time of each (`ms`) and the part the source spent
 * running its statement (`queryMs`, the answer's meta.queryMs, measured after a slot was won), so the
 * report can say where A's time went: running on the source, or waiting (for a slot, for the event
 * loop, on the wire).
 */
async function quietRun(
  ask: () => Promise<{ status: number; ms: number; body: string; error?: string }>,
): Promise<{
  ms: number[];
  queryMs: number[];
  waitMs: number[];
  restMs: number[];
  errors: Record<string, number>;
}> {
  const ms: number[] = [];
  const queryMs: number[] = [];
  const waitMs: number[] = [];
  const restMs: number[] = [];
  const errors = new Tally();
  for (let i = 0; i < QUIET_REQUESTS; i++) {
    const r = await ask();
    ms.push(r.ms);
    await new Promise((done) => setTimeout(done, QUIET_PAUSE_MS));
    if (r.status !== 200) errors.add(errorCode(r as Parameters<typeof errorCode>[0]));
    else {
      const { meta } = JSON.parse(r.body) as { meta: { queryMs: number; waitMs?: number } };
      queryMs.push(meta.queryMs);
      waitMs.push(meta.waitMs ?? 0);
      restMs.push(Math.max(0, r.ms - meta.queryMs - (meta.waitMs ?? 0)));
    }
  }
  return { ms, queryMs, waitMs, restMs, errors: errors.toJSON() };
}

interface PhaseMark {
  readonly at: number;
  readonly cpuS: number;
  readonly overload: number;
}

/** Where a phase starts: this scrape also resets the server's event-loop delay histogram. */
function phaseMark(metrics: string): PhaseMark {
  return {
    at: performance.now(),
    cpuS: metricValue(metrics, 'process_cpu_seconds_total') ?? NaN,
    overload: metricSum(metrics, 'trellis_overload_total'),
  };
}

/**
 * The server over one phase: its event-loop delay (mean and p99 beyond the monitor's interval), the
 * CPU it used per second of the phase (JS and DuckDB's threads together; 1 = one core), and the
 * requests it refused per second (SOURCE_BUSY and the like: each still costs a parse, a session
 * lookup, an error body and a log line).
 */
function phaseOf(mark: PhaseMark, metrics: string) {
  const seconds = (performance.now() - mark.at) / 1000;
  return {
    seconds: round(seconds, 1),
    loopDelayMeanMs: round(loopDelayMs(metricValue(metrics, 'nodejs_eventloop_lag_mean_seconds') ?? NaN), 1),
    loopDelayP99Ms: round(loopDelayMs(metricValue(metrics, 'nodejs_eventloop_lag_p99_seconds') ?? NaN), 1),
    cpuCores: round(((metricValue(metrics, 'process_cpu_seconds_total') ?? NaN) - mark.cpuS) / seconds, 2),
    refusedPerS: round((metricSum(metrics, 'trellis_overload_total') - mark.overload) / seconds, 1),
  };
}
