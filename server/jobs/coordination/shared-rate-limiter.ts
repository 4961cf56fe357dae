import { sql } from 'kysely';
import type { RateLimitSpec } from '../../config/project/pipeline.types.js';
import { sleep } from '../../resilience/sleep.js';
import type { Store } from '../../store/store.js';

/**
 * Named rate limits shared by every run, pipeline, worker and instance that uses the metadata store
 * (docs/pipelines.md#rate-limits): a token bucket per name in `rate_buckets` (migration 0009). A take
 * is ONE conditional UPDATE — refill from the elapsed time, spend a token if there is one — so two
 * processes can never spend the same token, whatever the database (SQLite file or PostgreSQL).
 *
 * Within a process, takes of one bucket line up behind each other (one store round trip at a time),
 * so a run with 32 calls in flight does not poll the store 32 times over.
 */
export interface SharedRateLimiter {
  /** Resolves when the caller may make one call under `limit`; rejects with the signal's reason. */
  take(limit: RateLimitSpec, signal: AbortSignal): Promise<void>;
}

/** The longest single wait before asking the bucket again (another process may have left tokens unused). */
const MAX_POLL_MS = 1_000;

export class StoreRateLimiter implements SharedRateLimiter {
  private readonly lines = new Map<string, Promise<unknown>>();

  constructor(
    private readonly store: Store,
    private readonly now: () => number = Date.now,
  ) {}

  take(limit: RateLimitSpec, signal: AbortSignal): Promise<void> {
    const before = this.lines.get(limit.name) ?? Promise.resolve();
    const mine = before.catch(() => undefined).then(() => this.takeNow(limit, signal));
    const settled = mine.catch(() => undefined);
    this.lines.set(limit.name, settled);
    void settled.then(() => {
      if (this.lines.get(limit.name) === settled) this.lines.delete(limit.name);
    });
    return mine;
  }

  private async takeNow(limit: RateLimitSpec, signal: AbortSignal): Promise<void> {
    const perMs = limit.calls / limit.perMs;
    const { db } = this.store;
    await db
      .insertInto('rate_buckets')
      .values({ name: limit.name, tokens: limit.burst, updated_at: this.now() })
      .onConflict((oc) => oc.column('name').doNothing())
      .execute();
    for (;;) {
      signal.throwIfAborted();
      const now = this.now();
      // Bound as doubles/bigints explicitly: PostgreSQL would otherwise guess the rate is a bigint.
      const rate = sql<number>`cast(${perMs} as double precision)`;
      const at = sql<number>`cast(${now} as bigint)`;
      const elapsed = sql<number>`(case when ${at} > updated_at then ${at} - updated_at else 0 end)`;
      const refilled = sql<number>`(case when tokens + ${elapsed} * ${rate} > ${limit.burst} then cast(${limit.burst} as double precision) else tokens + ${elapsed} * ${rate} end)`;
      const result = await db
        .updateTable('rate_buckets')
        .set({
          tokens: sql<number>`${refilled} - 1`,
          updated_at: sql<number>`(case when updated_at > ${at} then updated_at else ${at} end)`,
        })
        .where('name', '=', limit.name)
        .where(refilled, '>=', 1)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) > 0) return;
      const row = await db
        .selectFrom('rate_buckets')
        .select(['tokens', 'updated_at'])
        .where('name', '=', limit.name)
        .executeTakeFirst();
      const tokens = row
        ? Math.min(limit.burst, Number(row.tokens) + Math.max(0, now - Number(row.updated_at)) * perMs)
        : 0;
      const waitMs = Math.max(1, Math.ceil((1 - tokens) / perMs));
      await sleep(Math.min(waitMs, MAX_POLL_MS), signal);
    }
  }
}
