import type { Kysely, Migration } from 'kysely';
import type { StoreDialect } from '../store.js';

/**
 * Runs with inputs (docs/pipelines.md#inputs): the values a run was started with, as validated JSON
 * (bounded by contract/run-inputs.ts), shown in its history and read by the worker that performs it.
 * NULL for runs without inputs and every run before this migration.
 */
export function runInputsMigration(_dialect: StoreDialect): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('pipeline_runs').addColumn('inputs', 'text').execute();
    },
  };
}
