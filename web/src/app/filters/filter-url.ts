import type { DateRangeValue, FilterDefinition, NumberRangeValue } from '../../../../contract/index.js';
import { normalizeValue, type FilterState, type FilterStateValue } from './filter-state.js';

/**
 * Filter state <-> URL query string, so a copied URL reproduces the view.
 *
 * Encoding (one `key=value` pair per active filter, in the dashboard's filter order):
 *   multi_select  status=RECRUITING,COMPLETED   values joined by a raw ","
 *   date_range    started=2015-01-01..2020-12-31 (either side may be empty: 2015-01-01.. or ..2020-12-31)
 *   number_range  enrollment=10..500             (likewise 10.. or ..500; JS number syntax)
 *   text          title=diabetes
 *
 * Every key and every single value goes through encodeURIComponent, which never emits a raw ","
 * (it writes %2C), so the raw "," separator cannot be confused with a comma inside a value and any
 * string round-trips, including "", ",", "..", "%", "&", "=", "+" and non-ASCII text. Ranges hold
 * only dates and numbers, whose text never contains "..", so splitting at the first ".." is safe.
 * When decoding, "+" is read as a space (form encoding) so hand-typed URLs work too; we never write
 * a raw "+". Unknown keys and values that do not fit their filter are ignored.
 */
export function formatFilterQuery(state: FilterState, filters: readonly FilterDefinition[]): string {
  const parts: string[] = [];
  for (const def of filters) {
    const value = state[def.id];
    if (value === undefined) continue;
    const encoded = encodeValue(def, value);
    if (encoded !== undefined) parts.push(`${encodeURIComponent(def.id)}=${encoded}`);
  }
  return parts.length ? `?${parts.join('&')}` : '';
}

export function parseFilterQuery(search: string, filters: readonly FilterDefinition[]): FilterState {
  const raw = new Map<string, string>();
  for (const pair of search.replace(/^\?/, '').split('&')) {
    if (!pair) continue;
    const eq = pair.indexOf('=');
    const key = safeDecode(eq === -1 ? pair : pair.slice(0, eq));
    // The first occurrence wins, like URLSearchParams.get.
    if (key !== undefined && !raw.has(key)) raw.set(key, eq === -1 ? '' : pair.slice(eq + 1));
  }
  const state: Record<string, FilterStateValue> = {};
  for (const def of filters) {
    const encoded = raw.get(def.id);
    if (encoded === undefined) continue;
    const value = normalizeValue(def, decodeValue(def, encoded));
    if (value !== undefined) state[def.id] = value;
  }
  return state;
}

function encodeValue(def: FilterDefinition, value: FilterStateValue): string | undefined {
  const v = normalizeValue(def, value);
  if (v === undefined) return undefined;
  switch (def.type) {
    case 'multi_select':
      return (v as string[]).map((s) => encodeURIComponent(s)).join(',');
    case 'text':
      return encodeURIComponent(v as string);
    case 'date_range': {
      const r = v as DateRangeValue;
      return `${r.from ?? ''}..${r.to ?? ''}`;
    }
    case 'number_range': {
      const r = v as NumberRangeValue;
      return `${encodeNumber(r.min)}..${encodeNumber(r.max)}`;
    }
  }
}

function decodeValue(def: FilterDefinition, encoded: string): unknown {
  switch (def.type) {
    case 'multi_select':
      return encoded
        .split(',')
        .map(safeDecode)
        .filter((v) => v !== undefined);
    case 'text':
      return safeDecode(encoded);
    case 'date_range': {
      const range = splitRange(encoded);
      return range && { from: range[0] || undefined, to: range[1] || undefined };
    }
    case 'number_range': {
      const range = splitRange(encoded);
      return range && { min: parseNumber(range[0]), max: parseNumber(range[1]) };
    }
  }
}

function splitRange(encoded: string): [string, string] | undefined {
  const text = safeDecode(encoded);
  if (text === undefined) return undefined;
  const at = text.indexOf('..');
  return at === -1 ? undefined : [text.slice(0, at), text.slice(at + 2)];
}

function encodeNumber(n: number | undefined): string {
  return n === undefined ? '' : encodeURIComponent(String(n));
}

function parseNumber(s: string): number | undefined {
  if (s.trim() === '') return undefined;
  const n = Number(s);
  return Number.isFinite(n) ? n : undefined;
}

/** A malformed escape (%E0%A4%A) drops that value instead of throwing. */
function safeDecode(s: string): string | undefined {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}
