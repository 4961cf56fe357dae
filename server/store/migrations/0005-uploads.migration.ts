import { sql, type Kysely, type Migration } from 'kysely';
import type { StoreDialect } from '../store.js';

/**
 * Uploads (docs/uploads.md): one row per file an organisation sent to an upload target, from the
 * moment it is on disk. The id is random (never a counter another organisation could walk), and
 * every lookup names the organisation too.
 */
export function uploadsMigration(_dialect: StoreDialect): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('uploads')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('organisation_id', 'text', (c) => c.notNull())
        .addColumn('target', 'text', (c) => c.notNull())
        .addColumn('file_name', 'text', (c) => c.notNull())
        .addColumn('format', 'text', (c) => c.notNull())
        .addColumn('bytes', 'bigint', (c) => c.notNull())
        .addColumn('sha256', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) =>
          c.notNull().check(sql`status in ('received', 'rejected', 'importing', 'imported', 'failed')`),
        )
        .addColumn('error_code', 'text')
        .addColumn('uploaded_by', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('uploads_target_idx')
        .on('uploads')
        .columns(['organisation_id', 'target', 'created_at'])
        .execute();
    },
  };
}
