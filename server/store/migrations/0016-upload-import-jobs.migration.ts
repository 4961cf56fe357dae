import type { Kysely, Migration } from 'kysely';
import type { StoreDialect } from '../store.js';

/**
 * Uploads imported by the worker (docs/uploads.md, "Several instances"): an import request enqueues
 * a job and answers at once, so the upload row carries what the job and the pages need —
 * the job's id (start-up recovery asks the queue about it), when the worker began the import (null
 * while it waits its turn), and the import's outcome as JSON (the new version, the row difference,
 * the skipped rows) for the instance that answers the next poll.
 */
export function uploadImportJobsMigration(_dialect: StoreDialect): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('uploads').addColumn('import_job', 'text').execute();
      await db.schema.alterTable('uploads').addColumn('import_started_at', 'bigint').execute();
      await db.schema.alterTable('uploads').addColumn('import_result', 'text').execute();
    },
  };
}
