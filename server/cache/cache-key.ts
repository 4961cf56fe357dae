import { createHash } from 'node:crypto';
import type { SqlValue } from '../query/plan.js';
import { BoundedMemo } from './bounded-memo.js';

/**
 * Everything that decides a query's result, and nothing else. Two requests share a cache entry only
 * when all of these are equal:
 * - `source` and `sql`: the statement and where it runs;
 * - `params`: the bound values, typed (1 and "1" bind differently, so they are different keys);
 * - `tenant`: the caller's organisation slug on datasets with a tenant column, or SHARED_TENANT on
 *   `shared: true` datasets — a tenant's rows can never be served to another tenant even if the
 *   compiled SQL were identical;
 * - `dataset` and `datasetVersion`: bumping the version (a pipeline or upload changed the data) moves
 *   every request of that dataset to new keys at once, without waiting for TTLs.
 */
export interface CacheKeyParts {
  readonly source: string;
  readonly sql: string;
  readonly params: readonly SqlValue[];
  readonly tenant: string;
  readonly dataset: string;
  readonly datasetVersion: number;
}

declare const cacheKeyBrand: unique symbol;
/** sha256 hex of the canonical parts: fixed length, safe in Redis keys and channel names. */
export type CacheKey = string & { readonly [cacheKeyBrand]: true };

/** Not an organisation slug (those are [a-z0-9-]), so no organisation can share keys with shared datasets. */
export const SHARED_TENANT = '*shared*';

/** Bump when the key layout or the entry format changes, so old entries are never misread. */
export const KEY_FORMAT = 2;

export function cacheKey(parts: CacheKeyParts): CacheKey {
  // Every cache hit computes its key, so the digest is memoised by a cheap exact identity of the
  // parts: JSON of a fixed-shape array. JSON keeps strings, numbers, booleans and null apart and
  // escapes separators, so two different parts never share an identity; the digest itself is the
  // same sha256 of the canonical form as before, so keys do not change between versions.
  assertKeyable(parts);
  const identity = JSON.stringify([
    parts.source,
    parts.sql,
    parts.params,
    parts.tenant,
    parts.dataset,
    parts.datasetVersion,
  ]);
  return keyMemo.get(identity, () => {
    const canonical = canonicalJson({
      format: KEY_FORMAT,
      source: parts.source,
      sql: parts.sql,
      params: parts.params,
      tenant: parts.tenant,
      dataset: parts.dataset,
      datasetVersion: parts.datasetVersion,
    });
    return createHash('sha256').update(canonical).digest('hex') as CacheKey;
  });
}

/** Keys remembered, bounded by the characters of their identities (SQL + values: about 8 MB). */
export const KEY_MEMO_CHARS = 4_000_000;
const keyMemo = new BoundedMemo<CacheKey>(KEY_MEMO_CHARS);

/**
 * The memo's identity must only ever see values canonicalJson accepts (a Date would stringify like
 * a string): the same refusals as canonicalJson, checked before the memo is consulted.
 */
function assertKeyable(parts: CacheKeyParts): void {
  for (const v of parts.params) {
    if (v === null || typeof v === 'string' || typeof v === 'boolean') continue;
    if (typeof v === 'number' && Number.isFinite(v)) continue;
    throw new TypeError(`cannot key a parameter of type ${typeof v}: ${String(v)}`);
  }
  if (!Number.isFinite(parts.datasetVersion)) throw new TypeError('cannot key a non-finite dataset version');
}

/**
 * JSON with object keys sorted, so equal values always give equal text. JSON already keeps types
 * apart (1, "1", true, null); what it would blur is refused: NaN and ±Infinity (JSON writes them as
 * null, which would collide with a real NULL), and anything that is not plain data.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`cannot key a non-finite number: ${value}`);
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  throw new TypeError(`cannot key a value of type ${typeof value}`);
}
