import { parseDuration } from '../config/units.js';

/** A dataset's `freshness` from its project file: a tier, a duration ("90s", "2m") or milliseconds. */
export type Freshness = 'live' | 'short' | 'medium' | 'long' | string | number;

/**
 * How long a result is served as is (`ttlMs`), how long after that it is still served at once while
 * it is refreshed in the background (`graceMs`), and how long it is kept to be served, marked stale,
 * when the source is down (`staleIfErrorMs`, counted from the end of freshness).
 */
export interface FreshnessPolicy {
  readonly ttlMs: number;
  readonly graceMs: number;
  readonly staleIfErrorMs: number;
}

export const TIER_TTL_MS = {
  short: 60_000,
  medium: 5 * 60_000,
  long: 30 * 60_000,
} as const;

/**
 * Grace equals the TTL, capped at 10 minutes. Equal to the TTL because a dataset whose owner accepts
 * N minutes of staleness accepts up to 2N for one request while the refresh runs (every request
 * after it gets fresh data); capped because for `long` (30 min) an hour-old answer served as
 * "fresh enough" would surprise people, and a refresh is cheap next to that.
 */
export const MAX_GRACE_MS = 10 * 60_000;

/**
 * 24 hours of stale-if-error: long enough to ride out a night-time outage of a source, and the entry
 * is then shown with a banner giving its time, so age is never hidden. Entries are bounded by the
 * cache's byte budget (memory) or Redis's maxmemory policy, not by this window.
 */
export const STALE_IF_ERROR_MS = 24 * 3_600_000;

export interface FreshnessOptions {
  readonly maxGraceMs?: number;
  readonly staleIfErrorMs?: number;
}

/** The policy for a dataset, or undefined for `live` (and zero durations): never cached. */
export function freshnessPolicy(
  freshness: Freshness,
  options: FreshnessOptions = {},
): FreshnessPolicy | undefined {
  const ttlMs = ttlOf(freshness);
  if (ttlMs === 0) return undefined;
  const graceMs = Math.min(ttlMs, options.maxGraceMs ?? MAX_GRACE_MS);
  // Never shorter than the grace: an entry must outlive its stale-while-revalidate window.
  const staleIfErrorMs = Math.max(options.staleIfErrorMs ?? STALE_IF_ERROR_MS, graceMs);
  return { ttlMs, graceMs, staleIfErrorMs };
}

/** How long the store keeps an entry: freshness plus the longest window it may still be served in. */
export function storageTtlMs(policy: FreshnessPolicy): number {
  return policy.ttlMs + Math.max(policy.graceMs, policy.staleIfErrorMs);
}

/** The timestamps of an entry written at `now`. */
export function entryTimes(
  policy: FreshnessPolicy,
  now: number,
): { storedAt: number; freshUntil: number; staleUntil: number } {
  const freshUntil = now + policy.ttlMs;
  return { storedAt: now, freshUntil, staleUntil: freshUntil + policy.graceMs };
}

function ttlOf(freshness: Freshness): number {
  if (freshness === 'live') return 0;
  if (freshness === 'short' || freshness === 'medium' || freshness === 'long') return TIER_TTL_MS[freshness];
  const ms = parseDuration(freshness);
  if (!Number.isFinite(ms) || ms < 0) throw new TypeError(`invalid freshness: ${String(freshness)}`);
  return ms;
}
