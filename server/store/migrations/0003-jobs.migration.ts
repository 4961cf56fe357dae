import { sql, type ColumnDefinitionBuilder, type Kysely, type Migration } from 'kysely';
import type { StoreDialect } from '../store.js';

/**
 * The job system: the embedded queue (`jobs`), pipeline runs with their logs, and publications
 * (datasets a worker replaced, which every web process polls to reopen and invalidate).
 */
export function jobsMigration(dialect: StoreDialect): Migration {
  // An auto-numbered primary key on either dialect (as audit_log's in 0001).
  const idType = dialect === 'postgres' ? 'bigserial' : 'integer';
  const idColumn = (c: ColumnDefinitionBuilder) =>
    dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement();
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('jobs')
        .addColumn('id', idType, idColumn)
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull())
        // Enqueueing the same key again finds this row instead of adding one (NULLs never collide).
        .addColumn('idempotency_key', 'text', (c) => c.unique())
        .addColumn('status', 'text', (c) =>
          c.notNull().check(sql`status in ('queued', 'active', 'completed', 'failed')`),
        )
        .addColumn('priority', 'integer', (c) => c.notNull())
        .addColumn('attempts_made', 'integer', (c) => c.notNull())
        .addColumn('max_attempts', 'integer', (c) => c.notNull())
        .addColumn('backoff_ms', 'integer', (c) => c.notNull())
        .addColumn('timeout_ms', 'bigint', (c) => c.notNull())
        .addColumn('run_at', 'bigint', (c) => c.notNull())
        // The claim's fencing token: completion and heartbeats only count while it is still ours.
        .addColumn('locked_by', 'text')
        .addColumn('lease_until', 'bigint')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('started_at', 'bigint')
        .addColumn('finished_at', 'bigint')
        .addColumn('last_error', 'text')
        .execute();
      await db.schema
        .createIndex('jobs_claim_idx')
        .on('jobs')
        .columns(['status', 'priority', 'id'])
        .execute();
      await db.schema.createIndex('jobs_lease_idx').on('jobs').columns(['status', 'lease_until']).execute();

      await db.schema
        .createTable('pipeline_runs')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('organisation', 'text', (c) => c.notNull())
        .addColumn('pipeline_id', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) =>
          c.notNull().check(sql`status in ('queued', 'running', 'succeeded', 'failed', 'cancelled')`),
        )
        .addColumn('trigger', 'text', (c) => c.notNull().check(sql`trigger in ('manual', 'schedule', 'cli')`))
        .addColumn('requested_by', 'text')
        // A schedule tick's key: the tick makes one run whichever instance gets there first.
        .addColumn('idempotency_key', 'text', (c) => c.unique())
        // The per-pipeline mutex: the pipeline id while this run is the one allowed to run (queued
        // at the head, or running); NULL for runs waiting behind it and for finished runs. A unique
        // column, so the database itself refuses a second active run.
        .addColumn('lock_key', 'text', (c) => c.unique())
        .addColumn('queued_at', 'bigint', (c) => c.notNull())
        .addColumn('started_at', 'bigint')
        .addColumn('finished_at', 'bigint')
        .addColumn('rows_written', 'bigint', (c) => c.notNull())
        .addColumn('progress', 'text', (c) => c.notNull())
        .addColumn('error_code', 'text')
        .addColumn('error_message', 'text')
        .addColumn('cancel_requested', 'integer', (c) => c.notNull())
        .addColumn('log_lines', 'integer', (c) => c.notNull())
        // Bumped by every change; web processes poll for rows changed since their last look.
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('pipeline_runs_history_idx')
        .on('pipeline_runs')
        .columns(['pipeline_id', 'queued_at', 'id'])
        .execute();
      await db.schema
        .createIndex('pipeline_runs_updated_idx')
        .on('pipeline_runs')
        .columns(['updated_at'])
        .execute();

      await db.schema
        .createTable('pipeline_run_logs')
        .addColumn('id', idType, idColumn)
        .addColumn('run_id', 'text', (c) => c.notNull().references('pipeline_runs.id').onDelete('cascade'))
        .addColumn('seq', 'integer', (c) => c.notNull())
        .addColumn('at', 'bigint', (c) => c.notNull())
        .addColumn('level', 'text', (c) => c.notNull().check(sql`level in ('info', 'warn', 'error')`))
        .addColumn('message', 'text', (c) => c.notNull())
        .addUniqueConstraint('pipeline_run_logs_seq_uq', ['run_id', 'seq'])
        .execute();
      await db.schema.createIndex('pipeline_run_logs_at_idx').on('pipeline_run_logs').column('at').execute();

      await db.schema
        .createTable('publications')
        .addColumn('id', idType, idColumn)
        .addColumn('at', 'bigint', (c) => c.notNull())
        /** JSON array of dataset ids. */
        .addColumn('datasets', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('publications_at_idx').on('publications').column('at').execute();
    },
  };
}
