import path from 'node:path';
import { benchProject, DASHBOARD } from '../data/bench-project.js';
import { widgetPath } from '../lib/dashboard-client.js';
import { load, type LoadResult } from '../lib/load.js';
import type { BenchOptions } from '../lib/options.js';
import { verdictAtLeast, type ScenarioResult } from '../lib/report.js';
import { repoRoot, startNode } from '../lib/server-process.js';
import { viewerToken } from '../lib/signed-in.js';
import { median, round } from '../lib/stats.js';
import { withServer } from '../lib/with-server.js';

const CONNECTIONS = 10;
const WARM_UP_S = 3;
const RUN_S = 10;
const ROUNDS = 3;
const GOAL = 0.5;

/**
 * Requests/s of one repeated widget request (the same KPI with the same filters: once the result
 * cache is wired in, it is served from there) against a bare Fastify hello-world started the same
 * way: same Node, same build, same core, same autocannon settings. Rounds alternate between the
 * two so that a busy neighbour slows both; the ratio is of the medians.
 */
export async function frameworkFloor(options: BenchOptions): Promise<ScenarioResult> {
  const bench = await benchProject({ rows: options.rows, threads: options.duckdbThreads });
  const hello = await startNode([path.join(repoRoot, 'dist', 'bench', 'lib', 'hello-server.js')], {
    readyPath: '/',
  });
  try {
    const { value, profile } = await withServer(bench.dir, { profile: options.profile }, async (server) => {
      // A viewer's API token: the load generator authenticates like a script, one fixed header.
      const token = await viewerToken(server);
      const widget = {
        url: `${server.url}${widgetPath(DASHBOARD, 'events')}`,
        method: 'POST' as const,
        body: '{"filters":{}}',
        headers: { authorization: `Bearer ${token}` },
      };
      const bare = { url: `${hello.url}/` };
      await load({ ...bare, connections: CONNECTIONS, durationS: WARM_UP_S });
      await load({ ...widget, connections: CONNECTIONS, durationS: WARM_UP_S });
      const runs: { hello: LoadResult[]; widget: LoadResult[] } = { hello: [], widget: [] };
      for (let r = 0; r < ROUNDS; r++) {
        runs.hello.push(await load({ ...bare, connections: CONNECTIONS, durationS: RUN_S }));
        runs.widget.push(await load({ ...widget, connections: CONNECTIONS, durationS: RUN_S }));
      }
      return runs;
    });
    const helloRps = median(value.hello.map((r) => r.rps));
    const widgetRps = median(value.widget.map((r) => r.rps));
    const ratio = widgetRps / helloRps;
    const failed = value.widget.reduce((n, r) => n + r.failed, 0);
    return {
      scenario: 'framework-floor',
      measured: `widget ${round(widgetRps, 0)} req/s vs hello-world ${round(helloRps, 0)} req/s${failed ? `; ${failed} failed` : ''}`,
      goal: `≥ ${GOAL} × hello-world`,
      anchor: 'bare Fastify hello-world, same process settings',
      ratio,
      verdict: failed ? 'missed' : verdictAtLeast(ratio, GOAL),
      details: {
        connections: CONNECTIONS,
        seconds: RUN_S,
        rounds: ROUNDS,
        hello: value.hello.map(roundLoad),
        widget: value.widget.map(roundLoad),
        ...(profile ? { profile } : {}),
      },
    };
  } finally {
    await hello.stop();
  }
}

const roundLoad = (r: LoadResult) => ({
  rps: round(r.rps, 0),
  p50Ms: r.p50Ms,
  p99Ms: r.p99Ms,
  ok: r.ok,
  failed: r.failed,
});
