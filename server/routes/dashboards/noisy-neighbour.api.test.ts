import { afterAll, beforeAll, expect, test } from 'vitest';
import { loginAs, startApp, widgetData, type SignedIn, type TestApp } from '../../../test/app-harness.js';
import { createMiniProject } from '../../../test/mini-project.js';

/**
 * Noisy neighbour on a real DuckDB source: organisation B floods it with concurrent unique queries;
 * organisation A's requests must all succeed (0 SOURCE_BUSY) and be served ahead of B's backlog. The
 * latency ratio (A loaded vs unloaded p95) is a timing, so it lives in bench/scenarios/noisy-neighbour.ts.
 */
const POOL = 2;
const QUEUE = 40;
const FLOOD = 300;
const QUIET = 12;

const overrides = {
  'trellis.yaml': `name: noisy
title: Noisy
sources:
  main: { type: duckdb, path: data/mini.duckdb, pool: { size: ${POOL}, queue: ${QUEUE} } }
limits: { query_timeout: 30s, max_rows: 1000, max_bytes: 1MB }
`,
  // A few milliseconds of work per statement; every distinct filter value is its own statement.
  'sql/work.sql': 'SELECT (a.range % 1000)::DOUBLE AS k, 1 AS n FROM range(3000000) AS a',
  'datasets/work.yaml':
    'sql: sql/work.sql\nshared: true\ncolumns:\n  k: { type: number }\n  n: { type: number }\nmeasures:\n  total: { agg: sum, column: n }\n',
  'dashboards/work.yaml':
    'title: Work\ndataset: work\nfilters:\n  - { id: k, type: number_range, label: K, column: k }\nwidgets:\n  - { id: total, type: kpi, title: Total, measure: total }\n',
};

let app: TestApp;
let a: SignedIn;
let b: SignedIn;
let close: () => Promise<void>;

beforeAll(async () => {
  const mini = await createMiniProject(overrides);
  // The per-user rate limit would turn most of the flood into 429s before it reached the source;
  // off here, so what is tested is the source's own fair share.
  ({ app, close } = await startApp(mini.dir, { dataRateLimit: { perSecond: 0, burst: 1 } }));
  a = await loginAs(app, { org: 'org-a', role: 'viewer' });
  b = await loginAs(app, { org: 'org-b', role: 'viewer' });
});
afterAll(async () => close?.());

async function until(condition: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (condition()) return true;
    await new Promise((r) => setTimeout(r, 5));
  }
  return condition();
}

/** A filter no other request uses: a cache miss, one statement on the source. */
const unique = (n: number) => ({ filters: { k: { min: n + 0.5 } } });

test('organisation B floods the source: A sees no SOURCE_BUSY and is served ahead of B’s backlog', async () => {
  const engine = app.services.engines.get('main');
  if (!engine) throw new Error('no engine');
  // Unloaded: A's queries all succeed.
  for (let i = 0; i < 3; i++)
    expect((await widgetData(a, 'work', 'total', unique(-10 - i))).statusCode).toBe(200);

  let bDone = 0;
  const flood = Array.from({ length: FLOOD }, (_, i) =>
    widgetData(b, 'work', 'total', unique(1000 + i)).then((r) => {
      bDone++;
      return r;
    }),
  );
  // B's backlog fills the whole queue (one organisation alone may use all of it).
  expect(await until(() => engine.stats().queued >= QUEUE, 20_000)).toBe(true);

  const bDoneBefore = bDone;
  const quiet = await Promise.all(
    Array.from({ length: QUIET }, (_, i) => widgetData(a, 'work', 'total', unique(i))),
  );
  const bServedMeanwhile = bDone - bDoneBefore;
  const queuedWhenADone = engine.stats().queued;

  // Every one of A's requests succeeded: no SOURCE_BUSY, no other error.
  expect(quiet.map((r) => r.statusCode)).toEqual(Array(QUIET).fill(200));
  // A was served ahead of B's backlog, which was still waiting when A's last answer came…
  expect(queuedWhenADone).toBeGreaterThan(0);
  // …and, slots going round-robin between the two organisations, B finished (answers or refusals
  // of the places A took) only about one per A request meanwhile, not its whole backlog of QUEUE.
  expect(bServedMeanwhile).toBeLessThanOrEqual(2 * QUIET + POOL);

  const answers = await Promise.all(flood);
  const codes = new Map<string, number>();
  for (const r of answers) {
    const code = r.statusCode === 200 ? 'ok' : (r.json() as { error: string }).error;
    codes.set(code, (codes.get(code) ?? 0) + 1);
  }
  // The flood was real: the source refused part of it (and only B), and served the rest.
  expect(codes.get('SOURCE_BUSY') ?? 0).toBeGreaterThan(0);
  expect(codes.get('ok') ?? 0).toBeGreaterThanOrEqual(QUEUE - QUIET);
  expect([...codes.keys()].sort()).toEqual(['SOURCE_BUSY', 'ok']);

  // Refusals are overload, not failures: counted in the overload metric.
  const metrics = (await app.inject({ url: '/metrics' })).body;
  const refused = Number(/trellis_overload_total\{code="SOURCE_BUSY"\} (\d+)/.exec(metrics)?.[1] ?? 0);
  expect(refused).toBe(codes.get('SOURCE_BUSY'));
});
