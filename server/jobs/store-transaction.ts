import { sql, type Kysely } from 'kysely';
import type { Database } from '../store/database.types.js';
import type { Store } from '../store/store.js';

/**
 * A transaction that will write, on either dialect. On SQLite it begins IMMEDIATE: it takes the
 * single writer lock up front (waiting out other processes through the busy timeout) instead of
 * reading under a snapshot and failing to upgrade it when another process wrote in between. On
 * PostgreSQL it is an ordinary transaction; row locks (FOR UPDATE SKIP LOCKED) do the rest.
 */
export async function writeTransaction<T>(
  store: Store,
  fn: (tx: Kysely<Database>) => Promise<T>,
): Promise<T> {
  if (store.dialect === 'postgres') return store.db.transaction().execute(fn);
  return store.db.connection().execute(async (conn) => {
    await sql`begin immediate`.execute(conn);
    let result: T;
    try {
      result = await fn(conn);
    } catch (err) {
      await sql`rollback`.execute(conn);
      throw err;
    }
    await sql`commit`.execute(conn);
    return result;
  });
}

/** Unique-constraint violations on both dialects (PostgreSQL 23505, SQLite SQLITE_CONSTRAINT_UNIQUE). */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: unknown } | null;
  return (
    e?.code === '23505' ||
    e?.code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY'
  );
}
