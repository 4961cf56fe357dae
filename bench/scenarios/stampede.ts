import { benchProject, DASHBOARD } from '../data/bench-project.js';
import { widgetPath } from '../lib/dashboard-client.js';
import { errorCode, HttpClient, type Reply } from '../lib/http-client.js';
import type { BenchOptions } from '../lib/options.js';
import { metricSum } from '../lib/prometheus-text.js';
import { verdictAtMost, type ScenarioResult } from '../lib/report.js';
import { Tally } from '../lib/sampling.js';
import { viewerToken } from '../lib/signed-in.js';
import { round, summarize } from '../lib/stats.js';
import { withTwoInstances } from '../lib/two-instances.js';
import type { BenchServer } from '../lib/with-server.js';

/** PRODUCT.md: "500 identical cold requests → 1 engine execution, across 2 instances". */
const REQUESTS = 500;
const GOAL_EXECUTIONS = 1;
/** Each round is a new cold key (a filter value no earlier round used). */
const ROUNDS = 5;
/** `count(DISTINCT user_id)`, ~60 ms at 1 M rows: long enough for every request to arrive while it runs. */
const WIDGET = 'users';
const DATASET = 'events';

/**
 * Two instances sharing Redis (and the metadata store); per round, 500 identical requests for a
 * result no one has asked for yet, all sent at once, half to each instance (each instance over 250
 * connections, as 500 browsers would). Engine executions are read from both instances' /metrics
 * (`trellis_query_executions_total` of the dataset) before and after: the goal is 1 per round.
 */
export async function stampede(options: BenchOptions): Promise<ScenarioResult> {
  const bench = await benchProject({ rows: options.rows, threads: options.duckdbThreads });
  const rounds = await withTwoInstances(bench.dir, options.redisUrl, async (servers) => {
    const token = await viewerToken(servers[0]);
    const clients = servers.map((s) => {
      const client = new HttpClient(s.url, { maxSockets: REQUESTS / 2, timeoutMs: 60_000 });
      client.useToken(token);
      return client;
    });
    try {
      // Warm both (JIT, DuckDB buffers, sockets) on other keys, so round 1 is not also a first request.
      for (let i = 0; i < 3; i++)
        for (const c of clients) {
          const r = await c.post(widgetPath(DASHBOARD, WIDGET), body(-1 - i));
          if (r.status !== 200) throw new Error(`warm-up: ${errorCode(r)}`);
        }
      const out: RoundResult[] = [];
      for (let r = 0; r < ROUNDS; r++) out.push(await stampedeRound(servers, clients, r));
      return out;
    } finally {
      for (const c of clients) c.close();
    }
  });

  const worst = Math.max(...rounds.map((r) => r.executions));
  const errors = new Tally();
  for (const r of rounds) for (const [code, n] of Object.entries(r.errors)) errors.add(code, n);
  const latency = summarize(rounds.flatMap((r) => r.ms));
  const total = rounds.length * REQUESTS;
  return {
    scenario: 'stampede',
    measured: `${REQUESTS} identical cold requests over 2 instances: ${rounds.map((r) => r.executions).join(', ')} executions in ${ROUNDS} rounds; ${errors.total} errors / ${total}; p50 ${round(latency.p50, 0)} / max ${round(latency.max, 0)} ms`,
    goal: `${GOAL_EXECUTIONS} execution per ${REQUESTS} cold requests, 2 instances`,
    anchor: 'Superset/Streamlit: N executions',
    ratio: worst / GOAL_EXECUTIONS,
    verdict: errors.total > 0 ? 'missed' : verdictAtMost(worst, GOAL_EXECUTIONS),
    details: {
      requestsPerRound: REQUESTS,
      rounds: rounds.map(({ ms, ...r }) => ({
        ...r,
        latencyMs: { p50: round(summarize(ms).p50), max: round(summarize(ms).max) },
      })),
      widget: WIDGET,
      errors: errors.toJSON(),
    },
  };
}

interface RoundResult {
  readonly executions: number;
  /** Executions per instance (index 0, 1). */
  readonly byInstance: number[];
  /** meta.cache of the 200s: one `miss`, the rest `coalesced` (same process) or `hit` (read after the other's). */
  readonly served: Record<string, number>;
  readonly errors: Record<string, number>;
  readonly ms: number[];
}

/** A filter state of its own per round: `amount ≥ round + 0.5` (no other round or warm-up asks it). */
function body(round: number): { filters: Record<string, unknown> } {
  return { filters: { amount: { min: round + 0.5 } } };
}

async function stampedeRound(
  servers: readonly BenchServer[],
  clients: readonly HttpClient[],
  index: number,
): Promise<RoundResult> {
  const scrape = () =>
    Promise.all(
      servers.map(async (s) =>
        metricSum(await (await fetch(`${s.url}/metrics`)).text(), 'trellis_query_executions_total', {
          dataset: DATASET,
        }),
      ),
    );
  const before = await scrape();
  const replies: Reply[] = await Promise.all(
    Array.from({ length: REQUESTS }, (_, i) =>
      (clients[i % clients.length] as HttpClient).post(widgetPath(DASHBOARD, WIDGET), body(index)),
    ),
  );
  const after = await scrape();
  const byInstance = after.map((n, i) => n - (before[i] ?? 0));
  const served = new Tally();
  const errors = new Tally();
  const rows = new Set<string>();
  for (const r of replies) {
    if (r.status !== 200) {
      errors.add(errorCode(r));
      continue;
    }
    const parsed = JSON.parse(r.body) as { rows: unknown; meta: { cache: string } };
    served.add(parsed.meta.cache);
    rows.add(JSON.stringify(parsed.rows));
  }
  // Every answer must carry the same rows: one execution served to all, not 500 different answers.
  if (rows.size > 1) errors.add('different rows', rows.size - 1);
  return {
    executions: byInstance.reduce((a, b) => a + b, 0),
    byInstance,
    served: served.toJSON(),
    errors: errors.toJSON(),
    ms: replies.map((r) => r.ms),
  };
}
