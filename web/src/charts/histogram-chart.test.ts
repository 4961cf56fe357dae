import { beforeAll, describe, expect, it } from 'vitest';
import type { ResultColumn } from '../../../contract/index.js';
import { buildHistogramChart } from './histogram-chart.js';
import { first, response, widget } from './chart-test-data.js';
import { setFormatLocale } from './value-format.js';

beforeAll(() => setFormatLocale('en-US'));

const num = (key: string, label: string, role: ResultColumn['role']): ResultColumn => ({
  key,
  label,
  type: 'number',
  role,
  format: 'integer',
});

describe('histogram chart option', () => {
  const data = response(
    [
      num('bin', 'Bin', 'dimension'),
      num('bin_start', 'Enrollment from', 'dimension'),
      num('bin_end', 'Enrollment to', 'dimension'),
      num('count', 'Count', 'measure'),
    ],
    [
      [1, 49.95, 99.9, 9549],
      [0, 0, 49.95, 17291],
    ],
  );

  it('centres bars on bin midpoints of a value axis, in bin order', () => {
    const option = buildHistogramChart(widget({ type: 'histogram' }), data);
    const series = (option.series as { type?: string; data?: [number, number][] }[])[0];
    expect(series?.type).toBe('bar');
    const points = series?.data ?? [];
    expect(points.map((p) => p[1])).toEqual([17291, 9549]);
    expect(points[0]?.[0]).toBeCloseTo(24.975);
    expect(points[1]?.[0]).toBeCloseTo(74.925);
    expect(first(option.xAxis)).toMatchObject({ type: 'value', name: 'Enrollment' });
    expect(option.aria).toMatchObject({ enabled: true, decal: { show: true } });
  });

  it('gives the exact bin range in the tooltip', () => {
    const tooltip = first(buildHistogramChart(widget({ type: 'histogram' }), data).tooltip) as {
      formatter?: (p: unknown) => string;
    };
    expect(tooltip.formatter?.({ dataIndex: 1 })).toBe('49.95 – 99.9: <b>9,549</b>');
  });
});
