import { beforeAll, describe, expect, it } from 'vitest';
import { buildBarChart } from './bar-chart.js';
import { dim, first, measure, response, widget } from './chart-test-data.js';
import { setFormatLocale } from './value-format.js';

beforeAll(() => setFormatLocale('en-US'));

type Axis = {
  type?: string;
  data?: string[];
  inverse?: boolean;
  axisLabel?: { formatter?: (v: number) => string };
};
type Series = { type?: string; name?: string; data?: unknown[]; stack?: string; label?: { show?: boolean } };

const byStatus = response(
  [dim('overall_status', 'Status'), measure('studies', 'Studies')],
  [
    ['COMPLETED', 28945],
    ['RECRUITING', 6018],
    [null, 12],
  ],
);

describe('bar chart option', () => {
  it('puts categories on x and values on y, with accessible decals and a tooltip', () => {
    const option = buildBarChart(widget({ type: 'bar' }), byStatus);
    const x = first(option.xAxis) as Axis;
    const y = first(option.yAxis) as Axis;
    expect(x.type).toBe('category');
    expect(x.data).toEqual(['COMPLETED', 'RECRUITING', 'Not set']);
    expect(y.type).toBe('value');
    expect(y.axisLabel?.formatter?.(30000)).toBe('30K');
    expect(option.aria).toEqual({ enabled: true, decal: { show: true } });
    expect(first(option.tooltip)).toMatchObject({ trigger: 'axis' });
    const series = option.series as Series[];
    expect(series).toHaveLength(1);
    expect(series[0]).toMatchObject({ type: 'bar', name: 'Studies', data: [28945, 6018, 12] });
    expect(series[0]?.label?.show).toBe(true);
  });

  it('swaps axes for horizontal bars and lists the first row at the top', () => {
    const option = buildBarChart(widget({ type: 'bar', horizontal: true }), byStatus);
    expect((first(option.xAxis) as Axis).type).toBe('value');
    const y = first(option.yAxis) as Axis;
    expect(y.type).toBe('category');
    expect(y.inverse).toBe(true);
  });

  it('pivots a second dimension into one stacked series per value, filling gaps with 0', () => {
    const data = response(
      [dim('sponsor_class'), dim('phase', 'Phase'), measure('studies')],
      [
        ['OTHER', 'NA', 9282],
        ['OTHER', null, 8341],
        ['INDUSTRY', 'PHASE2', 3657],
        ['INDUSTRY', 'NA', 1324],
      ],
    );
    const option = buildBarChart(widget({ type: 'bar', stacked: true }), data);
    const series = option.series as Series[];
    expect((first(option.xAxis) as Axis).data).toEqual(['OTHER', 'INDUSTRY']);
    expect(series.map((s) => s.name)).toEqual(['NA', 'Not set', 'PHASE2']);
    expect(series.map((s) => s.data)).toEqual([
      [9282, 1324],
      [8341, 0],
      [0, 3657],
    ]);
    expect(series.every((s) => s.stack === 'total')).toBe(true);
    expect(first(option.legend)).toMatchObject({ type: 'scroll' });
  });

  it('draws one series per measure when there are several', () => {
    const data = response(
      [dim('sponsor_class'), measure('a', 'Status score', 'decimal'), measure('b', 'Composite', 'decimal')],
      [
        ['INDIV', 74.1, 65.2],
        ['NIH', 72.9, 64.8],
      ],
    );
    const series = buildBarChart(widget({ type: 'bar' }), data).series as Series[];
    expect(series.map((s) => [s.name, s.stack])).toEqual([
      ['Status score', undefined],
      ['Composite', undefined],
    ]);
  });

  it('labels yearly periods by year', () => {
    const data = response(
      [{ key: 'start_date', label: 'Start', type: 'date', role: 'dimension', format: 'month' }, measure('n')],
      [
        ['2001-01-01', 5],
        ['2000-01-01', 3],
      ],
    );
    const x = first(buildBarChart(widget({ type: 'bar' }), data).xAxis) as Axis;
    expect(x.data).toEqual(['2000', '2001']);
  });
});
