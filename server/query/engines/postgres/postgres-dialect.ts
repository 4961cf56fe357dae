import { castsTo, doubleQuoted, fractionLiteral, type SqlDialect } from '../../dialect.js';
import type { IngestColumnType } from '../../ingest-writer.js';
import { serverIngestStatements } from '../server-ingest-statements.js';

/**
 * PostgreSQL's SQL: `$n` placeholders, double-quoted identifiers, ILIKE, date_trunc,
 * percentile_cont. The LIKE escape is written E'\\' so that it means one backslash whatever
 * standard_conforming_strings says.
 */
export const postgresDialect: SqlDialect = {
  quoteIdentifier: doubleQuoted,
  placeholder: (index) => `$${index}`,
  castParameter: castsTo({
    string: 'TEXT',
    number: 'DOUBLE PRECISION',
    date: 'DATE',
    timestamp: 'TIMESTAMP',
    boolean: 'BOOLEAN',
  }),
  // Through TIMESTAMP, so that a DATE is not widened to TIMESTAMPTZ in some session time zone.
  timeGrain: (expression, grain) => `CAST(date_trunc('${grain}', CAST(${expression} AS TIMESTAMP)) AS DATE)`,
  containsPattern: (expression, placeholder) => `${expression} ILIKE ${placeholder} ESCAPE E'\\\\'`,
  median: (expression) => `percentile_cont(0.5) WITHIN GROUP (ORDER BY ${expression})`,
  quantile: (expression, fraction) =>
    `percentile_cont(${fractionLiteral(fraction)}) WITHIN GROUP (ORDER BY ${expression})`,
  castToText: (expression) => `CAST(${expression} AS TEXT)`,
  limitOffset: (limit, offset) => `LIMIT ${limit}${offset ? ` OFFSET ${offset}` : ''}`,
  sortKey: (expression, direction) => `${expression} ${direction === 'asc' ? 'ASC' : 'DESC'} NULLS LAST`,
  doubleType: 'DOUBLE PRECISION',
  integerType: 'INTEGER',
};

const quote = postgresDialect.quoteIdentifier;

const DDL: Record<IngestColumnType, string> = {
  VARCHAR: 'text',
  INTEGER: 'integer',
  BIGINT: 'bigint',
  DOUBLE: 'double precision',
  BOOLEAN: 'boolean',
  DATE: 'date',
  TIMESTAMP: 'timestamp',
};

/** The column type in DDL, and information_schema's names that hold it (pipelines' and uploads' writers). */
export const postgresDdlType = (type: IngestColumnType): string => DDL[type];
export const postgresStoredAs = (type: IngestColumnType): readonly string[] =>
  type === 'VARCHAR'
    ? ['text', 'character varying']
    : type === 'TIMESTAMP'
      ? ['timestamp without time zone']
      : [DDL[type]];

/** PostgreSQL's statements of the shared server ingest writer (server-ingest-writer.ts). */
export const postgresIngestSql = serverIngestStatements({
  quote,
  dialect: postgresDialect,
  placeholder: (n) => `$${n}`,
  ddlType: postgresDdlType,
  storedAs: postgresStoredAs,
  columnsOf:
    'SELECT column_name::text AS name, data_type::text AS type FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1',
  asText: (expression) => `(${expression})::text`,
  stateColumns: { key: 'text', state: 'text', time: 'timestamp' },
  putState: (table) =>
    `INSERT INTO ${table} (state_key, state, updated_at) VALUES ($1, $2, now()) ON CONFLICT (state_key) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at`,
});
