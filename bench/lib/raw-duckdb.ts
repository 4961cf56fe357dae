import {
  BIGINT,
  BOOLEAN,
  DOUBLE,
  DuckDBInstance,
  SQLNULL,
  VARCHAR,
  type DuckDBConnection,
  type DuckDBPreparedStatement,
  type DuckDBType,
} from '@duckdb/node-api';
import type { CompiledQuery } from '../../server/query/compiler.js';
import type { SqlValue } from '../../server/query/plan.js';

/**
 * In-process DuckDB, the engine floor the API is compared against: the same file, read-only, the
 * same statements and bound values, rows read as JSON chunks as the server reads them — but no
 * HTTP, no validation, no pool, no per-request prepare.
 */
export class RawDuckDB {
  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connections: DuckDBConnection[],
  ) {}

  /**
   * `connections`: one per statement run at once (a table widget runs its page and count together).
   * `threads`: as the server's source is configured (undefined: DuckDB's default, one per core).
   */
  static async open(file: string, threads?: number, connections = 2): Promise<RawDuckDB> {
    const instance = await DuckDBInstance.create(file, {
      access_mode: 'READ_ONLY',
      ...(threads ? { threads: String(threads) } : {}),
    });
    const conns: DuckDBConnection[] = [];
    for (let i = 0; i < connections; i++) conns.push(await instance.connect());
    return new RawDuckDB(instance, conns);
  }

  /** Prepares the statements once (each on its own connection); the returned function runs them warm. */
  async prepare(statements: readonly CompiledQuery[]): Promise<() => Promise<number>> {
    if (statements.length > this.connections.length) throw new Error('more statements than connections');
    const prepared: DuckDBPreparedStatement[] = [];
    for (const [i, s] of statements.entries()) {
      const p = await (this.connections[i] as DuckDBConnection).prepare(s.sql);
      p.bind([...s.params], s.params.map(parameterType));
      prepared.push(p);
    }
    return async () => {
      const started = performance.now();
      await Promise.all(prepared.map(async (p) => drain(await p.stream())));
      return performance.now() - started;
    };
  }

  /** Runs the statements once, unprepared, as a first (cold) execution; milliseconds. */
  async runOnce(statements: readonly CompiledQuery[]): Promise<number> {
    const started = performance.now();
    await Promise.all(
      statements.map(async (s, i) =>
        drain(
          await (this.connections[i] as DuckDBConnection).stream(
            s.sql,
            [...s.params],
            s.params.map(parameterType),
          ),
        ),
      ),
    );
    return performance.now() - started;
  }

  close(): void {
    for (const c of this.connections) c.closeSync();
    this.instance.closeSync();
  }
}

async function drain(result: { yieldRowsJson(): AsyncIterable<unknown[][]> }): Promise<number> {
  let rows = 0;
  for await (const chunk of result.yieldRowsJson()) rows += chunk.length;
  return rows;
}

/** As the server's driver types them: safe integers BIGINT, other numbers DOUBLE (see duckdb-engine.ts). */
function parameterType(value: SqlValue): DuckDBType {
  if (value === null) return SQLNULL;
  if (typeof value === 'number') return Number.isSafeInteger(value) ? BIGINT : DOUBLE;
  if (typeof value === 'boolean') return BOOLEAN;
  return VARCHAR;
}
