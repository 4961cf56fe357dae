import { describe, expect, test } from 'vitest';
import { buildChartOption } from './chart-option.js';
import { chartMarks, distinctMarks } from './chart-marks.js';
import { dim, measure, response, widget } from './chart-test-data.js';

type Series = { data: unknown[] }[];
const seriesOf = (o: unknown) => (o as { series: Series }).series;

describe('chart marks', () => {
  test('bars: one mark per drawn bar, indexes as ECharts reports them, raw values not labels', () => {
    const w = widget({ type: 'bar', crossFilters: [{ column: 'phase', filter: 'phase' }] });
    const data = response(
      [dim('phase'), measure('n')],
      [
        ['P2', 30],
        [null, 20],
        ['P1', 10],
      ],
    );
    const marks = chartMarks(w, data);
    // The null category is drawn ("Not set") but cannot be a filter value.
    expect(marks.map((m) => [m.seriesIndex, m.dataIndex, m.values])).toEqual([
      [0, 0, { phase: 'P2' }],
      [0, 2, { phase: 'P1' }],
    ]);
    const series = seriesOf(buildChartOption(w, data));
    expect(series[0]?.data[2]).toBe(10);
  });

  test('stacked series: the series value is linked too, and arrow keys skip repeats', () => {
    const w = widget({
      type: 'bar',
      stacked: true,
      crossFilters: [{ column: 'status', filter: 'status' }],
    });
    const data = response(
      [dim('phase'), dim('status'), measure('n')],
      [
        ['P1', 'A', 1],
        ['P1', 'B', 2],
        ['P2', 'B', 3],
      ],
    );
    const marks = chartMarks(w, data);
    expect(marks.map((m) => [m.seriesIndex, m.dataIndex, m.values.status])).toEqual([
      [0, 0, 'A'],
      [0, 1, 'A'], // stacks fill the gap with 0: still a (zero-height) bar of series A
      [1, 0, 'B'],
      [1, 1, 'B'],
    ]);
    expect(distinctMarks(marks).map((m) => m.values.status)).toEqual(['A', 'B']);
  });

  test('pie slices skip the rows the builder drops; heatmap cells carry both axes', () => {
    const pie = widget({ type: 'pie', crossFilters: [{ column: 'c', filter: 'c' }] });
    const pieData = response(
      [dim('c'), measure('n')],
      [
        ['a', 0],
        ['b', 5],
        ['c', 2],
      ],
    );
    expect(chartMarks(pie, pieData).map((m) => [m.dataIndex, m.values.c])).toEqual([
      [0, 'b'],
      [1, 'c'],
    ]);
    expect((seriesOf(buildChartOption(pie, pieData))[0]?.data[1] as { name: string }).name).toBe('c');

    const heat = widget({
      type: 'heatmap',
      crossFilters: [
        { column: 'x', filter: 'fx' },
        { column: 'y', filter: 'fy' },
      ],
    });
    const heatData = response(
      [dim('x'), dim('y'), measure('n')],
      [
        ['a', 'p', 1],
        ['a', 'q', null],
        ['b', 'q', 3],
      ],
    );
    expect(chartMarks(heat, heatData).map((m) => [m.dataIndex, m.values])).toEqual([
      [0, { x: 'a', y: 'p' }],
      [1, { x: 'b', y: 'q' }],
    ]);
    expect(seriesOf(buildChartOption(heat, heatData))[0]?.data).toHaveLength(2);
  });

  test('no links, no marks', () => {
    expect(chartMarks(widget({ type: 'bar' }), response([dim('a'), measure('n')], [['x', 1]]))).toEqual([]);
  });
});
