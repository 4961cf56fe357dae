import { describe, expect, test } from 'vitest';
import type { FilterDefinition } from '../../../../contract/index.js';
import {
  activateMark,
  effectiveFilters,
  formatDashboardQuery,
  isMarkSelected,
  parseCrossFilters,
  toggleCrossFilter,
  type CrossFilters,
} from './cross-filter.js';
import { parseFilterQuery } from './filter-url.js';

const FILTERS: FilterDefinition[] = [
  { id: 'status', type: 'multi_select', label: 'Status' },
  { id: 'phase', type: 'multi_select', label: 'Phase' },
  { id: 'q', type: 'text', label: 'Title' },
];
const byPhase = { id: 'by_phase', crossFilters: [{ column: 'phase', filter: 'phase' }] };
const heat = {
  id: 'heat',
  crossFilters: [
    { column: 'phase', filter: 'phase' },
    { column: 'overall_status', filter: 'status' },
  ],
};

describe('cross-filters', () => {
  test('round-trip through the URL with hostile values, beside the filter bar values', () => {
    const cross: CrossFilters = [
      { filter: 'phase', source: 'by_phase', values: ['PHASE1/PHASE2', 'a,b:c', '%&=+ é', ''] },
      { filter: 'status', source: 'w:1', values: ['RECRUITING'] },
    ];
    const query = formatDashboardQuery({ q: 'x y' }, cross, FILTERS);
    expect(query.startsWith('?q=x%20y&xf=phase:by_phase:')).toBe(true);
    expect(parseCrossFilters(query, FILTERS)).toEqual(cross);
    expect(parseFilterQuery(query, FILTERS)).toEqual({ q: 'x y' });
  });

  test('unknown and non-multi-select filters, malformed pairs and duplicates are dropped', () => {
    const parsed = parseCrossFilters(
      '?xf=nope:w:a&xf=q:w:a&xf=phase:w&xf=phase:w:a:b&xf=status:w:%E0%A4%A,ok&xf=status:v:late',
      FILTERS,
    );
    expect(parsed).toEqual([{ filter: 'status', source: 'w', values: ['ok'] }]);
  });

  test('a click selects, the same click clears, another replaces, Ctrl adds; another widget takes over', () => {
    let c: CrossFilters = [];
    c = activateMark(c, byPhase, { phase: 'P1' }, false);
    expect(c).toEqual([{ filter: 'phase', source: 'by_phase', values: ['P1'] }]);
    c = activateMark(c, byPhase, { phase: 'P2' }, false);
    expect(c[0]?.values).toEqual(['P2']);
    c = activateMark(c, byPhase, { phase: 'P1' }, true);
    expect(c[0]?.values).toEqual(['P2', 'P1']);
    expect(isMarkSelected(c, byPhase, { phase: 'P1' })).toBe(true);
    expect(isMarkSelected(c, byPhase, { phase: 'P3' })).toBe(false);
    // Another widget on the same filter takes it over rather than contradicting it.
    c = toggleCrossFilter(c, { filter: 'phase', source: 'other', value: 'P3', additive: true });
    expect(c).toEqual([{ filter: 'phase', source: 'other', values: ['P3'] }]);
    expect(isMarkSelected(c, byPhase, { phase: 'P3' })).toBe(false);
    c = toggleCrossFilter(c, { filter: 'phase', source: 'other', value: 'P3', additive: false });
    expect(c).toEqual([]);
  });

  test('a heatmap cell sets two filters at once; they combine for other widgets only', () => {
    const c = activateMark([], heat, { phase: 'P2', overall_status: 'COMPLETED' }, false);
    expect(c.map((x) => x.filter)).toEqual(['phase', 'status']);
    const bar = { status: ['COMPLETED', 'RECRUITING'], q: 'cancer' };
    expect(effectiveFilters(bar, c, 'kpi')).toEqual({ status: ['COMPLETED'], phase: ['P2'], q: 'cancer' });
    // The clicked widget keeps all its marks.
    expect(effectiveFilters(bar, c, 'heat')).toBe(bar);
  });
});
