import type { IngestCell } from './ingest-writer.js';

/**
 * The read side an enrichment needs from an ingest target (ingest-writer.ts `readRows`/`countRows`):
 * the next batch of a table's rows in key order, after a cursor, keeping only the rows whose result
 * row is absent (`pending`), failed (`failed`), or all of them. One SQL shape for every engine:
 * identifiers come from validated project files, every value is bound.
 */
export interface IngestReadQuery {
  /** The table read (it must hold the tenant column when the writer has one). */
  readonly from: string;
  readonly columns: readonly string[];
  /** Key columns, present in both tables: the order of the batches and the join to the results. */
  readonly key: readonly string[];
  /** Rows with a key after this one (null: from the start). */
  readonly after: readonly IngestCell[] | null;
  readonly results: {
    readonly table: string;
    readonly statusColumn: string;
    readonly mode: 'pending' | 'failed' | 'all';
  };
}

export interface ReadSqlFlavour {
  quote(identifier: string): string;
  placeholder(n: number): string;
}

export function readRowsSql(
  query: IngestReadQuery,
  flavour: ReadSqlFlavour,
  tenant: { readonly column: string | null; readonly value: string },
  limit: number | null,
): { sql: string; params: IngestCell[] } {
  const { quote: q, placeholder } = flavour;
  const params: IngestCell[] = [];
  const bind = (v: IngestCell) => {
    params.push(v);
    return placeholder(params.length);
  };
  const where: string[] = [];
  if (tenant.column) where.push(`i.${q(tenant.column)} = ${bind(tenant.value)}`);
  if (query.after) {
    // Lexicographic "key > after", spelled out (row-value comparison is not in every engine).
    const after = query.after;
    const ors = query.key.map((k, n) => {
      const equal = query.key.slice(0, n).map((p, m) => `i.${q(p)} = ${bind(after[m] ?? null)}`);
      return `(${[...equal, `i.${q(k)} > ${bind(after[n] ?? null)}`].join(' AND ')})`;
    });
    where.push(`(${ors.join(' OR ')})`);
  }
  const { table, statusColumn, mode } = query.results;
  if (mode !== 'all') {
    const join = query.key.map((k) => `r.${q(k)} = i.${q(k)}`);
    if (tenant.column) join.push(`r.${q(tenant.column)} = ${bind(tenant.value)}`);
    if (mode === 'failed') join.push(`r.${q(statusColumn)} = ${bind('failed')}`);
    where.push(
      `${mode === 'pending' ? 'NOT EXISTS' : 'EXISTS'} (SELECT 1 FROM ${q(table)} AS r WHERE ${join.join(' AND ')})`,
    );
  }
  const whereSql = where.length ? ` WHERE ${where.join(' AND ')}` : '';
  if (limit === null) return { sql: `SELECT count(*) AS n FROM ${q(query.from)} AS i${whereSql}`, params };
  return {
    sql:
      `SELECT ${query.columns.map((c) => `i.${q(c)}`).join(', ')} FROM ${q(query.from)} AS i${whereSql}` +
      ` ORDER BY ${query.key.map((k) => `i.${q(k)}`).join(', ')} LIMIT ${Math.max(1, Math.floor(limit))}`,
    params,
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
