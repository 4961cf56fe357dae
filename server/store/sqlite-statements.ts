import type SQLite from 'better-sqlite3';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

/** Statements kept per database: the store's SQL comes from code, so a few dozen shapes in practice. */
export const MAX_CACHED_STATEMENTS = 256;

/**
 * The SQLite database as Kysely sees it, with a bounded cache of prepared statements keyed by SQL.
 * Kysely's driver prepares every statement anew, which was the largest single cost of an
 * authenticated request (the session or token lookup runs on every one): about a fifth of the busy
 * time of a cached widget request. better-sqlite3 statements are reusable with new parameters, and
 * SQLite re-prepares one by itself when the schema changes under it. A statement still being
 * iterated (`busy`) is never handed out twice: the caller gets a fresh one.
 */
export function withStatementCache(
  database: SQLite.Database,
  max = MAX_CACHED_STATEMENTS,
): SqliteDatabase & { readonly cachedStatements: number } {
  if (!Number.isInteger(max) || max < 1) throw new RangeError(`max must be a whole number ≥ 1: ${max}`);
  const statements = new Map<string, SQLite.Statement>();
  return {
    get cachedStatements() {
      return statements.size;
    },
    close: () => {
      statements.clear();
      database.close();
    },
    prepare: (sql: string): SqliteStatement => {
      const known = statements.get(sql);
      if (known && !known.busy) {
        // Least recently used first out: re-inserting moves it to the end of the Map's order.
        statements.delete(sql);
        statements.set(sql, known);
        return known;
      }
      const statement = database.prepare(sql);
      if (known) return statement; // the cached one is mid-iteration: this one is used once
      statements.set(sql, statement);
      if (statements.size > max) {
        const oldest = statements.keys().next().value;
        if (oldest !== undefined) statements.delete(oldest);
      }
      return statement;
    },
  };
}
