import type { FastifyRequest } from 'fastify';
import { TrellisError } from '../errors.js';

export interface RateLimitConfig {
  /** Tokens added per second (the sustained rate); 0 turns the limit off. */
  readonly perSecond: number;
  /** Bucket size: how many requests may come at once (a dashboard opening asks for every widget). */
  readonly burst: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * Token buckets per key (the user), in this process's memory. Each request takes one token; tokens
 * come back at `perSecond` up to `burst`. An empty bucket is RATE_LIMITED with the seconds until the
 * next token as Retry-After. Several instances each keep their own buckets, so behind a load balancer
 * a user gets up to instances × the rate — the per-source fair share still holds on each.
 *
 * Bounded: at most `maxKeys` buckets; when full, buckets that have refilled (they hold nothing a new
 * bucket would not) are dropped first, then the oldest.
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly config: RateLimitConfig,
    private readonly now: () => number = () => performance.now(),
    private readonly maxKeys = 100_000,
  ) {}

  get enabled(): boolean {
    return this.config.perSecond > 0;
  }

  get size(): number {
    return this.buckets.size;
  }

  /** Takes a token for `key`: 0 when allowed, else the milliseconds until one is available. */
  take(key: string): number {
    if (!this.enabled) return 0;
    const now = this.now();
    const { perSecond, burst } = this.config;
    let bucket = this.buckets.get(key);
    if (bucket) {
      bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) / 1000) * perSecond);
      bucket.at = now;
      // Recently used keys move to the back, so the front holds the ones idle longest.
      this.buckets.delete(key);
      this.buckets.set(key, bucket);
    } else {
      this.makeRoom(now);
      bucket = { tokens: burst, at: now };
      this.buckets.set(key, bucket);
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - bucket.tokens) / perSecond) * 1000);
  }

  private makeRoom(now: number): void {
    if (this.buckets.size < this.maxKeys) return;
    const { perSecond, burst } = this.config;
    for (const [key, b] of this.buckets) {
      if (this.buckets.size < this.maxKeys * 0.9) return;
      if (b.tokens + ((now - b.at) / 1000) * perSecond >= burst) this.buckets.delete(key);
    }
    while (this.buckets.size >= this.maxKeys) {
      const oldest = this.buckets.keys().next();
      if (oldest.done) return;
      this.buckets.delete(oldest.value);
    }
  }
}

/**
 * A route hook (after authentication) that spends one of the signed-in user's tokens; an API token
 * counts for its user. Requests without a session are left to the authentication hook's refusal.
 */
export function userRateLimit(buckets: TokenBuckets): (request: FastifyRequest) => Promise<void> {
  return async (request) => {
    const user = request.session?.user.id;
    if (user === undefined || !buckets.enabled) return;
    const waitMs = buckets.take(user);
    if (waitMs > 0)
      throw new TrellisError('RATE_LIMITED', {
        retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)),
        detail: { user, route: request.routeOptions.url },
      });
  };
}
