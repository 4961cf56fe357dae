import { createHash } from 'node:crypto';
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
  const hash = createHash('sha1')
    .update(canonicalJson(request as object))
    .update(runs.map((r) => `${r.cache === 'live' ? 'live' : r.asOf}`).join(','))
    .digest('base64url')
    .slice(0, 22);
  const live = runs.some((r) => r.cache === 'live');
  const stale = runs.some((r) => r.stale);
  const freshUntil = Math.min(...runs.map((r) => r.freshUntil));
  return {
    etag: `W/"${hash}"`,
    maxAgeSeconds: Math.max(0, Math.floor((freshUntil - Date.now()) / 1000)),
    noStore: live || stale,
  };
}
