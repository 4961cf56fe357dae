import { beforeAll, describe, expect, it } from 'vitest';
import { buildPieChart } from './pie-chart.js';
import { dim, first, measure, response, widget } from './chart-test-data.js';
import { LIGHT_CHART_STYLE } from './chart-style.js';
import { setFormatLocale } from './value-format.js';

beforeAll(() => setFormatLocale('en-US'));

type Series = { type?: string; radius?: unknown; data?: { name: string; value: number }[] };

const data = response(
  [dim('phase', 'Phase'), measure('studies', 'Studies')],
  [
    ['NA', 11907],
    [null, 11482],
    ['PHASE2', 7902],
    ['EMPTY', 0],
  ],
);

describe('pie and donut chart options', () => {
  it('makes one slice per row, names missing values and skips zero slices', () => {
    const option = buildPieChart(widget({ type: 'pie' }), data);
    const series = (option.series as Series[])[0];
    expect(series?.type).toBe('pie');
    expect(series?.radius).toEqual([0, '64%']);
    expect(series?.data).toEqual([
      { name: 'NA', value: 11907 },
      { name: 'Not set', value: 11482 },
      { name: 'PHASE2', value: 7902 },
    ]);
    expect(option.aria).toMatchObject({ enabled: true, decal: { show: true } });
  });

  it('cuts a hole for donuts', () => {
    const series = (buildPieChart(widget({ type: 'donut' }), data).series as Series[])[0];
    expect(series?.radius).toEqual(['40%', '64%']);
  });

  it('swaps outside labels for a legend on narrow (phone) widths', () => {
    const wide = buildPieChart(widget({ type: 'pie' }), data, { style: LIGHT_CHART_STYLE, width: 600 });
    const narrow = buildPieChart(widget({ type: 'pie' }), data, { style: LIGHT_CHART_STYLE, width: 340 });
    const label = (o: typeof wide) => (o.series as { label?: { show?: boolean } }[])[0]?.label?.show;
    expect(label(wide)).toBe(true);
    expect(first(wide.legend)).toMatchObject({ show: false });
    expect(label(narrow)).toBe(false);
    expect(first(narrow.legend)).toMatchObject({ type: 'plain', bottom: 0 });
  });

  it('formats the tooltip with the value and share, escaping names', () => {
    const tooltip = first(buildPieChart(widget({ type: 'pie' }), data).tooltip) as {
      formatter?: (p: unknown) => string;
    };
    expect(tooltip.formatter?.({ name: '<b>x</b>', value: 11907, percent: 38.1 })).toBe(
      '&#60;b&#62;x&#60;/b&#62;: <b>11,907</b> (38.1%)',
    );
  });

  it("writes the slices' shares as the UI's language does (German: 38,1 %)", () => {
    setFormatLocale('de-DE');
    try {
      const option = buildPieChart(widget({ type: 'pie' }), data);
      const series = first(option.series) as { label?: { formatter?: (p: unknown) => string } };
      expect(series.label?.formatter?.({ name: 'NA', percent: 38.1 })).toBe('NA\n38,1\u00a0%');
      const tooltip = first(option.tooltip) as { formatter?: (p: unknown) => string };
      expect(tooltip.formatter?.({ name: 'NA', value: 11907, percent: 38.1 })).toBe(
        'NA: <b>11.907</b> (38,1\u00a0%)',
      );
    } finally {
      setFormatLocale('en-US');
    }
  });
});
