import { benchProject, DASHBOARD, LIVE_DASHBOARD } from '../data/bench-project.js';
import { widgetPath } from '../lib/dashboard-client.js';
import { errorCode, HttpClient, type Reply } from '../lib/http-client.js';
import type { BenchOptions } from '../lib/options.js';
import { pickOne, seededRandom } from '../lib/random.js';
import type { ScenarioResult } from '../lib/report.js';
import { sleep, Tally } from '../lib/sampling.js';
import { viewerToken } from '../lib/signed-in.js';
import { round, summarize } from '../lib/stats.js';
import { withTwoInstances } from '../lib/two-instances.js';
import type { BenchServer } from '../lib/with-server.js';

/** Concurrent clients, each sending its next request as soon as the last one is answered. */
const CLIENTS = 24;
/** Load before the SIGTERM, and after the instance has exited. */
const BEFORE_MS = 5_000;
const AFTER_MS = 5_000;
/** Requests the clients pick from: cached widgets and a few live ones (in flight at the SIGTERM). */
const REQUESTS: readonly { path: string; body: unknown }[] = [
  ...['events', 'revenue', 'per_day', 'top_categories', 'region_hour', 'recent'].map((w) => ({
    path: widgetPath(DASHBOARD, w),
    body: { filters: {} },
  })),
  { path: widgetPath(DASHBOARD, 'revenue'), body: { filters: { region: ['north'] } } },
  { path: widgetPath(LIVE_DASHBOARD, 'top_categories'), body: { filters: {} } },
  { path: widgetPath(LIVE_DASHBOARD, 'median_duration'), body: { filters: {} } },
];

/** How often the modelled load balancer asks each instance's /readyz (HAProxy's default `inter` is 2 s). */
const HEALTH_CHECK_MS = 500;

/**
 * PRODUCT.md: "0 failed requests when 1 of 2 instances gets SIGTERM under load". Two instances
 * sharing Redis and the store; clients spread requests round-robin over the instances a load
 * balancer considers up, with the one retry every balancer makes: a connection refused (nothing was
 * sent) is tried on the other instance. Everything else a client sees counts: a 5xx, a reset
 * connection, a timeout. After 5 s of load one instance gets SIGTERM; the load goes on until 5 s
 * after it has exited. Run twice: with the balancer's health checks (/readyz every 500 ms: the
 * verdict), and without any (every request alternates, whatever /readyz says: for comparison).
 */
export async function shutdown(options: BenchOptions): Promise<ScenarioResult> {
  const bench = await benchProject({ rows: options.rows, threads: options.duckdbThreads });
  const checked = await withTwoInstances(bench.dir, options.redisUrl, (servers) => underLoad(servers, true));
  const blind = await withTwoInstances(bench.dir, options.redisUrl, (servers) => underLoad(servers, false));
  return {
    scenario: 'shutdown',
    measured: `${checked.failed} failed of ${checked.sent} requests behind a health-checking balancer (instance exited ${round(checked.stopSeconds, 1)} s after SIGTERM); without health checks ${blind.failed} of ${blind.sent}`,
    goal: '0 failed requests when 1 of 2 instances gets SIGTERM under load',
    anchor: '—',
    ratio: checked.failed,
    verdict: checked.failed === 0 ? 'met' : 'missed',
    details: {
      clients: CLIENTS,
      beforeMs: BEFORE_MS,
      afterMs: AFTER_MS,
      healthCheckMs: HEALTH_CHECK_MS,
      withHealthChecks: checked,
      withoutHealthChecks: blind,
    },
  };
}

async function underLoad(servers: readonly [BenchServer, BenchServer], healthChecks: boolean) {
  const token = await viewerToken(servers[0]);
  const pairs = Array.from({ length: CLIENTS }, () =>
    servers.map((s) => {
      const c = new HttpClient(s.url, { maxSockets: 1, timeoutMs: 30_000 });
      c.useToken(token);
      return c;
    }),
  );
  const up = [true, true];
  let running = true;
  const checker = (async () => {
    const probe = servers.map((s) => new HttpClient(s.url, { maxSockets: 1, timeoutMs: HEALTH_CHECK_MS }));
    while (running && healthChecks) {
      await Promise.all(
        probe.map(async (p, i) => {
          up[i] = (await p.get('/readyz')).status === 200;
        }),
      );
      await sleep(HEALTH_CHECK_MS);
    }
    for (const p of probe) p.close();
  })();
  const failures = new Tally();
  const failuresByPhase = { before: new Tally(), draining: new Tally(), after: new Tally() };
  let phase: keyof typeof failuresByPhase = 'before';
  let sent = 0;
  let refusedRetried = 0;
  const ms: number[] = [];
  let next = 0;
  const client = async (index: number) => {
    const random = seededRandom(0x5d00 + index);
    const pair = pairs[index] as HttpClient[];
    while (running) {
      const request = pickOne(random, REQUESTS);
      // Round-robin over the instances the balancer considers up (both when none is: it has nowhere else).
      const candidates = [0, 1].filter((i) => up[i]);
      const first = (candidates.length ? candidates : [0, 1])[next++ % (candidates.length || 2)] as number;
      sent++;
      let reply: Reply = await (pair[first] as HttpClient).post(request.path, request.body);
      if (reply.error?.includes('ECONNREFUSED')) {
        refusedRetried++;
        reply = await (pair[1 - first] as HttpClient).post(request.path, request.body);
      }
      if (reply.status === 200) ms.push(reply.ms);
      else {
        const code = `${reply.status || 'no response'} ${errorCode(reply)}`;
        failures.add(code);
        failuresByPhase[phase].add(code);
      }
    }
  };
  const load = Array.from({ length: CLIENTS }, (_, i) => client(i));
  await sleep(BEFORE_MS);
  phase = 'draining';
  const sigterm = performance.now();
  await servers[0].stop();
  const stopSeconds = (performance.now() - sigterm) / 1000;
  phase = 'after';
  await sleep(AFTER_MS);
  running = false;
  await Promise.all([...load, checker]);
  for (const pair of pairs) for (const c of pair) c.close();
  const latency = summarize(ms);
  return {
    sent,
    failed: failures.total,
    refusedRetried,
    stopSeconds: round(stopSeconds, 2),
    failures: failures.toJSON(),
    byPhase: {
      before: failuresByPhase.before.toJSON(),
      draining: failuresByPhase.draining.toJSON(),
      after: failuresByPhase.after.toJSON(),
    },
    latencyMs: { p50: round(latency.p50), p99: round(latency.p99), max: round(latency.max) },
  };
}
