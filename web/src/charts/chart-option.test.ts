import { describe, expect, it } from 'vitest';
import { CHART_TYPES } from '../../../contract/index.js';
import { buildChartOption, isChartType } from './chart-option.js';
import { chartMinHeight } from './chart-size.js';
import { DARK_CHART_STYLE } from './chart-style.js';
import { dim, measure, response, widget } from './chart-test-data.js';

describe('buildChartOption', () => {
  const data = response([dim('a'), dim('b'), measure('n'), measure('m')], [['x', 'y', 1, 2]]);

  it.each(CHART_TYPES)('%s: has ARIA, a tooltip, the palette and a transparent background', (type) => {
    const option = buildChartOption(widget({ type }), data);
    expect(option.aria).toMatchObject({ enabled: true });
    expect(option.tooltip).toBeDefined();
    expect(option.color).toContain('#0072B2');
    expect(option.backgroundColor).toBe('transparent');
  });

  it('describes the data for screen readers with labels and formatted values', () => {
    const option = buildChartOption(widget({ type: 'bar', title: 'Studies by status' }), data);
    expect(option.aria).toMatchObject({
      enabled: true,
      decal: { show: true },
      label: { description: 'Studies by status. Bar chart, 1 row: a x, b y, n 1, m 2.' },
    });
  });

  it('builds with the dark scheme colours when asked', () => {
    const option = buildChartOption(widget({ type: 'bar' }), data, { style: DARK_CHART_STYLE });
    expect(option.color).toEqual([...DARK_CHART_STYLE.palette]);
  });

  it('refuses widgets that are not charts', () => {
    expect(isChartType('table')).toBe(false);
    expect(() => buildChartOption(widget({ type: 'kpi' }), data)).toThrow(/not a chart/);
  });

  it.each(CHART_TYPES)('%s: an empty result draws nothing and says "0 rows"', (type) => {
    const option = buildChartOption(widget({ type }), response([], []));
    expect(option.aria).toMatchObject({ label: { description: expect.stringMatching(/, 0 rows\.$/) } });
    // No series, or series without points: nothing invented from no rows.
    const series = [option.series ?? []].flat() as { data?: unknown[] }[];
    for (const s of series) expect(s.data).toEqual([]);
    const axis = option.xAxis as { type?: string; data?: unknown[] } | undefined;
    const categorical = ['bar', 'line', 'area', 'heatmap', 'boxplot'].includes(type);
    expect(axis?.type === 'category' ? axis.data : 'no categories').toEqual(
      categorical ? [] : 'no categories',
    );
  });
});

describe('chartMinHeight', () => {
  it('grows heatmaps with their number of rows and leaves other charts alone', () => {
    const rows = Array.from({ length: 14 }, (_, i) => ['x', `y${i}`, i]);
    const heat = response([dim('x'), dim('y'), measure('n')], rows);
    expect(chartMinHeight(widget({ type: 'heatmap' }), heat)).toBe(14 * 22 + 100);
    expect(chartMinHeight(widget({ type: 'bar' }), heat)).toBeUndefined();
  });
});
