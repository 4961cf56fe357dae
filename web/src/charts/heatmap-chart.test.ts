import { describe, expect, it } from 'vitest';
import { buildHeatmapChart } from './heatmap-chart.js';
import { DARK_CHART_STYLE, LIGHT_CHART_STYLE } from './chart-style.js';
import { dim, first, measure, month, response, widget } from './chart-test-data.js';

type Cell = { value: [number, number, number]; label: { color: string } };

describe('heatmap chart option', () => {
  const data = response(
    [dim('phase', 'Phase'), dim('status', 'Status'), measure('studies')],
    [
      ['PHASE1', 'COMPLETED', 100],
      ['PHASE1', 'RECRUITING', 10],
      ['PHASE2', 'COMPLETED', 50],
      [null, 'RECRUITING', 0],
    ],
  );

  it('indexes cells on two category axes and scales the colour ramp to the data', () => {
    const option = buildHeatmapChart(widget({ type: 'heatmap' }), data);
    expect(first(option.xAxis)).toMatchObject({ type: 'category', data: ['PHASE1', 'PHASE2', 'Not set'] });
    expect(first(option.yAxis)).toMatchObject({
      type: 'category',
      data: ['COMPLETED', 'RECRUITING'],
      inverse: true,
    });
    const series = (option.series as { data?: Cell[] }[])[0];
    expect(series?.data?.map((c) => c.value)).toEqual([
      [0, 0, 100],
      [0, 1, 10],
      [1, 0, 50],
      [2, 1, 0],
    ]);
    expect(first(option.visualMap)).toMatchObject({
      min: 0,
      max: 100,
      inRange: { color: LIGHT_CHART_STYLE.sequential },
    });
    expect(option.aria).toMatchObject({ enabled: true });
  });

  it('prints values in a colour that contrasts with their cell, in both schemes', () => {
    const light = (buildHeatmapChart(widget({ type: 'heatmap' }), data).series as { data?: Cell[] }[])[0];
    expect(light?.data?.[0]?.label.color).toBe(LIGHT_CHART_STYLE.onDark);
    expect(light?.data?.[3]?.label.color).toBe(LIGHT_CHART_STYLE.onLight);
    const dark = (
      buildHeatmapChart(widget({ type: 'heatmap' }), data, { style: DARK_CHART_STYLE }).series as {
        data?: Cell[];
      }[]
    )[0];
    expect(dark?.data?.[0]?.label.color).toBe(DARK_CHART_STYLE.onLight);
  });

  it('orders period axes in time', () => {
    const byYear = response(
      [month('start', 'Start'), dim('status'), measure('n')],
      [
        ['2001-01-01', 'A', 1],
        ['2000-01-01', 'A', 2],
      ],
    );
    expect(first(buildHeatmapChart(widget({ type: 'heatmap' }), byYear).xAxis)).toMatchObject({
      data: ['2000', '2001'],
    });
  });
});
