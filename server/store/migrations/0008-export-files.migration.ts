import { sql, type Kysely, type Migration } from 'kysely';
import type { StoreDialect } from '../store.js';

/**
 * Export jobs (docs/exports.md): one row per export that runs on the worker, from the request to the
 * file's deletion. The id is random (never a counter another organisation could walk); every lookup
 * names the organisation too, and the requester is kept because only they (and the organisation's
 * admins) may download the file. 0006 and 0007 are taken by other branches.
 */
export function exportFilesMigration(_dialect: StoreDialect): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('export_files')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('organisation_id', 'text', (c) => c.notNull())
        /** The organisation's slug when asked: the tenant whose rows the worker exports. */
        .addColumn('tenant', 'text', (c) => c.notNull())
        .addColumn('requested_by', 'text', (c) => c.notNull())
        /** The requester's role when asked: which dashboards the worker may read for them. */
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('dashboard', 'text', (c) => c.notNull())
        .addColumn('widget', 'text', (c) => c.notNull())
        .addColumn('format', 'text', (c) => c.notNull())
        .addColumn('bom', 'integer', (c) => c.notNull().defaultTo(0))
        /** The request's filter values and sort as JSON (ids and values, never SQL). */
        .addColumn('request', 'text', (c) => c.notNull())
        .addColumn('file_name', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) =>
          c.notNull().check(sql`status in ('queued', 'running', 'ready', 'failed', 'cancelled', 'expired')`),
        )
        .addColumn('rows_total', 'bigint')
        .addColumn('rows_done', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('rows_per_second', 'bigint')
        .addColumn('bytes', 'bigint')
        .addColumn('error_code', 'text')
        .addColumn('cancel_requested', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('request_id', 'text')
        .addColumn('ip', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addColumn('finished_at', 'bigint')
        .addColumn('expires_at', 'bigint')
        .execute();
      await db.schema
        .createIndex('export_files_org_idx')
        .on('export_files')
        .columns(['organisation_id', 'created_at'])
        .execute();
      await db.schema
        .createIndex('export_files_expiry_idx')
        .on('export_files')
        .columns(['expires_at'])
        .execute();
    },
  };
}
