import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { DashboardDefinition, WidgetDataResponse } from '../../contract/index.js';
import { loginAs, startApp, widgetData, type TestApp } from '../../test/app-harness.js';
import { createMiniProject, MINI_ITEMS } from '../../test/mini-project.js';
import { boundLinks } from './chart-bounds.js';

/**
 * The newer chart types (issue 14) through the real app: each compiled on the server from the widget
 * id and filter values, scoped to the session's organisation, bounded with a notice when cut; the
 * floor plan's SVG served sanitised inside the definition; strangers and other organisations get nothing.
 */
const FLOWS = `SELECT * FROM (VALUES
  ('acme', 'a', 'b', 5), ('acme', 'b', 'c', 3), ('acme', 'c', 'a', 2), ('acme', 'a', 'c', 1),
  ('acme', 'a', 'd', 1), ('acme', 'a', 'e', 1), ('acme', 'a', 'f', 1),
  ('globex', 'secret-x', 'secret-y', 99)) t(org, src, dst, n) WHERE org = :tenant`;

describe('new chart types', () => {
  let app: TestApp;
  let close: () => Promise<void>;

  beforeAll(async () => {
    const mini = await createMiniProject({
      'datasets/flows.yaml': `sql: sql/flows.sql
tenant_column: org
columns:
  org: { type: string }
  src: { type: string }
  dst: { type: string }
  n: { type: number }
measures:
  weight: { agg: sum, column: n }
`,
      'sql/flows.sql': FLOWS,
      'floorplans/room.svg': `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 20 10"><rect id="red" width="10" height="10"/><rect id="blue" x="10" width="10" height="10"/></svg>`,
      'dashboards/charts.yaml': `title: Charts
dataset: items
filters:
  - { id: colour, type: multi_select, label: Colour, column: colour }
widgets:
  - { id: box, type: boxplot, title: Price by colour, column: price, dimension: colour, limit: 3 }
  - { id: box_all, type: boxplot, title: Price, column: price }
  - { id: funnel, type: funnel, title: Funnel, dimension: colour, measure: items }
  - { id: gauge, type: gauge, title: Revenue, measure: revenue, min: 0, max: 20000, target: 10000 }
  - { id: days, type: calendar, title: Days, dimension: created, measure: items, limit: 30 }
  - { id: sankey, type: sankey, title: Flows, dataset: flows, source: src, target: dst, value: weight, max_links: 4 }
  - { id: graph, type: graph, title: Graph, dataset: flows, source: src, target: dst, value: weight, max_nodes: 4 }
  - { id: world, type: map, title: World, map: world, dimension: colour, measure: items }
  - { id: room, type: floorplan, title: Room, svg: floorplans/room.svg, dimension: colour, measure: items }
`,
    });
    ({ app, close } = await startApp(mini.dir));
  }, 60_000);
  afterAll(async () => close());

  const data = async (org: string, widget: string, filters: Record<string, unknown> = {}) => {
    const as = await loginAs(app, { org, role: 'viewer' });
    const res = await widgetData(as, 'charts', widget, { filters });
    expect(res.statusCode, res.body).toBe(200);
    return res.json<WidgetDataResponse>();
  };

  test('box plot: one row of five numbers and a count per group, cut at the limit with a notice', async () => {
    const body = await data('acme', 'box');
    expect(body.columns.map((c) => c.key)).toEqual(['colour', 'low', 'q1', 'median', 'q3', 'high', 'n']);
    expect(body.rows.map((r) => r[0])).toEqual(["O'Brien", 'blue', 'green']);
    expect(body.meta.notice).toMatch(/first 3 groups/);
    for (const [, low, q1, median, q3, high] of body.rows as number[][])
      expect([low, q1, median, q3, high]).toEqual(
        [...[low, q1, median, q3, high]].sort((a, b) => (a ?? 0) - (b ?? 0)),
      );
    const one = await data('acme', 'box', { colour: ['red'] });
    expect(one.rows).toHaveLength(1);
    expect(one.meta.notice).toBeUndefined();
    const all = await data('acme', 'box_all');
    expect(all.rows).toHaveLength(1);
    expect(all.rows[0]?.[5]).toBe(500);
  });

  test('funnel, gauge and calendar: aggregates of the declared measure, bounded', async () => {
    const funnel = await data('acme', 'funnel');
    const values = funnel.rows.map((r) => r[1] as number);
    expect(values).toEqual([...values].sort((a, b) => b - a));
    const gauge = await data('acme', 'gauge');
    expect(gauge.rows).toHaveLength(1);
    expect(typeof gauge.rows[0]?.[0]).toBe('number');
    const days = await data('acme', 'days');
    expect(days.rows).toHaveLength(30);
    expect(days.columns[0]?.type).toBe('date');
    // The latest days are the ones kept (items are created every third day from 2020-01-01).
    const last = new Date(Date.UTC(2020, 0, 1) + (MINI_ITEMS - 1) * 3 * 86_400_000)
      .toISOString()
      .slice(0, 10);
    expect(days.rows[0]?.[0]).toBe(last);
  });

  test('sankey: strongest links kept, a loop left out, the cut said; only the own organisation’s rows', async () => {
    const body = await data('acme', 'sankey');
    const links = body.rows.map((r) => `${String(r[0])}>${String(r[1])}`);
    // Four strongest (ties in name order): c>a would close a loop, so a>c is the third.
    expect(links).toEqual(['a>b', 'b>c', 'a>c']);
    expect(body.meta.notice).toMatch(/4 strongest links/);
    expect(body.meta.notice).toMatch(/closing a loop/);
    expect(JSON.stringify(body)).not.toContain('secret');
    const other = await data('globex', 'sankey');
    expect(other.rows).toEqual([['secret-x', 'secret-y', 99]]);
  });

  test('graph: loops are fine; the node bound cuts links with a notice', async () => {
    const body = await data('acme', 'graph');
    const nodes = new Set(body.rows.flatMap((r) => [r[0], r[1]]));
    expect(nodes.size).toBeLessThanOrEqual(4);
    expect(body.rows.map((r) => `${String(r[0])}>${String(r[1])}`)).toContain('c>a');
    expect(body.meta.notice).toMatch(/more than 4 nodes/);
  });

  test('map and floor plan: regions with their values; the definition carries the sanitised SVG and map name', async () => {
    const room = await data('acme', 'room');
    expect(room.rows.length).toBeGreaterThan(0);
    const as = await loginAs(app, { org: 'acme', role: 'viewer' });
    const def = (await as.inject('/api/v1/dashboards/charts')).json<DashboardDefinition>();
    const w = (id: string) => def.widgets.find((x) => x.id === id);
    expect(w('room')?.svg).toContain('<rect id="red" width="10" height="10" name="red">');
    expect(w('world')?.map).toBe('world');
    expect(w('gauge')?.gauge).toEqual({ min: 0, max: 20000, target: 10000 });
  });

  test('attackers: a stranger gets 401 and no SVG; a request cannot name columns or SQL', async () => {
    const anonymous = await app.inject('/api/v1/dashboards/charts');
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.body).not.toContain('<rect');
    const stranger = await widgetData(app, 'charts', 'sankey');
    expect(stranger.statusCode).toBe(401);
    const as = await loginAs(app, { org: 'acme', role: 'viewer' });
    const extra = await widgetData(as, 'charts', 'sankey', { filters: {}, source: 'org', sql: 'SELECT 1' });
    // Unknown body keys are ignored or refused, never used: the answer is the widget's own.
    if (extra.statusCode === 200)
      expect(extra.json<WidgetDataResponse>().rows.map((r) => r[0])).toEqual(['a', 'b', 'a']);
    else expect(extra.statusCode).toBe(400);
    const paged = await widgetData(as, 'charts', 'box', { filters: {}, page: { offset: 0, limit: 5 } });
    expect(paged.statusCode).toBe(400);
  });
});

describe('boundLinks', () => {
  test('keeps the strongest links within the node bound and says what it cut', () => {
    const rows = [
      ['a', 'b', 9],
      ['b', 'a', 8],
      ['c', 'd', 7],
      ['a', 'a', 1],
    ];
    expect(boundLinks(rows, 10, 10, false)).toEqual({ rows });
    const sankey = boundLinks(rows, 10, 10, true);
    expect(sankey.rows).toEqual([rows[0], rows[2]]);
    expect(sankey.notice).toBe('2 links closing a loop left out.');
    const small = boundLinks(rows, 2, 2, false);
    expect(small.rows).toEqual([rows[0], rows[1]]);
    expect(small.notice).toBe('The 2 strongest links are shown; weaker ones are left out.');
  });
});
