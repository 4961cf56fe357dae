import path from 'node:path';
import type { DashboardDefinition, DashboardListResponse } from '../../contract/index.js';
import { verdictAtMost, type ScenarioResult } from '../lib/report.js';
import type { BenchOptions } from '../lib/options.js';
import { repoRoot } from '../lib/server-process.js';
import { widgetPath } from '../lib/dashboard-client.js';
import { errorCode } from '../lib/http-client.js';
import { signedInClient } from '../lib/signed-in.js';
import { withServer } from '../lib/with-server.js';

/** An organisation of the example's data (its demo section lists it too). */
const ORGANISATION = 'atlas';
import { round, summarize } from '../lib/stats.js';

/**
 * Every widget of the clinical-trials example through the HTTP API of a production server:
 * the first request of each widget after start (cold: DuckDB's buffers empty, no result cache
 * yet), then warm rounds. Also the idle RSS after start and after the load.
 */
export async function exampleWidgets(options: BenchOptions): Promise<ScenarioResult> {
  const dir = path.join(repoRoot, 'examples', 'clinical-trials');
  // The example's rows belong to organisations (`tenant_column: org`): sign in as a member of one.
  const seed = { adminOrganisation: ORGANISATION, viewerOrganisations: [ORGANISATION] };
  const { value, profile } = await withServer(dir, { profile: options.profile, seed }, async (server) => {
    const idleRssMb = server.rssMb();
    const client = await signedInClient(server, 0, { maxSockets: 1 });
    const json = async <T>(path: string): Promise<T> => {
      const reply = await client.get(path);
      if (reply.status !== 200) throw new Error(`GET ${path}: ${errorCode(reply)}`);
      return JSON.parse(reply.body) as T;
    };
    const list = await json<DashboardListResponse>('/api/v1/dashboards');
    const widgets: { dashboard: string; widget: string }[] = [];
    for (const d of list.dashboards) {
      const def = await json<DashboardDefinition>(`/api/v1/dashboards/${d.id}`);
      for (const w of def.widgets) if (w.type !== 'text') widgets.push({ dashboard: d.id, widget: w.id });
    }
    const hit = async (w: { dashboard: string; widget: string }) => {
      const reply = await client.post(widgetPath(w.dashboard, w.widget), { filters: {} });
      if (reply.status !== 200) throw new Error(`${w.dashboard}/${w.widget}: ${errorCode(reply)}`);
      return reply.ms;
    };
    const cold: number[] = [];
    for (const w of widgets) cold.push(await hit(w));
    const warm: number[] = [];
    const rounds = 10;
    for (let i = 0; i < rounds; i++) for (const w of widgets) warm.push(await hit(w));
    const c = summarize(cold);
    const h = summarize(warm);
    const result: ScenarioResult = {
      scenario: 'example-widgets',
      measured: `cold p50 ${round(c.p50, 1)} / p95 ${round(c.p95, 1)} ms; warm p50 ${round(h.p50, 1)} / p95 ${round(h.p95, 1)} ms; idle RSS ${round(idleRssMb, 0)} MB`,
      goal: 'warm p95 ≤ 250 ms (cached goal, issue 6)',
      anchor: 'Streamlit page rerun per interaction',
      ratio: h.p95 / 250,
      verdict: verdictAtMost(h.p95, 250),
      details: {
        widgets: widgets.length,
        rounds,
        coldMs: { p50: round(c.p50), p95: round(c.p95), max: round(c.max) },
        warmMs: { p50: round(h.p50), p95: round(h.p95), p99: round(h.p99), max: round(h.max) },
        idleRssMb: round(idleRssMb, 1),
        rssAfterLoadMb: round(server.rssMb(), 1),
      },
    };
    client.close();
    return result;
  });
  return profile ? { ...value, details: { ...value.details, profile } } : value;
}
