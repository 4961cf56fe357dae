import { describe, expect, it } from 'vitest';
import { buildChartOption } from './chart-option.js';
import { calendarYears } from './calendar-chart.js';
import { flowNodes } from './flow-chart.js';
import { dim, first, measure, response, widget } from './chart-test-data.js';
import type { ChartContext } from './chart-types.js';
import { LIGHT_CHART_STYLE } from './chart-style.js';

const day = (key: string) => ({ ...dim(key), type: 'date' as const });

describe('the newer chart types draw what the server computed', () => {
  it('box plot: the five numbers per group as the server sent them, one category per group', () => {
    const cols = [dim('phase'), ...['low', 'q1', 'median', 'q3', 'high', 'n'].map((k) => measure(k))];
    const data = response(cols, [
      ['PHASE1', 1, 2, 3, 4, 5, 10],
      ['PHASE2', 0, 10, 20, 30, 40, 7],
    ]);
    const option = buildChartOption(widget({ type: 'boxplot', title: 'Enrollment' }), data);
    const series = first(option.series) as { type: string; data: number[][] };
    expect(series.type).toBe('boxplot');
    expect(series.data).toEqual([
      [1, 2, 3, 4, 5],
      [0, 10, 20, 30, 40],
    ]);
    expect((option.xAxis as { data: string[] }).data).toEqual(['PHASE1', 'PHASE2']);
    expect(JSON.stringify(option.aria)).toContain('Box plot, 2 rows');
  });

  it('sankey and graph: nodes once each, weighted by the larger of in- and outflow; the notice is described', () => {
    const data = response(
      [dim('s'), dim('t'), measure('v')],
      [
        ['a', 'b', 5],
        ['b', 'c', 3],
        ['a', 'c', 1],
      ],
    );
    const { nodes, links } = flowNodes(data);
    expect([...nodes]).toEqual([
      ['a', 6],
      ['b', 5],
      ['c', 4],
    ]);
    expect(links).toHaveLength(3);
    const sankey = buildChartOption(widget({ type: 'sankey', title: 'Flows' }), {
      ...data,
      meta: { ...data.meta, notice: 'The 3 strongest links are shown; weaker ones are left out.' },
    });
    const s = first(sankey.series) as { type: string; data: { name: string }[]; links: unknown[] };
    expect(s.type).toBe('sankey');
    expect(s.data.map((n) => n.name)).toEqual(['a', 'b', 'c']);
    expect(JSON.stringify(sankey.aria)).toContain('Sankey diagram, 3 rows');
    expect(JSON.stringify(sankey.aria)).toContain('weaker ones are left out');
    const graph = first(buildChartOption(widget({ type: 'graph' }), data).series) as {
      type: string;
      layout: string;
    };
    expect(graph).toMatchObject({ type: 'graph', layout: 'force' });
  });

  it('calendar: one calendar per year with data, the latest three', () => {
    const data = response(
      [day('d'), measure('n')],
      [
        ['2024-03-01', 2],
        ['2023-01-05', 1],
        ['2022-06-01', 4],
        ['2021-06-01', 4],
      ],
    );
    expect(calendarYears(data)).toEqual([2024, 2023, 2022]);
    const option = buildChartOption(widget({ type: 'calendar' }), data);
    expect((option.calendar as { range: string }[]).map((c) => c.range)).toEqual(['2024', '2023', '2022']);
    expect([option.series].flat()).toHaveLength(3);
  });

  it('map: values find their regions by name, alias or code; unplaced values are said', () => {
    const ctx: ChartContext = {
      style: LIGHT_CHART_STYLE,
      regions: {
        mapName: 'test-map',
        regionOf: (v) => ({ Germany: 'Germany', 'United States': 'United States of America' })[v],
      },
    };
    const data = response(
      [dim('country'), measure('n')],
      [
        ['Germany', 3],
        ['United States', 5],
        ['Atlantis', 1],
      ],
    );
    const option = buildChartOption(widget({ type: 'map', map: 'world', title: 'Sites' }), data, ctx);
    const s = first(option.series) as { map: string; data: { name: string; value: number }[] };
    expect(s.map).toBe('test-map');
    expect(s.data).toEqual([
      { name: 'Germany', value: 3 },
      { name: 'United States of America', value: 5 },
    ]);
    expect(JSON.stringify(option.aria)).toContain('Not on the map: Atlantis.');
  });

  it('gauge: the dial spans the file’s min and max and names the target', () => {
    const data = response([measure('share', 'Share', 'percent')], [[0.62]]);
    const option = buildChartOption(widget({ type: 'gauge', gauge: { min: 0, max: 1, target: 0.5 } }), data);
    const s = first(option.series) as { min: number; max: number; data: { value: number; name: string }[] };
    expect(s).toMatchObject({ min: 0, max: 1 });
    expect(s.data[0]?.value).toBe(0.62);
    expect(s.data[0]?.name).toMatch(/^target 50/);
  });
});
