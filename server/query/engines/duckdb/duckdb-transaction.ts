import type { DuckDBConnection } from '@duckdb/node-api';

/** Runs `work` in one DuckDB transaction on `conn`: committed whole, or rolled back and rethrown. */
export async function inTransaction(conn: DuckDBConnection, work: () => Promise<void>): Promise<void> {
  await conn.run('BEGIN TRANSACTION');
  try {
    await work();
    await conn.run('COMMIT');
  } catch (err) {
    try {
      await conn.run('ROLLBACK');
    } catch {
      // The transaction is already gone (an interrupt or a failed commit rolls back by itself);
      // the original error is the one to report.
    }
    throw err;
  }
}
