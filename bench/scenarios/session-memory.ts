import { benchProject, DASHBOARD } from '../data/bench-project.js';
import { dataWidgets, loadWidgets } from '../lib/dashboard-client.js';
import { errorCode, type HttpClient, type Reply } from '../lib/http-client.js';
import type { BenchOptions } from '../lib/options.js';
import { metricValue } from '../lib/prometheus-text.js';
import { verdictAtMost, type ScenarioResult } from '../lib/report.js';
import { sampleMedian, sleep, Tally } from '../lib/sampling.js';
import { signedInClient } from '../lib/signed-in.js';
import { round, slope, summarize } from '../lib/stats.js';
import { withServer, type BenchServer } from '../lib/with-server.js';

/** A viewer's dashboard auto-refresh. Polls start at a random offset so they spread over the period. */
const POLL_MS = 30_000;
/** How long each level is held (every viewer polls about once) while RSS is sampled. */
const HOLD_MS = 15_000;
/** Viewers that open the dashboard at once while a level fills (a burst of logins, not a stampede). */
const OPENING_AT_ONCE = 25;
/**
 * Longest time to spend opening viewers. A server that cannot serve N dashboards in this time does
 * not hold N sessions; the result then says how many it reached, and the scenario stays bounded.
 */
const OPENING_BUDGET_MS = 240_000;
const GOAL_KB = 256;
const FLOOR_KB = 2048;

/**
 * RSS with 0, ¼, ½ and all of N concurrent signed-in viewers (a session each, spread over 20
 * accounts in 20 organisations), each holding its keep-alive
 * connections, loading the 8-widget dashboard and polling it. The marginal cost per session is the
 * least-squares slope of RSS over viewers, so one-off costs (JIT, DuckDB buffers warmed before the
 * baseline) do not count as per-session memory.
 */
export async function sessionMemory(options: BenchOptions): Promise<ScenarioResult> {
  const project = await benchProject({ rows: options.rows, threads: options.duckdbThreads });
  const { value, profile } = await withServer(project.dir, { profile: options.profile }, (server) =>
    measure(server, options.sessions),
  );
  return profile ? { ...value, details: { ...value.details, profile } } : value;
}

async function measure(server: BenchServer, sessions: number): Promise<ScenarioResult> {
  const warm = await signedInClient(server, 0);
  const widgets = await dataWidgets(warm, DASHBOARD);
  for (let i = 0; i < 3; i++) await loadWidgets(warm, DASHBOARD, widgets, {});
  warm.close();
  await sleep(2_000);
  const heapMb = async () =>
    (metricValue(await (await fetch(`${server.url}/metrics`)).text(), 'nodejs_heap_size_used_bytes') ?? NaN) /
    1024 ** 2;

  const points: { sessions: number; rssMb: number; heapUsedMb: number }[] = [
    { sessions: 0, rssMb: await sampleMedian(() => server.rssMb(), 3_000), heapUsedMb: await heapMb() },
  ];
  const viewers: HttpClient[] = [];
  const errors = new Tally();
  const latencies: number[] = [];
  let polling = true;
  const pollers: Promise<void>[] = [];
  const record = (replies: readonly Reply[]) => {
    for (const r of replies) {
      latencies.push(r.ms);
      if (r.status !== 200) errors.add(errorCode(r));
    }
  };
  let opened = 0;
  const open = async () => {
    // A browser's session: signed in (argon2 on the server, a session row, a cookie), then polling.
    const viewer = await signedInClient(server, opened++, { maxSockets: 6 });
    viewers.push(viewer);
    const def = await viewer.get(`/api/v1/dashboards/${DASHBOARD}`);
    record([def]);
    record(await loadWidgets(viewer, DASHBOARD, widgets, {}));
    pollers.push(
      (async () => {
        await sleep(Math.random() * POLL_MS);
        while (polling) {
          record(await loadWidgets(viewer, DASHBOARD, widgets, {}));
          await sleep(POLL_MS);
        }
      })(),
    );
  };
  const levels = [...new Set([Math.round(sessions / 4), Math.round(sessions / 2), sessions])].filter(
    (n) => n > 0,
  );
  const started = performance.now();
  let outOfTime = false;
  for (const level of levels) {
    while (viewers.length < level && !outOfTime) {
      const batch = Math.min(OPENING_AT_ONCE, level - viewers.length);
      await Promise.all(Array.from({ length: batch }, open));
      outOfTime = performance.now() - started > OPENING_BUDGET_MS;
    }
    points.push({
      sessions: viewers.length,
      rssMb: await sampleMedian(() => server.rssMb(), HOLD_MS),
      heapUsedMb: await heapMb(),
    });
    if (outOfTime) break;
  }
  polling = false;
  await Promise.all(pollers);
  for (const v of viewers) v.close();

  const mbPerSession = slope(
    points.map((p) => p.sessions),
    points.map((p) => p.rssMb),
  );
  const kb = mbPerSession * 1024;
  const lat = summarize(latencies);
  const last = points[points.length - 1] ?? { sessions: 0, rssMb: 0 };
  return {
    scenario: 'session-memory',
    measured: `${round(kb, 0)} KB/session (RSS ${round(points[0]?.rssMb ?? 0, 0)} → ${round(last.rssMb, 0)} MB at ${last.sessions}${last.sessions < sessions ? ` of ${sessions}: out of time` : ''}); ${errors.total} errors / ${latencies.length}`,
    goal: `≤ ${GOAL_KB} KB/session [floor 2 MB at 500]`,
    anchor: 'Streamlit 75–300 MB/session',
    ratio: kb / GOAL_KB,
    // Fewer sessions than asked for within the budget is a miss whatever the slope says.
    verdict: last.sessions < sessions ? 'missed' : verdictAtMost(kb, GOAL_KB, FLOOR_KB),
    details: {
      kbPerSession: round(kb, 1),
      points: points.map((p) => ({ ...p, rssMb: round(p.rssMb, 1), heapUsedMb: round(p.heapUsedMb, 1) })),
      peakRssMb: round(server.peakRssMb(), 1),
      requests: latencies.length,
      errors: errors.toJSON(),
      latencyMs: { p50: round(lat.p50), p95: round(lat.p95), p99: round(lat.p99), max: round(lat.max) },
      sessionsAsked: sessions,
      sessionsReached: last.sessions,
      seconds: round((performance.now() - started) / 1000, 1),
      pollMs: POLL_MS,
      holdMs: HOLD_MS,
      streamlitRatio: round(mbPerSession / 75, 4),
    },
  };
}
