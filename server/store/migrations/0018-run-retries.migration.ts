import type { Kysely, Migration } from 'kysely';
import type { StoreDialect } from '../store.js';

/**
 * Re-running only the failed rows of a finished enrichment run (docs/pipelines.md#re-running-failed-rows):
 * the run it retries, so the worker takes the failed rows (with that run's inputs) and the history
 * shows what the run was. NULL for every other run and every run before this migration.
 */
export function runRetriesMigration(_dialect: StoreDialect): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('pipeline_runs').addColumn('retry_of', 'text').execute();
    },
  };
}
