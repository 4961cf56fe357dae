import { sql, type Kysely, type Migration } from 'kysely';
import type { StoreDialect } from '../store.js';

/**
 * Uploads, continued (docs/uploads.md): the validation report and profile of an upload (computed
 * once, then paged), its first failing cells (bounded), and the versions an organisation imported
 * into a target — the metadata; the rows live in the target's engine. Every row names the
 * organisation, and every lookup does too. (0006 is reserved for dashboard presets.)
 */
export function uploadVersionsMigration(_dialect: StoreDialect): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('upload_reports')
        .addColumn('upload_id', 'text', (c) => c.primaryKey())
        .addColumn('organisation_id', 'text', (c) => c.notNull())
        .addColumn('total_rows', 'bigint', (c) => c.notNull())
        .addColumn('invalid_rows', 'bigint', (c) => c.notNull())
        .addColumn('failures_total', 'bigint', (c) => c.notNull())
        .addColumn('failures_stored', 'integer', (c) => c.notNull())
        .addColumn('problems', 'text', (c) => c.notNull())
        .addColumn('profile', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('upload_failures')
        .addColumn('upload_id', 'text', (c) => c.notNull())
        .addColumn('seq', 'integer', (c) => c.notNull())
        .addColumn('row_number', 'bigint', (c) => c.notNull())
        .addColumn('column_name', 'text', (c) => c.notNull())
        .addColumn('value', 'text')
        .addColumn('rule', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('upload_failures_pk', ['upload_id', 'seq'])
        .execute();
      await db.schema
        .createTable('upload_versions')
        .addColumn('organisation_id', 'text', (c) => c.notNull())
        .addColumn('target', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('upload_id', 'text', (c) => c.notNull())
        .addColumn('file_name', 'text', (c) => c.notNull())
        .addColumn('rows', 'bigint', (c) => c.notNull())
        .addColumn('checksum', 'text', (c) => c.notNull())
        .addColumn('mode', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('current', 'kept', 'removed')`))
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('upload_versions_pk', ['organisation_id', 'target', 'version'])
        .execute();
    },
  };
}
