import { sql, type Kysely } from 'kysely';
import type { Database } from './database.types.js';
import type { Store } from './store.js';

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

export type ConstraintKind = 'unique' | 'check' | 'foreign key' | 'not null';

/** PostgreSQL SQLSTATEs and better-sqlite3's extended codes, per kind of constraint. */
const CONSTRAINT_CODES: Readonly<Record<string, ConstraintKind>> = {
  '23505': 'unique',
  '23514': 'check',
  '23503': 'foreign key',
  '23502': 'not null',
  SQLITE_CONSTRAINT_UNIQUE: 'unique',
  SQLITE_CONSTRAINT_PRIMARYKEY: 'unique',
  SQLITE_CONSTRAINT_CHECK: 'check',
  SQLITE_CONSTRAINT_FOREIGNKEY: 'foreign key',
  SQLITE_CONSTRAINT_NOTNULL: 'not null',
};

/** Which constraint a failed write broke, on either dialect; null when the error is not a constraint's. */
export function constraintViolation(err: unknown): ConstraintKind | null {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? (CONSTRAINT_CODES[code] ?? null) : null;
}

/** Unique-constraint (or primary-key) violations on both dialects. */
export function isUniqueViolation(err: unknown): boolean {
  return constraintViolation(err) === 'unique';
}
