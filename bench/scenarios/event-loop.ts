import { benchProject, LIVE_DASHBOARD } from '../data/bench-project.js';
import { widgetPath } from '../lib/dashboard-client.js';
import { errorCode, HttpClient, type Reply } from '../lib/http-client.js';
import type { BenchOptions } from '../lib/options.js';
import { loopDelayMs, metricValue } from '../lib/prometheus-text.js';
import { type ScenarioResult, type Verdict } from '../lib/report.js';
import { sleep, Tally } from '../lib/sampling.js';
import { signedInClient } from '../lib/signed-in.js';
import { round, summarize } from '../lib/stats.js';
import { withServer, type BenchServer } from '../lib/with-server.js';

/** A widget whose query takes over a second at 10 M rows: unique users is a count(DISTINCT) of them all. */
const HEAVY_WIDGET = 'users';
const HEAVY_IN_FLIGHT = 8;
const BURST = 64;
const WINDOW_MS = 20_000;
const IDLE_MS = 5_000;
const PROBE_EVERY_MS = 20;
const GOAL_P99_MS = 20;
/** query_timeout of the bench project (15 s) plus a margin: a request still open then has hung. */
const HANG_AFTER_MS = 30_000;

/**
 * 1. While 8 heavy queries are kept running, /healthz is probed every 20 ms (its latency seen from
 *    outside) and the server's own event-loop delay p99 (prom-client's monitorEventLoopDelay less
 *    its 10 ms timer interval, reset at every /metrics scrape, so one scrape before and one after
 *    bound the window).
 * 2. 64 heavy requests at once: each must end with data or a catalogue error (QUERY_TIMEOUT,
 *    SOURCE_BUSY) before the hang limit, and the source must drain (nothing in flight or queued).
 */
export async function eventLoop(options: BenchOptions): Promise<ScenarioResult> {
  const bench = await benchProject({ rows: options.scanRows, threads: options.duckdbThreads });
  const { value, profile } = await withServer(bench.dir, { profile: options.profile }, (server) =>
    measure(server),
  );
  const loopOk = value.healthP99 <= GOAL_P99_MS && value.loopP99Ms <= GOAL_P99_MS;
  const burstOk = value.hung === 0 && value.drained;
  const verdict: Verdict = loopOk && burstOk ? 'met' : 'missed';
  return {
    scenario: 'event-loop',
    measured: `/healthz p99 ${round(value.healthP99, 1)} ms, loop delay p99 ${round(value.loopP99Ms, 1)} ms (idle ${value.idleHealthP99} / ${value.idleLoopP99Ms} ms; heavy p50 ${round(value.heavyP50Ms / 1000, 1)} s); burst of ${BURST}: ${value.hung} hung, ${value.drained ? 'drained' : 'NOT drained'}`,
    goal: `p99 ≤ ${GOAL_P99_MS} ms with ${HEAVY_IN_FLIGHT} heavy queries; no hang`,
    anchor: 'hangs seen in peers',
    ratio: Math.max(value.healthP99, value.loopP99Ms) / GOAL_P99_MS,
    verdict,
    details: { rows: options.scanRows, heavyWidget: HEAVY_WIDGET, ...value, ...(profile ? { profile } : {}) },
  };
}

async function measure(server: BenchServer) {
  const path = widgetPath(LIVE_DASHBOARD, HEAVY_WIDGET);
  const scrape = async () => (await fetch(`${server.url}/metrics`)).text();
  // The loop's own delay: prom-client's p99 less the monitor's 10 ms timer interval (the raw figure
  // is kept too, as `loopLagP99Ms`, for comparison with runs before this correction).
  const lagP99 = (text: string) => metricValue(text, 'nodejs_eventloop_lag_p99_seconds') ?? NaN;

  // Warm-up: one heavy query alone (its solo time) and a few probes.
  const heavyClient = await signedInClient(server, 0, {
    maxSockets: HEAVY_IN_FLIGHT,
    timeoutMs: HANG_AFTER_MS,
  });
  const probe = new HttpClient(server.url, { maxSockets: 1 });
  const solo = await heavyClient.post(path, { filters: {} });
  if (solo.status !== 200) throw new Error(`heavy widget: ${errorCode(solo)}`);
  for (let i = 0; i < 20; i++) await probe.get('/healthz');
  // The same probe with nothing running: what the machine itself adds (a busy neighbour shows here).
  const probeFor = async (ms: number, into: number[], errors: Tally) => {
    const end = performance.now() + ms;
    while (performance.now() < end) {
      const r = await probe.get('/healthz');
      if (r.status === 200) into.push(r.ms);
      else errors.add(`healthz ${errorCode(r)}`);
      await sleep(PROBE_EVERY_MS);
    }
  };
  const idle: number[] = [];
  await scrape();
  await probeFor(IDLE_MS, idle, new Tally());
  const idleLag = lagP99(await scrape());

  // Phase 1: 8 heavy queries kept in flight.
  let running = true;
  const heavyMs: number[] = [];
  const heavyErrors = new Tally();
  const heavy = Array.from({ length: HEAVY_IN_FLIGHT }, async () => {
    while (running) {
      const r = await heavyClient.post(path, { filters: {} });
      if (r.status === 200) heavyMs.push(r.ms);
      else heavyErrors.add(errorCode(r));
    }
  });
  await sleep(1_000); // let all 8 start
  await scrape(); // resets the delay histogram: the window starts here
  const health: number[] = [];
  await probeFor(WINDOW_MS, health, heavyErrors);
  const heavyLag = lagP99(await scrape());
  running = false;
  await Promise.all(heavy);

  // Phase 2: a burst of 64.
  const burstClient = await signedInClient(server, 1, { maxSockets: BURST, timeoutMs: HANG_AFTER_MS });
  const outcomes = new Tally();
  const burstStarted = performance.now();
  const replies: Reply[] = await Promise.all(
    Array.from({ length: BURST }, () => burstClient.post(path, { filters: {} })),
  );
  const burstSeconds = (performance.now() - burstStarted) / 1000;
  let hung = 0;
  for (const r of replies) {
    if (r.error?.startsWith('client timeout')) hung++;
    outcomes.add(r.status === 200 ? 'ok' : errorCode(r));
  }
  let drained = false;
  for (let i = 0; i < 50 && !drained; i++) {
    const ready = (await (await fetch(`${server.url}/readyz`)).json()) as {
      sources: Record<string, { inFlight: number; queued: number }>;
    };
    drained = Object.values(ready.sources).every((s) => s.inFlight === 0 && s.queued === 0);
    if (!drained) await sleep(200);
  }
  for (const c of [heavyClient, probe, burstClient]) c.close();
  const h = summarize(health);
  const i = summarize(idle);
  const hv = summarize(heavyMs.length ? heavyMs : [NaN]);
  return {
    idleHealthP99: round(i.p99, 2),
    idleLoopP99Ms: round(loopDelayMs(idleLag), 2),
    soloHeavyMs: round(solo.ms),
    heavyP50Ms: hv.p50,
    heavyCompleted: heavyMs.length,
    heavyErrors: heavyErrors.toJSON(),
    healthProbes: h.n,
    healthP50: round(h.p50, 2),
    healthP99: round(h.p99, 2),
    healthMax: round(h.max, 1),
    loopP99Ms: round(loopDelayMs(heavyLag), 2),
    loopLagP99Ms: round(heavyLag * 1000, 2),
    burst: BURST,
    burstOutcomes: outcomes.toJSON(),
    burstSeconds: round(burstSeconds, 1),
    hung,
    drained,
  };
}
