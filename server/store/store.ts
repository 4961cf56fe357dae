import { mkdirSync } from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql } from 'kysely';
import type { StoreConfig } from '../config/env.js';
import type { Database } from './database.types.js';
import { migrations } from './migrations/migrations.js';
import { withStatementCache } from './sqlite-statements.js';

export type StoreDialect = 'sqlite' | 'postgres';

/** The metadata store: users, organisations, sessions, audit. One per process, shared by services. */
export interface Store {
  readonly db: Kysely<Database>;
  readonly dialect: StoreDialect;
  close(): Promise<void>;
}

const INT8_OID = 20;

/**
 * Opens the configured store and brings its schema up to date before anything reads it. Several
 * instances may start at once: on PostgreSQL Kysely's migrator takes a lock in the database; on
 * SQLite (whose Kysely adapter takes none) the whole migration runs in one `BEGIN IMMEDIATE`
 * transaction. Either way one process migrates and the others wait, then find nothing to do.
 */
export async function openStore(config: StoreConfig | { kind: 'memory' }): Promise<Store> {
  const store = config.kind === 'postgres' ? await openPostgres(config.url) : openSqlite(config);
  try {
    await migrateToLatest(store);
  } catch (err) {
    await store.close();
    throw err;
  }
  return store;
}

function openSqlite(config: { kind: 'sqlite'; file: string } | { kind: 'memory' }): Store {
  let database: SQLite.Database;
  if (config.kind === 'memory') database = new SQLite(':memory:');
  else {
    mkdirSync(path.dirname(config.file), { recursive: true });
    database = new SQLite(config.file);
    // WAL lets the CLI write (user add) while a server reads; the busy timeout makes a writer wait
    // for the other process's transaction instead of failing at once.
    database.pragma('journal_mode = WAL');
  }
  database.pragma('busy_timeout = 5000');
  database.pragma('foreign_keys = ON');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(database) }) });
  return { db, dialect: 'sqlite', close: () => db.destroy() };
}

async function openPostgres(url: string): Promise<Store> {
  // pg is loaded only for a PostgreSQL store (a SQLite server never needs it).
  const { default: pg } = await import('pg');
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    // BIGINT (times in ms, counts, ids) as numbers for this pool only; the global pg parsers, which the
    // PostgreSQL engine relies on, are left alone.
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8_OID && format !== 'binary'
          ? (value: string) => Number(value)
          : pg.types.getTypeParser(oid, format ?? 'text')) as typeof pg.types.getTypeParser,
    },
  });
  // An idle pooled connection that the server ends (restart, failover, pg_terminate_backend) makes the
  // pool emit 'error'; unheard, that would crash the process. The pool drops the client and the next
  // query opens a new one, so this is worth a log line, not a crash (the store has no logger: stderr).
  pool.on('error', (error) => {
    process.stderr.write(
      `${JSON.stringify({ level: 'warn', component: 'store', msg: 'idle metadata-store connection lost', err: error.message })}\n`,
    );
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { db, dialect: 'postgres', close: () => db.destroy() };
}

async function migrateToLatest(store: Store): Promise<void> {
  if (store.dialect === 'postgres') return migrateWith(store.db, store.dialect, false);
  // Kysely's SQLite migrator reads the applied migrations in a deferred transaction and takes no
  // lock: two processes starting on one file both saw 0006 missing and the second failed on
  // "table already exists". BEGIN IMMEDIATE takes the write lock before anything is read; the other
  // process waits (busy_timeout) and then finds the schema current.
  await store.db.connection().execute(async (conn) => {
    await sql`BEGIN IMMEDIATE`.execute(conn);
    try {
      await migrateWith(conn, store.dialect, true);
      await sql`COMMIT`.execute(conn);
    } catch (err) {
      await sql`ROLLBACK`.execute(conn);
      throw err;
    }
  });
}

async function migrateWith(
  db: Kysely<Database>,
  dialect: StoreDialect,
  inOuterTransaction: boolean,
): Promise<void> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations(dialect) },
    migrationTableName: 'trellis_migration',
    migrationLockTableName: 'trellis_migration_lock',
    disableTransactions: inOuterTransaction,
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`metadata store migration ${failed} failed`, { cause: error });
  }
}
