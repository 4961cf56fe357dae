import { sql } from 'kysely';
import type { RateLimitSpec } from '../../config/project/pipeline.types.js';
import type { Store } from '../../store/store.js';
import { BlockTakes, type BlockTake } from './block-takes.js';

/**
 * Named rate limits shared by every run, pipeline, worker and instance that uses the metadata store
 * (docs/pipelines.md#rate-limits): a token bucket per name in `rate_buckets` (migration 0009). A take
 * is ONE conditional UPDATE — refill from the elapsed time, spend tokens if there are enough — so two
 * processes can never spend the same token, whatever the database (SQLite file or PostgreSQL).
 *
 * Tokens are taken in blocks (BlockTakes): the calls of a process waiting for one bucket are served
 * together, up to as many tokens as they are, in one round trip — a run with 32 calls in flight asks
 * the store once for all of them, not 32 times. A token is only ever taken for a caller already
 * waiting and handed over at once, never kept for later, so the bucket's bound holds for the calls
 * themselves (at most `burst` + rate × time in any interval, across every process).
 */
export interface SharedRateLimiter {
  /** Resolves when the caller may make one call under `limit`; rejects with the signal's reason. */
  take(limit: RateLimitSpec, signal: AbortSignal): Promise<void>;
}

export class StoreRateLimiter implements SharedRateLimiter {
  private readonly blocks = new BlockTakes((limit, wanted) => this.takeUpTo(limit, wanted));
  /** Buckets whose row this process has made sure of (rows are never deleted). */
  private readonly created = new Set<string>();

  constructor(
    private readonly store: Store,
    private readonly now: () => number = Date.now,
  ) {}

  take(limit: RateLimitSpec, signal: AbortSignal): Promise<void> {
    return this.blocks.take(limit, signal);
  }

  /**
   * Takes `wanted` tokens when the bucket holds them (one UPDATE); otherwise reads it and takes what
   * it holds, or answers how long until one token is there.
   */
  private async takeUpTo(limit: RateLimitSpec, wanted: number): Promise<BlockTake> {
    const perMs = limit.calls / limit.perMs;
    const { db } = this.store;
    if (!this.created.has(limit.name)) {
      await db
        .insertInto('rate_buckets')
        .values({ name: limit.name, tokens: limit.burst, updated_at: this.now() })
        .onConflict((oc) => oc.column('name').doNothing())
        .execute();
      this.created.add(limit.name);
    }
    let want = Math.min(wanted, Math.max(1, Math.floor(limit.burst)));
    for (let attempt = 0; attempt < 3; attempt++) {
      const now = this.now();
      // Bound as doubles/bigints explicitly: PostgreSQL would otherwise guess the rate is a bigint.
      const rate = sql<number>`cast(${perMs} as double precision)`;
      const at = sql<number>`cast(${now} as bigint)`;
      const n = sql<number>`cast(${want} as double precision)`;
      const elapsed = sql<number>`(case when ${at} > updated_at then ${at} - updated_at else 0 end)`;
      const refilled = sql<number>`(case when tokens + ${elapsed} * ${rate} > ${limit.burst} then cast(${limit.burst} as double precision) else tokens + ${elapsed} * ${rate} end)`;
      const result = await db
        .updateTable('rate_buckets')
        .set({
          tokens: sql<number>`${refilled} - ${n}`,
          updated_at: sql<number>`(case when updated_at > ${at} then updated_at else ${at} end)`,
        })
        .where('name', '=', limit.name)
        .where(refilled, '>=', n)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) > 0) return { taken: want, waitMs: 0 };
      const row = await db
        .selectFrom('rate_buckets')
        .select(['tokens', 'updated_at'])
        .where('name', '=', limit.name)
        .executeTakeFirst();
      const tokens = row
        ? Math.min(limit.burst, Number(row.tokens) + Math.max(0, now - Number(row.updated_at)) * perMs)
        : 0;
      if (!row) {
        // The row is gone (a cleared store): make it again on the next turn.
        this.created.delete(limit.name);
        return { taken: 0, waitMs: 1 };
      }
      if (tokens < 1) return { taken: 0, waitMs: Math.max(1, Math.ceil((1 - tokens) / perMs)) };
      // Fewer than wanted: take what is there (the UPDATE checks again, so a race only costs a turn).
      want = Math.min(want, Math.floor(tokens));
    }
    return { taken: 0, waitMs: 1 };
  }
}
