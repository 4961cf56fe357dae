import { isIsoDate } from './filter-state.js';

/** The audit page's filters as the page (and its URL) holds them: dates are local calendar days. */
export interface AuditFilters {
  readonly action?: string;
  readonly actor?: string;
  readonly outcome?: AuditOutcome;
  /** YYYY-MM-DD, from the start of that day (local time). */
  readonly from?: string;
  /** YYYY-MM-DD, to the end of that day (local time). */
  readonly to?: string;
}

/** The outcomes the API filters on (contract/admin.schema.ts auditQuery.outcome). */
export const AUDIT_OUTCOMES = ['success', 'failure', 'locked_out'] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];
/** One page of the log; the contract allows 1–500. */
export const AUDIT_PAGE_SIZE = 100;

const KEYS = ['action', 'actor', 'outcome', 'from', 'to'] as const;

/** Drops empty and malformed values, so equal views give equal URLs and query keys. */
export function normalizeAuditFilters(raw: Partial<Record<(typeof KEYS)[number], unknown>>): AuditFilters {
  const out: { -readonly [K in keyof AuditFilters]: AuditFilters[K] } = {};
  const text = (v: unknown, max: number) =>
    typeof v === 'string' && v.trim() !== '' ? v.trim().slice(0, max) : undefined;
  const action = text(raw.action, 60);
  const actor = text(raw.actor, 254);
  if (action) out.action = action;
  if (actor) out.actor = actor;
  if (typeof raw.outcome === 'string' && (AUDIT_OUTCOMES as readonly string[]).includes(raw.outcome))
    out.outcome = raw.outcome as AuditOutcome;
  if (typeof raw.from === 'string' && isIsoDate(raw.from)) out.from = raw.from;
  if (typeof raw.to === 'string' && isIsoDate(raw.to)) out.to = raw.to;
  return out;
}

/** The page's own URL query (`?action=login&from=2026-01-05`), read back by parseAuditFilters. */
export function formatAuditFilters(filters: AuditFilters): string {
  const params = new URLSearchParams();
  for (const key of KEYS) {
    const v = filters[key];
    if (v !== undefined) params.set(key, v);
  }
  const qs = params.toString();
  return qs ? `?${qs}` : '';
}

export function parseAuditFilters(search: string): AuditFilters {
  const params = new URLSearchParams(search);
  const raw: Partial<Record<(typeof KEYS)[number], string>> = {};
  for (const key of KEYS) {
    const v = params.get(key);
    if (v !== null) raw[key] = v;
  }
  return normalizeAuditFilters(raw);
}

/** What is wrong with the filters as a whole, or undefined. */
export function auditFilterProblem(filters: AuditFilters): string | undefined {
  if (filters.from && filters.to && filters.from > filters.to) return 'The start date is after the end date.';
  return undefined;
}

/**
 * The API's query string (GET /api/v1/audit): days become instants at the edges of the local day,
 * with their offset, so "5 January" means the viewer's 5 January. The cursor and limit are for the
 * JSON pages only; the CSV export takes the same filters without them.
 */
export function auditQueryString(
  filters: AuditFilters,
  cursor?: string,
  /** null: no limit parameter (the CSV export streams everything, bounded by the server). */
  limit: number | null = AUDIT_PAGE_SIZE,
): string {
  const params = new URLSearchParams();
  if (filters.action) params.set('action', filters.action);
  if (filters.actor) params.set('actor', filters.actor);
  if (filters.outcome) params.set('outcome', filters.outcome);
  if (filters.from) params.set('from', localDayStart(filters.from).toISOString());
  if (filters.to) params.set('to', localDayEnd(filters.to).toISOString());
  if (cursor) params.set('cursor', cursor);
  if (limit !== null) params.set('limit', String(limit));
  const qs = params.toString();
  return qs ? `?${qs}` : '';
}

export function auditCsvUrl(filters: AuditFilters, base = '/api/v1'): string {
  return `${base}/audit.csv${auditQueryString(filters, undefined, null)}`;
}

function localDayStart(day: string): Date {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return new Date(y, m - 1, d, 0, 0, 0, 0);
}

function localDayEnd(day: string): Date {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return new Date(y, m - 1, d, 23, 59, 59, 999);
}
