import { Client, Query, type FieldDef, type QueryArrayConfig } from 'pg';
import { toText } from '../../cell-values.js';
import type { CompiledQuery } from '../../compiler.js';
import type { BatchChannel } from '../../batch-channel.js';
import type { DescribedColumn, Engine } from '../../engine.js';
import { RowBatcher } from '../../row-batcher.js';
import { RowBudget } from '../../row-budget.js';
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
import { postgresDialect } from './postgres-dialect.js';
import type { PostgresSettings } from './postgres-config.js';
import {
  RAW_TEXT,
  cellReaderFor,
  columnTypeOf,
  columnTypeOfCategory,
  nativeTypeName,
  type CellReader,
} from './postgres-introspector.js';

interface PgConnection extends ServerConnection {
  readonly client: Client;
  /** The server process, for pg_cancel_backend. */
  pid: number;
  /** The session's statement_timeout as last set by us, so that SET runs only when it changes. */
  statementTimeoutMs: number | undefined;
}

/**
 * PostgreSQL behind the Engine seam. The pool, tenant-fair queue, deadlines and cancellation
 * (pg_cancel_backend from a side connection) are the shared ServerEngineCore; this file is what is
 * particular to pg: the extended protocol, rows streamed as text into a RowBudget, statement_timeout,
 * and pg's errors.
 */
export class PostgresEngine extends ServerEngineBase<PgConnection, FieldDef> implements Engine {
  readonly dialect = postgresDialect;
  private readonly typeInfo = new Map<number, { name: string; category: string }>();

  private constructor(private readonly settings: PostgresSettings) {
    super(postgresDriver(settings), settings);
  }

  /** Opens the pool and checks that the server answers: an unreachable source fails here, clearly. */
  static open(settings: PostgresSettings): Promise<PostgresEngine> {
    return openServerEngine(new PostgresEngine(settings));
  }

  /** Rows in batches for exports, the socket paused while the consumer is behind. */
  protected sendStream(
    conn: PgConnection,
    query: CompiledQuery,
    channel: BatchChannel,
    context: StatementContext,
    events: StatementEvents<void>,
  ): void {
    const batcher = new RowBatcher(channel, conn.client.connection.stream);
    // A cancel's answer must be read: a paused socket would hide it.
    context.signal.addEventListener('abort', () => batcher.resume(), { once: true });
    let readers: CellReader[] | undefined;
    const q = new Query(extended(query));
    q.on('row', (row: unknown[], result) => {
      if (events.stopped) return;
      if (!readers) {
        const fields = result?.fields ?? [];
        readers = fields.map(cellReaderFor);
        batcher.setColumns(fields.map((f) => f.name));
      }
      batcher.add(row.map((v, i) => (readers?.[i] ?? toText)(v)));
    });
    q.on('error', (err: Error) => events.reject(err));
    q.on('end', (result) => {
      if (!readers) batcher.setColumns(result.fields.map((f) => f.name));
      batcher.flush();
      events.resolve();
    });
    conn.client.query(q);
  }

  /** Columns of a query's result without running it: wrapped in `LIMIT 0`, which reads no rows. */
  describe(query: CompiledQuery): Promise<DescribedColumn[]> {
    const options = { timeoutMs: this.settings.statementTimeoutMs ?? DESCRIBE_TIMEOUT_MS };
    const wrapped = {
      sql: `SELECT * FROM (${query.sql}) AS "trellis_describe" LIMIT 0`,
      params: query.params,
    };
    return this.core.guarded(wrapped, options, async (conn, context) => {
      const budget = new RowBudget({ maxRows: 0, maxBytes: 0 }, wrapped.sql);
      const fields = await this.statement(conn, wrapped, budget, context);
      await this.loadTypeInfo(conn, fields);
      return fields.map((f) => {
        const info = this.typeInfo.get(f.dataTypeID);
        return {
          name: f.name,
          type: columnTypeOf(f.dataTypeID) ?? (info ? columnTypeOfCategory(info.category) : undefined),
          nativeType: nativeTypeName(f.dataTypeID) ?? info?.name ?? `oid ${f.dataTypeID}`,
        };
      });
    });
  }

  /** One statement, its rows streamed into the budget; resolves with the result's fields. */
  protected sendStatement(
    conn: PgConnection,
    query: CompiledQuery,
    budget: RowBudget,
    events: StatementEvents<FieldDef[]>,
  ): void {
    let readers: CellReader[] | undefined;
    const q = new Query(extended(query));
    q.on('row', (row: unknown[], result) => {
      if (events.stopped) return;
      readers ??= (result?.fields ?? []).map(cellReaderFor);
      const tooLarge = budget.add(row.map((v, i) => (readers?.[i] ?? toText)(v)));
      if (tooLarge) events.stop(tooLarge);
    });
    q.on('error', (err: Error) => events.reject(err));
    q.on('end', (result) => events.resolve(result.fields));
    conn.client.query(q);
  }

  protected async applyStatementTimeout(conn: PgConnection, ms: number): Promise<void> {
    if (conn.statementTimeoutMs === ms) return;
    await conn.client.query({
      text: "SELECT set_config('statement_timeout', $1, false)",
      values: [String(ms)],
    });
    conn.statementTimeoutMs = ms;
  }

  /** Names and categories of types outside the built-in list (enums, extension types), once each. */
  private async loadTypeInfo(conn: PgConnection, fields: readonly FieldDef[]): Promise<void> {
    const unknown = fields
      .map((f) => f.dataTypeID)
      .filter((oid) => columnTypeOf(oid) === undefined && !this.typeInfo.has(oid));
    if (!unknown.length) return;
    const r = await conn.client.query<[string, string, string]>({
      text: 'SELECT oid::int::text, typname::text, typcategory::text FROM pg_type WHERE oid = ANY($1::oid[])',
      values: [unknown],
      rowMode: 'array',
    });
    for (const [oid, name, category] of r.rows) this.typeInfo.set(Number(oid), { name, category });
  }
}

function postgresDriver(settings: PostgresSettings): ServerDriver<PgConnection> {
  const destroy = (conn: PgConnection) => {
    conn.alive = false;
    conn.client.connection.stream.destroy();
  };
  return {
    async open() {
      const client = new Client({ ...settings.client, types: RAW_TEXT });
      const conn: PgConnection = { client, pid: 0, statementTimeoutMs: undefined, alive: true };
      // A connection that breaks while idle emits 'error'; unheard, that would end the process.
      client.on('error', () => (conn.alive = false));
      client.on('end', () => (conn.alive = false));
      try {
        await client.connect();
        // UTC, so that timestamptz values and now() read the same whatever the server's zone.
        const r = await client.query<[string]>({
          text: "SELECT pg_backend_pid()::text, set_config('TimeZone', 'UTC', false)",
          rowMode: 'array',
        });
        conn.pid = Number(r.rows[0]?.[0]);
      } catch (err) {
        destroy(conn);
        throw err;
      }
      return conn;
    },
    async ping(conn) {
      await conn.client.query('SELECT 1');
    },
    close(conn) {
      conn.alive = false;
      // pg says goodbye politely when it can and closes the socket by force when the connection is
      // broken or still busy; should even that fail, the socket is destroyed and nothing is lost.
      conn.client.end().catch(() => destroy(conn));
    },
    isAlive: (conn) => conn.alive,
    isTransient: isTransientConnectError,
    async cancel(side, target) {
      await side.client.query({ text: 'SELECT pg_cancel_backend($1)', values: [target.pid] });
    },
    destroy,
    // pg refuses a query on a connection it already knows is broken, before sending anything.
    neverSent: (err) => err instanceof Error && /is not queryable$/.test(err.message),
    toTrellisError: (err, sql, connecting) =>
      serverFailure(err, sql, connecting, {
        engine: 'PostgreSQL',
        target: settings.target,
        code: errorCode(err),
        timedOut: errorCode(err) === '57014' && err instanceof Error && /statement timeout/.test(err.message),
        connectionFailed: isConnectionError(err),
      }),
  };
}

/** Extended protocol always: one statement per call, values never spliced into the text; cells as text. */
function extended(query: CompiledQuery): QueryArrayConfig & { queryMode: 'extended' } {
  return {
    text: query.sql,
    values: [...query.params],
    rowMode: 'array',
    types: RAW_TEXT,
    queryMode: 'extended',
  };
}

function errorCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null || !('code' in err)) return undefined;
  return typeof err.code === 'string' ? err.code : undefined;
}

const NETWORK_ERRORS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);
/** Server states that pass: starting up or shutting down (a restart), too many connections. */
const TRANSIENT_SQLSTATES = new Set(['57P01', '57P03', '53300', '08001', '08004', '08006']);

/** Worth another try when opening a connection; a timeout is not (waiting again would only double it). */
export function isTransientConnectError(err: unknown): boolean {
  const code = errorCode(err);
  if (code && (NETWORK_ERRORS.has(code) || TRANSIENT_SQLSTATES.has(code))) return true;
  return err instanceof Error && err.message === 'Connection terminated unexpectedly';
}

/** The server (or the way to it) failed, as opposed to the statement. */
export function isConnectionError(err: unknown): boolean {
  if (isTransientConnectError(err)) return true;
  const code = errorCode(err) ?? '';
  // 08 connection exceptions, 28 authentication, 3D000 no such database, 57P0x shutdown or crash.
  if (/^(08|28|57P0)/.test(code) || ['3D000', 'ENOTFOUND', 'ETIMEDOUT'].includes(code)) return true;
  return err instanceof Error && /Connection terminated|timeout expired|not queryable/.test(err.message);
}
