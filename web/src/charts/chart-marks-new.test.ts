import { describe, expect, test } from 'vitest';
import type { WidgetDefinition } from '../../../contract/index.js';
import { buildChartOption } from './chart-option.js';
import { chartMarks, placeRegionMarks } from './chart-marks.js';
import { dim, first, measure, response, widget } from './chart-test-data.js';
import type { RegionLookup } from './chart-types.js';
import { DARK_CHART_STYLE, LIGHT_CHART_STYLE } from './chart-style.js';
import { SELECTED_BORDER } from './region-map-chart.js';

/** The newer chart types (issue 14): a click's (series, data) index must land on the right value. */
const linked = (type: WidgetDefinition['type'], ...columns: string[]) =>
  widget({ type, crossFilters: columns.map((column) => ({ column, filter: column })) });
const dataOf = (option: unknown) =>
  (first((option as { series: unknown }).series) as { data: unknown[] }).data;

describe('marks of the newer charts', () => {
  test('funnel: one mark per stage, in the drawn order; a null stage is not a value', () => {
    const w = linked('funnel', 'stage');
    const data = response(
      [dim('stage'), measure('n')],
      [
        ['visit', 100],
        [null, 50],
        ['buy', 10],
      ],
    );
    const marks = chartMarks(w, data);
    expect(marks.map((m) => [m.dataIndex, m.values])).toEqual([
      [0, { stage: 'visit' }],
      [2, { stage: 'buy' }],
    ]);
    expect((dataOf(buildChartOption(w, data))[2] as { name: string }).name).toBe('buy');
  });

  test('box plot: one mark per box; a box plot without groups has none', () => {
    const stats = ['low', 'q1', 'median', 'q3', 'high', 'n'].map((k) => measure(k));
    const data = response(
      [dim('phase'), ...stats],
      [
        ['P1', 1, 2, 3, 4, 5, 9],
        ['P2', 1, 2, 3, 4, 5, 9],
      ],
    );
    expect(chartMarks(linked('boxplot', 'phase'), data).map((m) => [m.dataIndex, m.values])).toEqual([
      [0, { phase: 'P1' }],
      [1, { phase: 'P2' }],
    ]);
    const ungrouped = response(stats, [[1, 2, 3, 4, 5, 9]]);
    expect(chartMarks(linked('boxplot', 'phase'), ungrouped)).toEqual([]);
  });

  test('sankey and graph: one mark per node in the drawn order, by its source column, else its target', () => {
    const data = response(
      [dim('from'), dim('to'), measure('n')],
      [
        ['hall', 'food', 5],
        ['food', 'exit', 3],
      ],
    );
    for (const type of ['sankey', 'graph'] as const) {
      const both = chartMarks(linked(type, 'from', 'to'), data);
      const drawn = (dataOf(buildChartOption(linked(type, 'from', 'to'), data)) as { name: string }[]).map(
        (n) => n.name,
      );
      expect(both.map((m) => m.label)).toEqual(drawn);
      expect(both.map((m) => [m.dataIndex, m.values])).toEqual([
        [0, { from: 'hall' }],
        [1, { from: 'food' }],
        [2, { to: 'exit' }],
      ]);
      // Only the target column links: "hall" is never a target, so it is no mark.
      expect(chartMarks(linked(type, 'to'), data).map((m) => [m.dataIndex, m.values])).toEqual([
        [1, { to: 'food' }],
        [2, { to: 'exit' }],
      ]);
    }
  });

  test('map and floor plan: marks follow the regions the chart draws; unmatched values have none', () => {
    const regions: RegionLookup = {
      mapName: 'test',
      regionOf: (v) => ({ DE: 'Germany', Germany: 'Germany', FR: 'France' })[v],
    };
    const data = response(
      [dim('country'), measure('n')],
      [
        ['DE', 5],
        ['Atlantis', 4],
        ['FR', 3],
        ['Germany', 2],
        ['XX', null],
      ],
    );
    for (const type of ['map', 'floorplan'] as const) {
      const w = linked(type, 'country');
      const placed = placeRegionMarks(chartMarks(w, data), regions);
      const drawn = dataOf(buildChartOption(w, data, { style: LIGHT_CHART_STYLE, regions })) as {
        name: string;
      }[];
      expect(placed.map((m) => [m.dataIndex, m.label, m.values])).toEqual([
        [0, 'Germany', { country: 'DE' }],
        [1, 'France', { country: 'FR' }],
      ]);
      expect(drawn.map((d) => d.name)).toEqual(['Germany', 'France']);
    }
  });

  test('map and floor plan: the chosen regions are drawn framed in the text colour, the others not', () => {
    const regions: RegionLookup = { mapName: 'test', regionOf: (v) => v };
    const data = response(
      [dim('zone'), measure('n')],
      [
        ['prod', 5],
        ['dmz', 3],
        ['gpu', 1],
      ],
    );
    for (const type of ['map', 'floorplan'] as const) {
      for (const style of [LIGHT_CHART_STYLE, DARK_CHART_STYLE]) {
        const option = buildChartOption(linked(type, 'zone'), data, {
          style,
          regions,
          selectedRegions: new Set(['dmz', 'gpu']),
        });
        const drawn = dataOf(option) as { name: string; itemStyle?: object }[];
        expect(drawn.map((d) => [d.name, d.itemStyle])).toEqual([
          ['prod', undefined],
          ['dmz', { borderColor: style.text, borderWidth: SELECTED_BORDER }],
          ['gpu', { borderColor: style.text, borderWidth: SELECTED_BORDER }],
        ]);
        // Nothing chosen, nothing framed; ECharts' own selection stays off (it would fight the frame).
        const none = buildChartOption(linked(type, 'zone'), data, { style, regions });
        expect((dataOf(none) as { itemStyle?: object }[]).every((d) => d.itemStyle === undefined)).toBe(true);
        expect(first((none as { series: unknown }).series)).toMatchObject({ selectedMode: false });
      }
    }
  });

  test('gauges and calendars have no marks', () => {
    const data = response([dim('day'), measure('n')], [['2024-01-01', 1]]);
    expect(chartMarks(linked('calendar', 'day'), data)).toEqual([]);
    expect(chartMarks(linked('gauge', 'day'), response([measure('n')], [[1]]))).toEqual([]);
  });
});
