import { describe, expect, test } from 'vitest';
import { createMiniProject } from '../../../test/mini-project.js';
import { presentDashboard } from '../../services/dashboards.service.js';
import { formatProblem } from './project.types.js';
import { loadProject } from './load-project.js';

const MAIN = `title: Main
dataset: items
filters:
  - { id: colour, type: multi_select, label: Colour, column: colour }
  - { id: q, type: text, label: Name contains, column: name }
  - { id: created, type: date_range, label: Created, column: created }
widgets:
  - { id: by_colour, type: bar, title: By colour, dimension: colour, measures: [items] }
  - { id: per_month, type: line, title: Per month, dimension: created, grain: month, series: colour, measures: [items] }
  - { id: share, type: pie, title: Share, dimension: colour, measure: items, cross_filter: false }
  - { id: heat, type: heatmap, title: Heat, x: created, x_grain: year, y: colour, measure: items }
  - { id: ignoring, type: pie, title: Ignoring, dimension: colour, measure: items, ignore_filters: [colour] }
  - { id: list, type: table, title: List, columns: [id, name, colour] }
  - { id: total, type: kpi, title: Items, measure: items }
`;

async function load(main: string) {
  const mini = await createMiniProject({ 'dashboards/main.yaml': main });
  return loadProject(mini.dir);
}

describe('cross-filter links', () => {
  test('multi_select filters on a shown column link; periods, text filters, opt-outs and KPIs do not', async () => {
    const r = await load(MAIN);
    if (!r.ok) throw new Error(r.problems.map(formatProblem).join('\n'));
    const def = presentDashboard(r.project, r.project.dashboards.get('main')!);
    const links = Object.fromEntries(def.widgets.map((w) => [w.id, w.crossFilters ?? []]));
    expect(links).toEqual({
      by_colour: [{ column: 'colour', filter: 'colour' }],
      // The month buckets are not raw dates; the series dimension is a raw value.
      per_month: [{ column: 'colour', filter: 'colour' }],
      share: [],
      heat: [{ column: 'colour', filter: 'colour' }],
      ignoring: [],
      // `name` has only a text filter (contains), which a clicked value does not mean.
      list: [{ column: 'colour', filter: 'colour' }],
      total: [],
    });
  });

  test('the newer charts link their stage, group and node columns (days do not)', async () => {
    const r = await load(`title: Main
dataset: items
filters:
  - { id: colour, type: multi_select, label: Colour, column: colour }
  - { id: name, type: multi_select, label: Name, column: name }
  - { id: day, type: date_range, label: Day, column: created }
widgets:
  - { id: box, type: boxplot, title: Box, column: price, dimension: colour }
  - { id: box_all, type: boxplot, title: Box, column: price }
  - { id: stages, type: funnel, title: Stages, dimension: colour, measure: items }
  - { id: days, type: calendar, title: Days, dimension: created, measure: items }
  - { id: flows, type: sankey, title: Flows, source: colour, target: name, value: items }
  - { id: net, type: graph, title: Net, source: name, target: colour, value: items, cross_filter: [colour] }
  - { id: gauge, type: gauge, title: Gauge, measure: items }
`);
    if (!r.ok) throw new Error(r.problems.map(formatProblem).join('\n'));
    const def = presentDashboard(r.project, r.project.dashboards.get('main')!);
    const links = Object.fromEntries(def.widgets.map((w) => [w.id, w.crossFilters ?? []]));
    const colour = { column: 'colour', filter: 'colour' };
    expect(links).toEqual({
      box: [colour],
      box_all: [],
      stages: [colour],
      // Days are dates; cross-filters set multi_select filters (string columns only).
      days: [],
      flows: [colour, { column: 'name', filter: 'name' }],
      net: [colour],
      gauge: [],
    });
  });

  test('cross_filter naming a filter the widget cannot set is a load problem with its line', async () => {
    const r = await load(
      MAIN.replace(
        'measures: [items] }\n  - { id: per_month',
        'measures: [items], cross_filter: [q] }\n  - { id: per_month',
      ),
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems.map(formatProblem).join('\n')).toMatch(
      /main\.yaml:8: .*widget "by_colour": cross_filter "q" must be a multi_select filter/,
    );
  });

  test('cross_filter: [ids] keeps only the filters named', async () => {
    const r = await load(
      MAIN.replace('columns: [id, name, colour] }', 'columns: [id, name, colour], cross_filter: [colour] }'),
    );
    if (!r.ok) throw new Error(r.problems.map(formatProblem).join('\n'));
    const def = presentDashboard(r.project, r.project.dashboards.get('main')!);
    expect(def.widgets.find((w) => w.id === 'list')?.crossFilters).toEqual([
      { column: 'colour', filter: 'colour' },
    ]);
  });
});
