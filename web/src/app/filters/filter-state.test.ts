import { describe, expect, it } from 'vitest';
import type { FilterDefinition } from '../../../../contract/index.js';
import { activeFilterCount, isIsoDate, normalizeValue, requestFilters, withFilter } from './filter-state.js';

const multi: FilterDefinition = { id: 'status', type: 'multi_select', label: 'Status' };
const date: FilterDefinition = { id: 'started', type: 'date_range', label: 'Start' };
const range: FilterDefinition = { id: 'n', type: 'number_range', label: 'N' };
const text: FilterDefinition = { id: 'q', type: 'text', label: 'Q' };

describe('filter state', () => {
  it('normalizes empty values to "no filter"', () => {
    expect(normalizeValue(multi, [])).toBeUndefined();
    expect(normalizeValue(date, {})).toBeUndefined();
    expect(normalizeValue(range, { min: undefined })).toBeUndefined();
    expect(normalizeValue(text, '')).toBeUndefined();
  });

  it('drops values of the wrong shape and duplicate selections', () => {
    expect(normalizeValue(multi, 'x')).toBeUndefined();
    expect(normalizeValue(multi, ['a', 'a', 3, 'b'])).toEqual(['a', 'b']);
    expect(normalizeValue(date, { from: '2020-13-01', to: '2021-01-01' })).toEqual({ to: '2021-01-01' });
    expect(normalizeValue(range, { min: Number.NaN, max: 5 })).toEqual({ max: 5 });
    expect(normalizeValue(text, 5)).toBeUndefined();
  });

  it('sets and clears one filter without touching the others', () => {
    const s1 = withFilter({}, multi, ['A']);
    const s2 = withFilter(s1, text, 'x');
    expect(s2).toEqual({ status: ['A'], q: 'x' });
    expect(withFilter(s2, multi, [])).toEqual({ q: 'x' });
    expect(activeFilterCount(s2)).toBe(2);
  });

  it('sends a widget only the filters that affect it', () => {
    const state = { status: ['A'], q: 'x', n: { min: 1 } };
    expect(requestFilters(state, ['status', 'n', 'missing'])).toEqual({ status: ['A'], n: { min: 1 } });
    expect(requestFilters(state, [])).toEqual({});
  });

  it('knows real calendar dates', () => {
    expect(isIsoDate('2024-02-29')).toBe(true);
    expect(isIsoDate('2023-02-29')).toBe(false);
    expect(isIsoDate('2023-2-1')).toBe(false);
  });
});
