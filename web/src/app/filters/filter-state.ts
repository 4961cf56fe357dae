import type {
  DateRangeValue,
  FilterDefinition,
  FilterValues,
  NumberRangeValue,
} from '../../../../contract/index.js';

/**
 * The value of one filter as the page holds it. "No filter" is `undefined`, never an empty list,
 * an empty range or an empty string: normalizing keeps URLs, query keys and the Reset button honest.
 */
export type FilterStateValue = string[] | DateRangeValue | NumberRangeValue | string;
export type FilterState = Readonly<Record<string, FilterStateValue>>;

/** Drops empty values and anything whose shape does not fit the filter's type. */
export function normalizeValue(def: FilterDefinition, value: unknown): FilterStateValue | undefined {
  switch (def.type) {
    case 'multi_select': {
      if (!Array.isArray(value)) return undefined;
      const strings = value.filter((v): v is string => typeof v === 'string');
      return strings.length ? [...new Set(strings)] : undefined;
    }
    case 'date_range': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
      const v = value as Record<string, unknown>;
      const out: DateRangeValue = {};
      if (typeof v.from === 'string' && isIsoDate(v.from)) out.from = v.from;
      if (typeof v.to === 'string' && isIsoDate(v.to)) out.to = v.to;
      return out.from || out.to ? out : undefined;
    }
    case 'number_range': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
      const v = value as Record<string, unknown>;
      const out: NumberRangeValue = {};
      if (typeof v.min === 'number' && Number.isFinite(v.min)) out.min = v.min;
      if (typeof v.max === 'number' && Number.isFinite(v.max)) out.max = v.max;
      return out.min !== undefined || out.max !== undefined ? out : undefined;
    }
    case 'text':
      return typeof value === 'string' && value !== '' ? value : undefined;
  }
}

/** A new state with one filter changed (or removed when the value is empty). */
export function withFilter(
  state: FilterState,
  def: FilterDefinition,
  value: unknown,
): Record<string, FilterStateValue> {
  const next: Record<string, FilterStateValue> = { ...state };
  const normalized = normalizeValue(def, value);
  if (normalized === undefined) delete next[def.id];
  else next[def.id] = normalized;
  return next;
}

/**
 * The filters one widget's request carries: only those that affect it. Unrelated filter changes then
 * leave its query key, and so its cached data, untouched.
 */
export function requestFilters(state: FilterState, affecting: readonly string[]): FilterValues {
  const out: Record<string, FilterStateValue> = {};
  for (const id of affecting) {
    const v = state[id];
    if (v !== undefined) out[id] = v;
  }
  return out;
}

export function activeFilterCount(state: FilterState): number {
  return Object.keys(state).length;
}

/** YYYY-MM-DD that is a real calendar date (2023-02-30 is not). */
export function isIsoDate(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(s);
}
