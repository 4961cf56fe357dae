import { describe, expect, it } from 'vitest';
import { buildLineChart } from './line-chart.js';
import { first, measure, month, response, widget } from './chart-test-data.js';

type Axis = { data?: string[]; boundaryGap?: boolean };
type Series = { type?: string; data?: unknown[]; showSymbol?: boolean; areaStyle?: unknown };

describe('line chart option', () => {
  it('sorts periods, labels months, and leaves out rows without a date', () => {
    const data = response(
      [month('start_date', 'Start date'), measure('studies', 'Studies')],
      [
        ['2010-02-01', 140],
        [null, 492],
        ['2010-01-01', 137],
      ],
    );
    const option = buildLineChart(widget({ type: 'line' }), data);
    const x = first(option.xAxis) as Axis;
    expect(x.data).toEqual(['Jan 2010', 'Feb 2010']);
    expect(x.boundaryGap).toBe(false);
    const series = option.series as Series[];
    expect(series[0]).toMatchObject({ type: 'line', data: [137, 140], showSymbol: true });
    expect(series[0]?.areaStyle).toBeUndefined();
    expect(option.aria).toMatchObject({ enabled: true, decal: { show: true } });
  });

  it('hides point markers on long series', () => {
    const rows = Array.from({ length: 120 }, (_, i) => {
      const d = new Date(Date.UTC(2010, i, 1)).toISOString().slice(0, 10);
      return [d, i];
    });
    const option = buildLineChart(widget({ type: 'line' }), response([month('m'), measure('n')], rows));
    expect((option.series as Series[])[0]?.showSymbol).toBe(false);
  });

  it('keeps missing points as gaps when not stacked', () => {
    const data = response(
      [month('m'), { key: 's', label: 'S', type: 'string', role: 'dimension' }, measure('n')],
      [
        ['2010-01-01', 'A', 1],
        ['2010-02-01', 'A', 2],
        ['2010-02-01', 'B', 5],
      ],
    );
    const series = buildLineChart(widget({ type: 'line' }), data).series as Series[];
    expect(series.map((s) => s.data)).toEqual([
      [1, 2],
      [null, 5],
    ]);
  });
});
