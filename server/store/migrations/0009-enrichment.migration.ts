import type { Kysely, Migration } from 'kysely';
import type { StoreDialect } from '../store.js';

/**
 * Enrichment coordination (docs/pipelines.md#rate-limits and #locks), shared by every run, worker and
 * instance on this metadata store:
 * - `rate_buckets`: one token bucket per named rate limit (tokens as a real number, refilled from the
 *   elapsed time at each take, in one conditional UPDATE so two processes never spend the same token);
 * - `resource_locks`: the holder of each named lock (the primary key makes a second holder
 *   impossible) and when it expires unless renewed;
 * - `resource_lock_waiters`: the line of runs waiting for a lock, for fairness and the position shown.
 */
export function enrichmentMigration(_dialect: StoreDialect): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('rate_buckets')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('tokens', 'double precision', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('resource_locks')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('holder', 'text', (c) => c.notNull())
        .addColumn('run_id', 'text', (c) => c.notNull())
        .addColumn('acquired_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('resource_lock_waiters')
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('holder', 'text', (c) => c.notNull())
        .addColumn('enqueued_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('resource_lock_waiters_pk', ['name', 'holder'])
        .execute();
    },
  };
}
