import { createHash } from 'node:crypto';
import { BoundedMemo } from '../cache/bounded-memo.js';
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

export function cacheability(runs: readonly RunResult[], identity: string): Cacheability {
  // Each run's tag names the result it served: the dataset and when the entry was read from the
  // source for cached results, the dataset and a digest of the rows for live ones (whose entry
  // time would change on every run — or, worse, a constant would earn a 304 for changed rows).
  const reads = runs.map((r) => r.tag).join(',');
  // Repeated requests (every cache hit) reuse their tag instead of hashing again. `identity` is
  // the JSON of the request's tag parts (tenant, dashboard, widget, body): two requests differing
  // only in key order get two tags, which costs a 304, never a wrong one.
  const etag = etagMemo.get(`${reads}\n${identity}`, () => {
    const hash = createHash('sha1')
      .update(identity)
      .update('\n')
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
