import mysql, { type Connection, type FieldPacket } from 'mysql2';
import type { Cell } from '../../../../contract/index.js';
import { toText } from '../../cell-values.js';
import type { CompiledQuery } from '../../compiler.js';
import type { BatchChannel } from '../../batch-channel.js';
import type { DescribedColumn, Engine } from '../../engine.js';
import { RowBatcher } from '../../row-batcher.js';
import type { RowBudget } from '../../row-budget.js';
import {
  DESCRIBE_TIMEOUT_MS,
  ServerEngineBase,
  openServerEngine,
  serverFailure,
  type ServerConnection,
  type ServerDriver,
  type StatementContext,
  type StatementEvents,
} from '../../server-engine-core.js';
import type { SqlDialect } from '../../dialect.js';
import { mariadbDialect, mysqlDialect } from './mysql-dialect.js';
import { RESULT_OPTIONS, type MySQLSettings } from './mysql-config.js';
import { cellReaderFor, columnTypeOf, nativeTypeName, type CellReader } from './mysql-introspector.js';

interface MyConnection extends ServerConnection {
  readonly raw: Connection;
  /** The server thread, for KILL QUERY. */
  threadId: number;
  /** MariaDB and MySQL name the per-statement time limit differently (and count it in s vs ms). */
  mariadb: boolean;
  /** The session's statement time limit as last set by us, so that SET runs only when it changes. */
  statementTimeoutMs: number | undefined;
  /** The driver saw the connection fail or end (as opposed to us retiring it after a cancel). */
  broken: boolean;
}

/** Raised per session for the GROUP_CONCAT median (MariaDB caps it at 1 GB; MySQL accepts it). */
const GROUP_CONCAT_MAX_LEN = 1_073_741_824;

/**
 * MySQL/MariaDB behind the Engine seam. The pool, tenant-fair queue, deadlines and cancellation
 * (KILL QUERY from a side connection) are the shared ServerEngineCore; this file is what is particular
 * to mysql2: server-side prepared statements (values truly bound), rows streamed into a RowBudget,
 * the session time limit, and MySQL's errors.
 */
export class MySQLEngine extends ServerEngineBase<MyConnection, FieldPacket> implements Engine {
  /** MySQL's, until open() finds the server is MariaDB (which has MEDIAN as a window function). */
  private serverDialect: SqlDialect = mysqlDialect;

  private constructor(private readonly settings: MySQLSettings) {
    super(mysqlDriver(settings), settings);
  }

  /**
   * Opens the pool and asks the server what it is: an unreachable source fails here, clearly, and a
   * MariaDB server gets the MariaDB dialect.
   */
  static open(settings: MySQLSettings): Promise<MySQLEngine> {
    return openServerEngine(new MySQLEngine(settings), async (engine) => {
      const version = await engine.firstRow('SELECT VERSION()');
      if (/mariadb/i.test(String(version.rows[0]?.[0]))) engine.serverDialect = mariadbDialect;
    });
  }

  get dialect(): SqlDialect {
    return this.serverDialect;
  }

  /** Rows in batches for exports, the connection paused while the consumer is behind. */
  protected sendStream(
    conn: MyConnection,
    query: CompiledQuery,
    channel: BatchChannel,
    context: StatementContext,
    events: StatementEvents<void>,
  ): void {
    if (conn.broken) return events.reject(new NotSentError());
    const batcher = new RowBatcher(channel, conn.raw);
    // KILL QUERY's answer must be read: a paused connection would hide it.
    context.signal.addEventListener('abort', () => batcher.resume(), { once: true });
    executeRows(conn, query, events, {
      fields: (names) => batcher.setColumns(names),
      row: (cells) => batcher.add(cells),
      end: () => {
        batcher.flush();
        events.resolve();
      },
    });
  }

  /** Columns of a query's result from the server's answer to PREPARE: nothing is executed. */
  describe(query: CompiledQuery): Promise<DescribedColumn[]> {
    const options = { timeoutMs: this.settings.statementTimeoutMs ?? DESCRIBE_TIMEOUT_MS };
    return this.core.guarded(query, options, (conn, context) =>
      this.core.interruptible<DescribedColumn[]>(conn, context, (events) => {
        const detach = failWithConnection(conn, events);
        conn.raw.prepare(query.sql, (err, statement) => {
          detach();
          if (err) return events.reject(err);
          const columns = columnsOf(statement);
          conn.raw.unprepare(query.sql); // not kept in the connection's statement cache
          events.resolve(
            columns.map((f) => ({ name: f.name, type: columnTypeOf(f), nativeType: nativeTypeName(f) })),
          );
        });
      }),
    );
  }

  /** One prepared statement, its rows streamed into the budget; resolves with its fields. */
  protected sendStatement(
    conn: MyConnection,
    query: CompiledQuery,
    budget: RowBudget,
    events: StatementEvents<FieldPacket[]>,
  ): void {
    if (conn.broken) return events.reject(new NotSentError());
    let fields: FieldPacket[] = [];
    executeRows(conn, query, events, {
      fields: (_names, f) => (fields = f),
      row: (cells) => {
        const tooLarge = budget.add(cells);
        if (tooLarge) events.stop(tooLarge);
      },
      end: () => events.resolve(fields),
    });
  }

  protected async applyStatementTimeout(conn: MyConnection, ms: number): Promise<void> {
    if (conn.statementTimeoutMs === ms) return;
    // A number computed here, never user input; SET takes no placeholders on every server version.
    const limit = Math.ceil(ms);
    await simpleQuery(
      conn.raw,
      conn.mariadb
        ? `SET SESSION max_statement_time = ${(limit / 1000).toFixed(3)}`
        : `SET SESSION max_execution_time = ${limit}`,
    );
    conn.statementTimeoutMs = ms;
  }
}

function mysqlDriver(settings: MySQLSettings): ServerDriver<MyConnection> {
  const destroy = (conn: MyConnection) => {
    conn.alive = false;
    conn.raw.destroy();
  };
  return {
    async open() {
      const raw = mysql.createConnection(settings.connection);
      const conn: MyConnection = {
        raw,
        threadId: 0,
        mariadb: false,
        statementTimeoutMs: undefined,
        alive: true,
        broken: false,
      };
      // A connection that breaks while idle emits 'error'; unheard, that would end the process.
      const broke = () => {
        conn.broken = true;
        conn.alive = false;
      };
      raw.on('error', broke);
      raw.on('end', broke);
      try {
        await new Promise<void>((resolve, reject) => raw.connect((err) => (err ? reject(err) : resolve())));
        // UTC, so that TIMESTAMP values and NOW() read the same whatever the server's zone.
        await simpleQuery(raw, `SET time_zone = '+00:00', group_concat_max_len = ${GROUP_CONCAT_MAX_LEN}`);
        const version = await simpleQuery(raw, 'SELECT VERSION()');
        conn.mariadb = /mariadb/i.test(JSON.stringify(version));
        conn.threadId = raw.threadId;
      } catch (err) {
        destroy(conn);
        throw err;
      }
      return conn;
    },
    ping: (conn) =>
      new Promise<void>((resolve, reject) => conn.raw.ping((err) => (err ? reject(err) : resolve()))),
    close(conn) {
      if (conn.broken) return destroy(conn);
      conn.alive = false;
      // COM_QUIT, politely; should that fail, the socket is destroyed and nothing is lost.
      conn.raw.end((err) => {
        if (err) conn.raw.destroy();
      });
    },
    isAlive: (conn) => conn.alive,
    isTransient: isTransientConnectError,
    async cancel(side, target) {
      if (!Number.isSafeInteger(target.threadId))
        throw new Error(`no thread id to cancel: ${target.threadId}`);
      // The thread id is the driver's number, not user input; KILL takes no placeholders.
      await simpleQuery(side.raw, `KILL QUERY ${target.threadId}`);
    },
    destroy,
    neverSent: (err) =>
      err instanceof NotSentError || (err instanceof Error && /in closed state$/.test(err.message)),
    toTrellisError(err, sql, connecting) {
      const { code, errno } = errorCodes(err);
      return serverFailure(err, sql, connecting, {
        engine: 'MySQL',
        target: settings.target,
        code,
        timedOut: errno === ER_STATEMENT_TIMEOUT || errno === ER_QUERY_TIMEOUT,
        connectionFailed: isConnectionError(err),
      });
    },
  };
}

/**
 * Executes a prepared statement (values truly bound) with no callback, so rows arrive one by one as
 * 'result' events instead of piling up in the driver; each row's cells are read as text.
 */
function executeRows<T>(
  conn: MyConnection,
  query: CompiledQuery,
  events: StatementEvents<T>,
  on: {
    fields(names: string[], fields: FieldPacket[]): void;
    row(cells: Cell[]): void;
    end(): void;
  },
): void {
  let readers: CellReader[] = [];
  const detach = failWithConnection(conn, events);
  const cmd = conn.raw.execute({ sql: query.sql, ...RESULT_OPTIONS }, [...query.params]);
  // A statement without a result set (SET, DDL) reports its fields as undefined.
  cmd.on('fields', (f: FieldPacket[] | undefined) => {
    readers = (f ?? []).map(cellReaderFor);
    on.fields(
      (f ?? []).map((x) => x.name),
      f ?? [],
    );
  });
  cmd.on('result', (row: unknown) => {
    if (events.stopped || !Array.isArray(row)) return;
    on.row(row.map((v: unknown, i) => (readers[i] ?? toText)(v)));
  });
  cmd.on('error', (err: Error) => {
    detach();
    events.reject(err);
  });
  cmd.on('end', () => {
    detach();
    on.end();
  });
}

/** The statement was not sent: the connection had already failed. */
class NotSentError extends Error {
  constructor() {
    super('the connection failed before the statement was sent');
    this.name = 'NotSentError';
  }
}

/**
 * mysql2 reports a connection failure during a callback-less command on the connection, not on the
 * command; while a statement runs, such a failure ends it.
 */
function failWithConnection<T>(conn: MyConnection, events: StatementEvents<T>): () => void {
  const onError = (err: Error) => events.reject(err);
  const onEnd = () => events.reject(new Error('Connection lost: the server closed the connection.'));
  conn.raw.on('error', onError);
  conn.raw.on('end', onEnd);
  return () => {
    conn.raw.off('error', onError);
    conn.raw.off('end', onEnd);
  };
}

/** One of our own statements over the text protocol (settings, KILL); resolves with its rows. */
function simpleQuery(raw: Connection, sql: string): Promise<unknown> {
  return new Promise((resolve, reject) =>
    raw.query({ sql, rowsAsArray: true }, (err, result) => (err ? reject(err) : resolve(result))),
  );
}

/** The columns the server described when preparing (mysql2 has them at runtime; its types omit them). */
function columnsOf(statement: unknown): FieldPacket[] {
  if (typeof statement !== 'object' || statement === null || !('columns' in statement)) return [];
  return Array.isArray(statement.columns) ? statement.columns : [];
}

function errorCodes(err: unknown): { code: string | undefined; errno: number | undefined } {
  if (typeof err !== 'object' || err === null) return { code: undefined, errno: undefined };
  const code = 'code' in err && typeof err.code === 'string' ? err.code : undefined;
  const errno = 'errno' in err && typeof err.errno === 'number' ? err.errno : undefined;
  return { code, errno };
}

/** MariaDB's max_statement_time and MySQL's max_execution_time. */
const ER_STATEMENT_TIMEOUT = 1969;
const ER_QUERY_TIMEOUT = 3024;

const TRANSIENT = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'PROTOCOL_CONNECTION_LOST',
  'ER_CON_COUNT_ERROR', // too many connections
  'ER_SERVER_SHUTDOWN', // a restart in progress
  'ER_CONNECTION_KILLED',
]);

/** Worth another try when opening a connection; a timeout is not (waiting again would only double it). */
export function isTransientConnectError(err: unknown): boolean {
  const { code } = errorCodes(err);
  return code !== undefined && TRANSIENT.has(code);
}

const UNAVAILABLE = new Set([
  'ETIMEDOUT',
  'ENOTFOUND',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'ER_ACCESS_DENIED_ERROR',
  'ER_ACCESS_DENIED_NO_PASSWORD_ERROR',
  'ER_DBACCESS_DENIED_ERROR',
  'ER_BAD_DB_ERROR',
  'ER_TOO_MANY_USER_CONNECTIONS',
]);

/** The server (or the way to it) failed, as opposed to the statement. */
export function isConnectionError(err: unknown): boolean {
  if (isTransientConnectError(err) || err instanceof NotSentError) return true;
  const { code } = errorCodes(err);
  if (code !== undefined && UNAVAILABLE.has(code)) return true;
  // mysql2 marks failures of the connection itself (lost, closed, protocol) as fatal.
  if (typeof err === 'object' && err !== null && 'fatal' in err && err.fatal === true) return true;
  return err instanceof Error && /Connection lost|closed state/.test(err.message);
}
