import { tenantId } from '../../../contract/tenant-id.js';
import { compileDatasetRows } from '../compiler.js';
import type { SqlDialect } from '../dialect.js';
import type { IngestReadQuery } from '../ingest-read.js';
import type { IngestCell } from '../ingest-writer.js';

/** What differs between engines in the enrichment reads: quoting and placeholders. */
export interface ReadSqlFlavour {
  quote(identifier: string): string;
  placeholder(n: number): string;
  /** The engine's query dialect: a dataset read (`query.dataset`) is compiled with it. */
  readonly dialect: SqlDialect;
}

/**
 * The enrichment read (ingest-read.ts) in one SQL shape for every engine: the next `limit` rows of
 * `query.from` in key order after the cursor, filtered by their result rows; `limit` null counts
 * them instead. Identifiers come from validated project files, every value is bound.
 */
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
  let source = q(query.from);
  if (query.dataset) {
    // The dataset's rows come first in the text, so their placeholders are the first ones (`?` too);
    // the dataset's own tenancy scopes them to the organisation, like a widget's query.
    const rows = compileDatasetRows(query.dataset, flavour.dialect, tenantId(tenant.value));
    for (const p of rows.params) params.push(p as IngestCell);
    source = `(${rows.sql})`;
  } else if (tenant.column) where.push(`i.${q(tenant.column)} = ${bind(tenant.value)}`);
  if (query.only) {
    const [k] = query.key;
    // An empty list selects nothing (never "everything"); keys are bound values, bounded upstream.
    if (k === undefined || query.only.length === 0) where.push('1 = 0');
    else where.push(`i.${q(k)} IN (${query.only.map((v) => bind(v)).join(', ')})`);
  }
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
  if (limit === null) return { sql: `SELECT count(*) AS n FROM ${source} AS i${whereSql}`, params };
  return {
    sql:
      `SELECT ${query.columns.map((c) => `i.${q(c)}`).join(', ')} FROM ${source} AS i${whereSql}` +
      ` ORDER BY ${query.key.map((k) => `i.${q(k)}`).join(', ')} LIMIT ${Math.max(1, Math.floor(limit))}`,
    params,
  };
}
