import { beforeAll, describe, expect, it } from 'vitest';
import { buildScatterChart } from './scatter-chart.js';
import { dim, first, measure, response, widget } from './chart-test-data.js';
import { setFormatLocale } from './value-format.js';

beforeAll(() => setFormatLocale('en-US'));

describe('scatter chart option', () => {
  const data = response(
    [
      dim('lead_sponsor', 'Lead sponsor'),
      measure('rate', 'Median rate', 'decimal'),
      measure('score', 'Composite', 'decimal'),
    ],
    [
      ['Aarhus', 10.7, 100],
      ['Adana', 16.5, 98.25],
      ['No x', null, 5],
    ],
  );

  it('plots [x, y, label] points with named axes', () => {
    const option = buildScatterChart(widget({ type: 'scatter' }), data);
    const series = (option.series as { type?: string; data?: unknown[] }[])[0];
    expect(series?.type).toBe('scatter');
    expect(series?.data).toEqual([
      [10.7, 100, 'Aarhus'],
      [16.5, 98.25, 'Adana'],
    ]);
    expect(first(option.xAxis)).toMatchObject({ type: 'value', name: 'Median rate' });
    expect(first(option.yAxis)).toMatchObject({ type: 'value', name: 'Composite' });
    expect(option.aria).toMatchObject({ enabled: true });
  });

  it('names the point in the tooltip', () => {
    const tooltip = first(buildScatterChart(widget({ type: 'scatter' }), data).tooltip) as {
      formatter?: (p: unknown) => string;
    };
    expect(tooltip.formatter?.({ value: [16.5, 98.25, 'Adana'] })).toBe(
      '<b>Adana</b><br/>Median rate: 16.5<br/>Composite: 98.25',
    );
  });
});
