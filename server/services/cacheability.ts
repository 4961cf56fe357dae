import { createHash } from 'node:crypto';
import { BoundedMemo } from '../cache/bounded-memo.js';
import { canonicalJson } from '../cache/cache-key.js';
import type { RunResult } from './query-runner.js';

/**
 * What a response's HTTP caching headers are made of (see http/cache-headers.ts): an entity tag that
 * changes whenever the result could (the request and when each of its queries read the source), and
 * how long the browser may reuse it.
 */
export interface Cacheability {
  readonly etag: string;
  /** Seconds the result stays fresh from now; 0 = revalidate every time. */
  readonly maxAgeSeconds: number;
  /** Live dataset or a stale-because-down result: never reused without asking. */
  readonly noStore: boolean;
}

export function cacheability(runs: readonly RunResult[], request: unknown): Cacheability {
  const reads = runs.map((r) => `${r.cache === 'live' ? 'live' : r.asOf}`).join(',');
  // Repeated requests (every cache hit) reuse their tag instead of hashing again. The identity is
  // plain JSON: the request is parsed JSON, so equal identities mean equal canonical forms (key
  // order aside, which only makes two identities share one tag).
  const identity = `${reads}\n${JSON.stringify(request)}`;
  const etag = etagMemo.get(identity, () => {
    const hash = createHash('sha1')
      .update(canonicalJson(request as object))
      .update(reads)
      .digest('base64url')
      .slice(0, 22);
    return `W/"${hash}"`;
  });
  const live = runs.some((r) => r.cache === 'live');
  const stale = runs.some((r) => r.stale);
  const freshUntil = Math.min(...runs.map((r) => r.freshUntil));
  return {
    etag,
    maxAgeSeconds: Math.max(0, Math.floor((freshUntil - Date.now()) / 1000)),
    noStore: live || stale,
  };
}

/** Tags remembered, bounded by the characters of requests' JSON (about 2 MB). */
const etagMemo = new BoundedMemo<string>(1_000_000);
