import type { FilterDefinition, WidgetDefinition } from '../../../../contract/index.js';
import type { FilterState, FilterStateValue } from './filter-state.js';
import { formatFilterQuery } from './filter-url.js';

/**
 * Cross-filters: a click on a mark (bar, slice, cell, point, table cell) sets a dashboard filter
 * for every widget but the one clicked, which keeps showing all its marks with the chosen ones
 * selected. They live in the URL beside the filter bar's values (one `xf` pair per filter):
 *
 *   xf=<filter>:<source widget>:<value>,<value>      every part through encodeURIComponent
 *
 * encodeURIComponent never emits a raw ":" or ",", so both separators are unambiguous.
 * The server never learns any of this: a widget's request carries plain filter ids and values.
 */
export interface CrossFilter {
  readonly filter: string;
  /** The widget whose mark was clicked; it is not filtered by its own selection. */
  readonly source: string;
  readonly values: readonly string[];
}
export type CrossFilters = readonly CrossFilter[];

/** Column key → raw value of one mark, only for the widget's cross-filter columns. */
export type MarkValues = Readonly<Record<string, string>>;

export const CROSS_FILTER_PARAM = 'xf';
/** One click adds one value; a hand-made URL may not smuggle in an unbounded list. */
export const MAX_CROSS_VALUES = 50;

export function parseCrossFilters(search: string, filters: readonly FilterDefinition[]): CrossFilters {
  const usable = new Set(filters.filter((f) => f.type === 'multi_select').map((f) => f.id));
  const byFilter = new Map<string, CrossFilter>();
  for (const pair of search.replace(/^\?/, '').split('&')) {
    const eq = pair.indexOf('=');
    if (eq === -1 || pair.slice(0, eq) !== CROSS_FILTER_PARAM) continue;
    const [f, s, v, ...rest] = pair.slice(eq + 1).split(':');
    if (f === undefined || s === undefined || v === undefined || rest.length) continue;
    const filter = safeDecode(f);
    const source = safeDecode(s);
    if (!filter || !source || !usable.has(filter) || byFilter.has(filter)) continue;
    const values = [
      ...new Set(
        v
          .split(',')
          .map(safeDecode)
          .filter((x): x is string => x !== undefined),
      ),
    ].slice(0, MAX_CROSS_VALUES);
    if (values.length) byFilter.set(filter, { filter, source, values });
  }
  return [...byFilter.values()];
}

/** The `xf=…` pairs for a query string, in the order the cross-filters were applied. */
export function formatCrossFilters(cross: CrossFilters): string[] {
  return cross
    .filter((c) => c.values.length > 0)
    .map(
      (c) =>
        `${CROSS_FILTER_PARAM}=${encodeURIComponent(c.filter)}:${encodeURIComponent(c.source)}:${c.values
          .map((v) => encodeURIComponent(v))
          .join(',')}`,
    );
}

/**
 * A click on one value of one filter from one widget. The same value again removes it; another
 * value replaces it, or joins it when `additive` (Ctrl/⌘/Shift-click). A click in another widget
 * takes the filter over: one cross-filter per filter, so two never contradict each other.
 */
export function toggleCrossFilter(
  cross: CrossFilters,
  click: { filter: string; source: string; value: string; additive: boolean },
): CrossFilters {
  const existing = cross.find((c) => c.filter === click.filter);
  const others = cross.filter((c) => c.filter !== click.filter);
  let values: readonly string[];
  if (!existing || existing.source !== click.source) values = [click.value];
  else if (existing.values.includes(click.value)) values = existing.values.filter((v) => v !== click.value);
  else values = click.additive ? [...existing.values, click.value].slice(0, MAX_CROSS_VALUES) : [click.value];
  if (!values.length) return others;
  const next = { filter: click.filter, source: click.source, values };
  // Keep its place when only its values change, so the chips do not jump around.
  return existing && existing.source === click.source
    ? cross.map((c) => (c === existing ? next : c))
    : [...others, next];
}

/** Applies a mark's values for every cross-filter column of the widget, as one change. */
export function activateMark(
  cross: CrossFilters,
  widget: Pick<WidgetDefinition, 'id' | 'crossFilters'>,
  mark: MarkValues,
  additive: boolean,
): CrossFilters {
  let next = cross;
  for (const link of widget.crossFilters ?? []) {
    const value = mark[link.column];
    if (value !== undefined)
      next = toggleCrossFilter(next, { filter: link.filter, source: widget.id, value, additive });
  }
  return next;
}

/** True when every cross-filter value of this mark is selected from this widget. */
export function isMarkSelected(
  cross: CrossFilters,
  widget: Pick<WidgetDefinition, 'id' | 'crossFilters'>,
  mark: MarkValues,
): boolean {
  let any = false;
  for (const link of widget.crossFilters ?? []) {
    const value = mark[link.column];
    if (value === undefined) continue;
    const c = cross.find((x) => x.filter === link.filter && x.source === widget.id);
    if (!c?.values.includes(value)) return false;
    any = true;
  }
  return any;
}

/**
 * The filters one widget sees: the filter bar's values with every cross-filter from another widget
 * on top. A cross-filter's values are always among the bar's (the clicked chart was itself filtered
 * by the bar, and changing the bar clears the cross-filter on that filter), so "on top" narrows.
 */
export function effectiveFilters(state: FilterState, cross: CrossFilters, widgetId: string): FilterState {
  if (!cross.some((c) => c.source !== widgetId)) return state;
  const out: Record<string, FilterStateValue> = { ...state };
  for (const c of cross) if (c.source !== widgetId) out[c.filter] = [...c.values];
  return out;
}

function safeDecode(s: string): string | undefined {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}

/** The whole query string of a dashboard view: the filter bar's values, then the cross-filters. */
export function formatDashboardQuery(
  state: FilterState,
  cross: CrossFilters,
  filters: readonly FilterDefinition[],
): string {
  const parts = [formatFilterQuery(state, filters).replace(/^\?/, ''), ...formatCrossFilters(cross)].filter(
    Boolean,
  );
  return parts.length ? `?${parts.join('&')}` : '';
}
