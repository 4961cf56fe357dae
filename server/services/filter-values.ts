import {
  dateRangeValue,
  multiSelectValue,
  numberRangeValue,
  textValue,
  type DateRangeValue,
  type NumberRangeValue,
} from '../../contract/index.js';
import type {
  Dashboard,
  Dataset,
  ResolvedDataWidget,
  ResolvedFilter,
} from '../config/project/project.types.js';
import type { WhereDef } from '../config/project/project.schema.js';
import { TrellisError, type ErrorIssue } from '../errors.js';
import type { CompareOp, PlanFilter } from '../query/plan.js';

/** A filter value checked against its filter's declared type; empty values are dropped. */
export type CheckedFilter =
  | { readonly filter: ResolvedFilter; readonly type: 'multi_select'; readonly value: readonly string[] }
  | { readonly filter: ResolvedFilter; readonly type: 'date_range'; readonly value: DateRangeValue }
  | { readonly filter: ResolvedFilter; readonly type: 'number_range'; readonly value: NumberRangeValue }
  | { readonly filter: ResolvedFilter; readonly type: 'text'; readonly value: string };

/**
 * Checks raw filter values from a request against the dashboard's filters. Unknown ids and values
 * of the wrong shape are 4xx errors that say which filter is wrong; nothing unchecked goes further.
 */
export function checkFilterValues(dashboard: Dashboard, raw: Record<string, unknown>): CheckedFilter[] {
  const issues: ErrorIssue[] = [];
  const checked: CheckedFilter[] = [];
  for (const [id, value] of Object.entries(raw)) {
    const filter = dashboard.filters.find((f) => f.id === id);
    if (!filter) {
      throw new TrellisError('UNKNOWN_FILTER', {
        message: `This dashboard has no filter "${id.slice(0, 100)}".`,
        issues: [{ path: `filters.${id.slice(0, 100)}`, message: 'unknown filter' }],
      });
    }
    if (value === null || value === undefined) continue;
    const result = checkOne(filter, value);
    if (typeof result === 'string') issues.push({ path: `filters.${id}`, message: result });
    else if (result) checked.push(result);
  }
  if (issues.length)
    throw new TrellisError('INVALID_FILTER_VALUE', {
      message: issues.map((i) => `${i.path}: ${i.message}`).join('; '),
      issues,
    });
  return checked;
}

function checkOne(filter: ResolvedFilter, value: unknown): CheckedFilter | string | undefined {
  switch (filter.type) {
    case 'multi_select': {
      const r = multiSelectValue.safeParse(value);
      if (!r.success) return `expected a list of at most 500 strings (${firstMessage(r.error)})`;
      if (r.data.some(hasNul)) return 'values must not contain NUL characters';
      return r.data.length ? { filter, type: filter.type, value: [...new Set(r.data)] } : undefined;
    }
    case 'date_range': {
      const r = dateRangeValue.safeParse(value);
      if (!r.success) return `expected { from?: YYYY-MM-DD, to?: YYYY-MM-DD } (${firstMessage(r.error)})`;
      return r.data.from || r.data.to ? { filter, type: filter.type, value: r.data } : undefined;
    }
    case 'number_range': {
      const r = numberRangeValue.safeParse(value);
      if (!r.success) return `expected { min?: number, max?: number } (${firstMessage(r.error)})`;
      return r.data.min !== undefined || r.data.max !== undefined
        ? { filter, type: filter.type, value: r.data }
        : undefined;
    }
    case 'text': {
      const r = textValue.safeParse(value);
      if (!r.success) return `expected a string of at most 1000 characters (${firstMessage(r.error)})`;
      if (hasNul(r.data)) return 'text must not contain NUL characters';
      const text = r.data.trim();
      return text ? { filter, type: filter.type, value: text } : undefined;
    }
  }
}

const hasNul = (s: string) => s.includes('\u0000');

function firstMessage(error: { issues: readonly { message: string }[] }): string {
  return error.issues[0]?.message ?? 'invalid';
}

/** The plan filters a widget gets from the dashboard's filter values and its own fixed `where`. */
export function planFiltersFor(
  widget: ResolvedDataWidget,
  dataset: Dataset,
  filters: readonly CheckedFilter[],
): PlanFilter[] {
  const out: PlanFilter[] = widget.where.map((w) => whereToPlan(w));
  for (const f of filters) {
    if (widget.ignore_filters.includes(f.filter.id)) continue;
    out.push(...filterToPlan(f, dataset));
  }
  return out;
}

/** Plan filters for one checked filter on one dataset; none when the dataset lacks the column. */
export function filterToPlan(f: CheckedFilter, dataset: Dataset): PlanFilter[] {
  const columnName = f.filter.columns[dataset.id] ?? f.filter.column;
  const column = dataset.columns.get(columnName);
  if (!column) return [];
  switch (f.type) {
    case 'multi_select':
      return [{ kind: 'in', column: columnName, values: f.value }];
    case 'text':
      return [{ kind: 'contains', columns: [columnName], text: f.value }];
    case 'number_range': {
      const out: PlanFilter[] = [];
      if (f.value.min !== undefined)
        out.push({ kind: 'compare', column: columnName, op: '>=', value: f.value.min });
      if (f.value.max !== undefined)
        out.push({ kind: 'compare', column: columnName, op: '<=', value: f.value.max });
      return out;
    }
    case 'date_range': {
      const out: PlanFilter[] = [];
      if (f.value.from) out.push({ kind: 'compare', column: columnName, op: '>=', value: f.value.from });
      if (f.value.to) {
        // "to" is inclusive: for timestamps that means up to the last microsecond of that day
        // (not "before the next day", which does not exist after 9999-12-31).
        if (column.type === 'timestamp')
          out.push({ kind: 'compare', column: columnName, op: '<=', value: `${f.value.to} 23:59:59.999999` });
        else out.push({ kind: 'compare', column: columnName, op: '<=', value: f.value.to });
      }
      return out;
    }
  }
}

const WHERE_OPS: Record<Exclude<WhereDef['op'], 'in' | 'is_null' | 'not_null'>, CompareOp> = {
  eq: '=',
  neq: '<>',
  gt: '>',
  gte: '>=',
  lt: '<',
  lte: '<=',
};

function whereToPlan(w: WhereDef): PlanFilter {
  switch (w.op) {
    case 'is_null':
      return { kind: 'null', column: w.column, negate: false };
    case 'not_null':
      return { kind: 'null', column: w.column, negate: true };
    case 'in':
      return {
        kind: 'in',
        column: w.column,
        values: Array.isArray(w.value) ? w.value : w.value === undefined ? [] : [String(w.value)],
      };
    default: {
      const value = Array.isArray(w.value) ? w.value[0] : w.value;
      return { kind: 'compare', column: w.column, op: WHERE_OPS[w.op], value: value ?? '' };
    }
  }
}
