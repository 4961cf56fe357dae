import { execFileSync } from 'node:child_process';
import path from 'node:path';
import type { DashboardDefinition, DashboardListResponse } from '../../contract/index.js';
import { verdictAtMost, type ScenarioResult } from '../lib/report.js';
import type { BenchOptions } from '../lib/options.js';
import { repoRoot } from '../lib/server-process.js';
import { widgetPath } from '../lib/dashboard-client.js';
import { errorCode, type HttpClient } from '../lib/http-client.js';
import { signedInClient } from '../lib/signed-in.js';
import { withServer, type BenchServer } from '../lib/with-server.js';
import { round, summarize } from '../lib/stats.js';

/** An organisation of the example's data (its demo section lists it too). */
const ORGANISATION = 'atlas';
// The example's rows belong to organisations (`tenant_column: org`): sign in as a member of one.
const SEED = { adminOrganisation: ORGANISATION, viewerOrganisations: [ORGANISATION] };
const WARM_ROUNDS = 10;
/** Issue 14: the interactive dashboards may cost at most 10 % of warm p95 against the build before them. */
const BASELINE_TOLERANCE = 1.1;
/** More rounds than alone: the ratio of two p95s needs more samples to settle than one p95. */
const BASELINE_ROUNDS = 30;

interface ExampleClient {
  /** `dashboard/widget` of every data widget of the example, in dashboard order. */
  readonly widgets: readonly string[];
  /** One widget request with no filters; its time in ms. */
  hit(widget: string): Promise<number>;
  close(): void;
}

/** A signed-in viewer of the running example and the list of its data widgets. */
async function exampleClient(server: BenchServer): Promise<ExampleClient> {
  const client: HttpClient = await signedInClient(server, 0, { maxSockets: 1 });
  const json = async <T>(p: string): Promise<T> => {
    const reply = await client.get(p);
    if (reply.status !== 200) throw new Error(`GET ${p}: ${errorCode(reply)}`);
    return JSON.parse(reply.body) as T;
  };
  const list = await json<DashboardListResponse>('/api/v1/dashboards');
  const widgets: string[] = [];
  for (const d of list.dashboards) {
    const def = await json<DashboardDefinition>(`/api/v1/dashboards/${d.id}`);
    for (const w of def.widgets) if (w.type !== 'text') widgets.push(`${d.id}/${w.id}`);
  }
  return {
    widgets,
    hit: async (key) => {
      const [dashboard, widget] = key.split('/') as [string, string];
      const reply = await client.post(widgetPath(dashboard, widget), { filters: {} });
      if (reply.status !== 200) throw new Error(`${key}: ${errorCode(reply)}`);
      return reply.ms;
    },
    close: () => client.close(),
  };
}

const exampleDir = (root: string) => path.join(root, 'examples', 'clinical-trials');

/**
 * Every widget of the clinical-trials example through the HTTP API of a production server:
 * the first request of each widget after start (cold: DuckDB's buffers empty, no result cache
 * yet), then warm rounds. Also the idle RSS after start and after the load. With `--baseline DIR`
 * (a built checkout of an earlier commit), both builds in the same run instead.
 */
export async function exampleWidgets(options: BenchOptions): Promise<ScenarioResult> {
  if (options.baseline !== undefined) return againstBaseline(path.resolve(options.baseline));
  const { value, profile } = await withServer(
    exampleDir(repoRoot),
    { profile: options.profile, seed: SEED },
    async (server) => {
      const idleRssMb = server.rssMb();
      const example = await exampleClient(server);
      const cold: number[] = [];
      for (const w of example.widgets) cold.push(await example.hit(w));
      const warm: number[] = [];
      for (let i = 0; i < WARM_ROUNDS; i++) for (const w of example.widgets) warm.push(await example.hit(w));
      example.close();
      const c = summarize(cold);
      const h = summarize(warm);
      return {
        scenario: 'example-widgets',
        measured: `cold p50 ${round(c.p50, 1)} / p95 ${round(c.p95, 1)} ms; warm p50 ${round(h.p50, 1)} / p95 ${round(h.p95, 1)} ms; idle RSS ${round(idleRssMb, 0)} MB`,
        goal: 'warm p95 ≤ 250 ms (cached goal, issue 6)',
        anchor: 'Streamlit page rerun per interaction',
        ratio: h.p95 / 250,
        verdict: verdictAtMost(h.p95, 250),
        details: {
          widgets: example.widgets.length,
          rounds: WARM_ROUNDS,
          coldMs: { p50: round(c.p50), p95: round(c.p95), max: round(c.max) },
          warmMs: { p50: round(h.p50), p95: round(h.p95), p99: round(h.p99), max: round(h.max) },
          idleRssMb: round(idleRssMb, 1),
          rssAfterLoadMb: round(server.rssMb(), 1),
        },
      } satisfies ScenarioResult;
    },
  );
  return profile ? { ...value, details: { ...value.details, profile } } : value;
}

/**
 * This build and a baseline build, both serving their own copy of the example, measured on the
 * widgets they both have. Both servers run at once (pinned to the same core) but are asked one
 * after the other, widget by widget, the first alternating, so a load that comes and goes on the
 * machine falls on both alike: the ratio is what the run is for, not the absolute times.
 */
async function againstBaseline(baselineRoot: string): Promise<ScenarioResult> {
  const commit = (root: string) =>
    execFileSync('git', ['-C', root, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  const run = await withServer(exampleDir(baselineRoot), { seed: SEED, root: baselineRoot }, (before) =>
    withServer(exampleDir(repoRoot), { seed: SEED }, async (after) => {
      const [a, b] = [await exampleClient(before), await exampleClient(after)];
      try {
        const inBoth = b.widgets.filter((w) => a.widgets.includes(w));
        if (inBoth.length === 0) throw new Error('the baseline and this build share no widget');
        const cold = { before: [] as number[], after: [] as number[] };
        for (const w of inBoth) cold.before.push(await a.hit(w));
        for (const w of inBoth) cold.after.push(await b.hit(w));
        const warm = { before: [] as number[], after: [] as number[] };
        for (let i = 0; i < BASELINE_ROUNDS; i++) {
          for (const [j, w] of inBoth.entries()) {
            // Each widget on both builds back to back, the first one alternating: a burst of load
            // from elsewhere lands on both sides alike.
            if ((i + j) % 2 === 0) {
              warm.before.push(await a.hit(w));
              warm.after.push(await b.hit(w));
            } else {
              warm.after.push(await b.hit(w));
              warm.before.push(await a.hit(w));
            }
          }
        }
        return { inBoth, all: b.widgets.length, baselineAll: a.widgets.length, cold, warm };
      } finally {
        a.close();
        b.close();
      }
    }).then((r) => r.value),
  );
  const { inBoth, all, baselineAll, cold, warm } = run.value;
  const wb = summarize(warm.before);
  const wa = summarize(warm.after);
  const ratio = wa.p95 / wb.p95;
  const ms = (s: ReturnType<typeof summarize>) => ({
    p50: round(s.p50),
    p95: round(s.p95),
    max: round(s.max),
  });
  return {
    scenario: 'example-widgets',
    measured: `warm p95 ${round(wa.p95, 1)} ms here vs ${round(wb.p95, 1)} ms at ${commit(baselineRoot)} (${round(ratio, 2)}×) over the ${inBoth.length} widgets both have`,
    goal: `warm p95 ≤ ${BASELINE_TOLERANCE}× the baseline's, same run (issue 14)`,
    anchor: `baseline ${commit(baselineRoot)}`,
    ratio,
    verdict: verdictAtMost(ratio, BASELINE_TOLERANCE),
    details: {
      baseline: { root: baselineRoot, commit: commit(baselineRoot), widgets: baselineAll },
      current: { commit: commit(repoRoot), widgets: all },
      widgetsCompared: inBoth.length,
      rounds: BASELINE_ROUNDS,
      warmMs: { baseline: ms(wb), current: ms(wa) },
      coldMs: { baseline: ms(summarize(cold.before)), current: ms(summarize(cold.after)) },
    },
  };
}
