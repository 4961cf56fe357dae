import { describe, expect, it } from 'vitest';
import { buildAreaChart } from './area-chart.js';
import { dim, first, measure, month, response, widget } from './chart-test-data.js';

type Series = {
  type?: string;
  name?: string;
  data?: unknown[];
  stack?: string;
  areaStyle?: { opacity?: number };
  showSymbol?: boolean;
};

describe('area chart option', () => {
  const data = response(
    [month('start_date', 'Start date'), dim('phase', 'Phase'), measure('studies')],
    [
      ['1998-01-01', 'NA', 7],
      ['1998-01-01', 'PHASE2', 3],
      ['1999-01-01', 'NA', 13],
    ],
  );

  it('stacks filled series per phase with every cell present', () => {
    const option = buildAreaChart(widget({ type: 'area', stacked: true }), data);
    const series = option.series as Series[];
    expect((first(option.xAxis) as { data?: string[] }).data).toEqual(['1998', '1999']);
    expect(series.map((s) => [s.name, s.data, s.stack])).toEqual([
      ['NA', [7, 13], 'total'],
      ['PHASE2', [3, 0], 'total'],
    ]);
    expect(series.every((s) => s.type === 'line' && (s.areaStyle?.opacity ?? 0) > 0.5)).toBe(true);
    expect(series.every((s) => s.showSymbol === false)).toBe(true);
  });

  it('uses a light fill for a single unstacked area', () => {
    const one = response([month('d'), measure('n')], [['2000-01-01', 1]]);
    const series = buildAreaChart(widget({ type: 'area' }), one).series as Series[];
    expect(series[0]?.areaStyle?.opacity).toBeLessThan(0.5);
    expect(series[0]?.stack).toBeUndefined();
  });
});
