import type { Dataset } from '../config/project/project.types.js';
import type { IngestCell } from './ingest-writer.js';

/**
 * The read side an enrichment needs from an ingest target (ingest-writer.ts `readRows`/`countRows`):
 * the next batch of a table's rows in key order, after a cursor, keeping only the rows whose result
 * row is absent (`pending`), failed (`failed`), or all of them. The SQL is built behind the engine
 * seam (engines/ingest-read-statements.ts); this module holds only the shapes and value reading.
 */
export interface IngestReadQuery {
  /** The table read (it must hold the tenant column when the writer has one). */
  readonly from: string;
  /**
   * Read this dataset's rows instead of the table `from` (its table or SQL, compiled for the
   * writer's engine and scoped to the writer's organisation by the dataset's own tenancy).
   */
  readonly dataset?: Dataset;
  readonly columns: readonly string[];
  /** Key columns, present in both tables: the order of the batches and the join to the results. */
  readonly key: readonly string[];
  /**
   * Only rows whose (one-column) key is one of these (a run's `keys` input: at most 1,000, bound as
   * values); absent: every row.
   */
  readonly only?: readonly string[];
  /** Rows with a key after this one (null: from the start). */
  readonly after: readonly IngestCell[] | null;
  readonly results: {
    readonly table: string;
    readonly statusColumn: string;
    readonly mode: 'pending' | 'failed' | 'all';
  };
}

/** Values as the enrichment templates them: numbers, strings, booleans, null (dates as ISO text). */
export function readCell(value: unknown): IngestCell {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint')
    return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER)
      ? Number(value)
      : value.toString();
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (value instanceof Date) return value.toISOString();
  return String(value);
}
