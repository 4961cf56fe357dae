import type { Cell, ResultColumn, WidgetDataResponse, WidgetDefinition } from '../../../contract/index.js';

/** Builders of widget definitions and responses for the chart spec tests (no DOM, no server). */
export function widget(
  overrides: Partial<WidgetDefinition> & Pick<WidgetDefinition, 'type'>,
): WidgetDefinition {
  return { id: 'w', title: 'Widget', width: 6, height: 'medium', filters: [], freshnessMs: 0, ...overrides };
}

export function response(columns: ResultColumn[], rows: Cell[][]): WidgetDataResponse {
  return {
    widget: 'w',
    columns,
    rows,
    meta: {
      queryMs: 1,
      rowCount: rows.length,
      asOf: '2026-01-01T00:00:00.000Z',
      cache: 'miss',
      stale: false,
    },
  };
}

export const dim = (key: string, label = key, extra: Partial<ResultColumn> = {}): ResultColumn => ({
  key,
  label,
  type: 'string',
  role: 'dimension',
  ...extra,
});

export const measure = (
  key: string,
  label = key,
  format: ResultColumn['format'] = 'integer',
): ResultColumn => ({
  key,
  label,
  type: 'number',
  role: 'measure',
  format,
});

export const month = (key: string, label = key): ResultColumn => ({
  key,
  label,
  type: 'date',
  role: 'dimension',
  format: 'month',
});

/** Option fields are unions of object-or-array; tests read them through this to stay typed. */
export function first<T>(v: T | T[] | undefined): T | undefined {
  return Array.isArray(v) ? v[0] : v;
}
