import type { DuckDBConnection, DuckDBPreparedStatement } from '@duckdb/node-api';

/**
 * Prepared statements of one pooled DuckDB connection, keyed by SQL text, least recently used first
 * out. Preparing costs two thread-pool round trips and about 0.6 ms (extract + prepare) — more than
 * a small query's execution (performance.md, engine-overhead) — and dashboards ask the same few
 * statements with different bound values, so a statement is prepared once per connection and
 * re-bound on every run.
 *
 * A statement belongs to its connection (DuckDB runs it on that connection's client context), and a
 * connection runs one query at a time, so a statement is never executed twice at once. Bounded by
 * count: a prepared plan is small, but project SQL × filters × pages is not a small set.
 */
export class StatementCache {
  /** Map order is insertion order: re-inserting on use keeps the least recently used first. */
  private readonly bySql = new Map<string, DuckDBPreparedStatement>();
  private preparedCount = 0;

  constructor(
    private readonly conn: DuckDBConnection,
    private readonly capacity: number,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new TypeError('capacity must be an integer ≥ 1');
  }

  /** The statement for this SQL, prepared now if it is not cached (then the oldest may be destroyed). */
  async get(sql: string): Promise<DuckDBPreparedStatement> {
    const cached = this.bySql.get(sql);
    if (cached) {
      this.bySql.delete(sql);
      this.bySql.set(sql, cached);
      return cached;
    }
    // Preparing accepts one statement only: SQL with several is refused here (QUERY_FAILED), where
    // the driver's one-shot path would have run all but the last.
    const prepared = await this.conn.prepare(sql);
    this.preparedCount++;
    this.bySql.set(sql, prepared);
    if (this.bySql.size > this.capacity) {
      const [oldestSql, oldest] = this.bySql.entries().next().value as [string, DuckDBPreparedStatement];
      this.bySql.delete(oldestSql);
      oldest.destroySync();
    }
    return prepared;
  }

  /** Destroys one statement (after it failed or was interrupted: it is not trusted again). */
  evict(sql: string): void {
    const prepared = this.bySql.get(sql);
    if (!prepared) return;
    this.bySql.delete(sql);
    prepared.destroySync();
  }

  /** Destroys every statement (the connection was interrupted or is closing). */
  clear(): void {
    for (const prepared of this.bySql.values()) prepared.destroySync();
    this.bySql.clear();
  }

  get size(): number {
    return this.bySql.size;
  }

  /** How many statements this cache has prepared in all (a hit prepares none). */
  get prepared(): number {
    return this.preparedCount;
  }
}
