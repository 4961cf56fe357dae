import { castsTo, fractionLiteral, type SqlDialect } from '../../dialect.js';
import type { IngestColumnType } from '../../ingest-writer.js';
import { serverIngestStatements } from '../server-ingest-statements.js';

/**
 * MySQL/MariaDB SQL: `?` placeholders (server-side prepared statements), backquoted identifiers,
 * and what MySQL lacks written out:
 * - no NULLS LAST: NULLs sort first ascending, so `x IS NULL, x ASC` (descending needs nothing);
 * - no date_trunc: MAKEDATE/INTERVAL arithmetic, which yields a DATE;
 * - no ILIKE: LOWER() on both sides, so a binary (case-sensitive) collation matches case-insensitively
 *   too; the escape is CHAR(92), one backslash whether or not NO_BACKSLASH_ESCAPES is set;
 * - no aggregate median: MariaDB has MEDIAN() as a window function (mariadbDialect.medianOver, which the
 *   compiler uses in a subquery); MySQL has none, so mysqlDialect takes the middle value(s) of the
 *   group's sorted GROUP_CONCAT list (see groupConcatMedian).
 * The engine picks the dialect by the server it finds (mysql-engine.ts).
 */
export const mysqlDialect: SqlDialect = {
  quoteIdentifier: (name) => `\`${name.replace(/`/g, '``')}\``,
  placeholder: () => '?',
  castParameter: castsTo({
    // Bound text as is: CAST(… AS CHAR) would take the connection's collation and can clash with the
    // column's ("Illegal mix of collations").
    string: null,
    number: 'DOUBLE',
    date: 'DATE',
    timestamp: 'DATETIME(6)',
    // MySQL's BOOLEAN is TINYINT(1); a bound true/false arrives as 1/0.
    boolean: 'SIGNED',
  }),
  timeGrain(expression, grain) {
    const e = expression;
    switch (grain) {
      case 'day':
        return `CAST(${e} AS DATE)`;
      case 'week': // ISO weeks start on Monday; WEEKDAY() is 0 for Monday
        return `DATE_SUB(CAST(${e} AS DATE), INTERVAL WEEKDAY(${e}) DAY)`;
      case 'month':
        return `(MAKEDATE(YEAR(${e}), 1) + INTERVAL (MONTH(${e}) - 1) MONTH)`;
      case 'quarter':
        return `(MAKEDATE(YEAR(${e}), 1) + INTERVAL (QUARTER(${e}) - 1) QUARTER)`;
      case 'year':
        return `MAKEDATE(YEAR(${e}), 1)`;
    }
  },
  containsPattern: (expression, placeholder) =>
    `LOWER(${expression}) LIKE LOWER(${placeholder}) ESCAPE CHAR(92)`,
  median: groupConcatMedian,
  quantile: groupConcatQuantile,
  castToText: (expression) => `CAST(${expression} AS CHAR)`,
  limitOffset: (limit, offset) => `LIMIT ${limit}${offset ? ` OFFSET ${offset}` : ''}`,
  // NULL is MySQL's smallest value: last when descending already; ascending needs `IS NULL` first,
  // on the aggregate itself for a measure (its alias cannot be used inside an expression).
  sortKey: (output, direction, aggregate) =>
    direction === 'desc' ? `${output} DESC` : `${aggregate ?? output} IS NULL, ${output} ASC`,
  doubleType: 'DOUBLE',
  integerType: 'SIGNED',
};

/**
 * The median as an aggregate: the group's non-NULL values sorted into one list, and the mean of its
 * middle one or two items (like percentile_cont(0.5)). The list is capped by the server
 * (group_concat_max_len, raised per session, and max_allowed_packet); a list that reached the cap was
 * cut short, and then the answer is NULL rather than the median of a part.
 */
function groupConcatMedian(expression: string): string {
  const list = `GROUP_CONCAT(${expression} ORDER BY ${expression} SEPARATOR ',')`;
  const n = `COUNT(${expression})`;
  const item = (k: string) => `CAST(SUBSTRING_INDEX(SUBSTRING_INDEX(${list}, ',', ${k}), ',', -1) AS DOUBLE)`;
  return (
    `(CASE WHEN LENGTH(${list}) >= LEAST(@@group_concat_max_len, @@max_allowed_packet) THEN NULL ` +
    `ELSE (${item(`FLOOR((${n} + 1) / 2)`)} + ${item(`FLOOR(${n} / 2) + 1`)}) / 2 END)`
  );
}

/**
 * A continuous quantile as an aggregate, the same way: the value at position (n − 1)·f of the sorted
 * list, interpolated between its neighbours (percentile_cont's definition). NULL when the list was cut
 * short by the server's cap. MariaDB's PERCENTILE_CONT is a window function only, so both use this.
 */
function groupConcatQuantile(expression: string, fraction: number): string {
  const f = fractionLiteral(fraction);
  const list = `GROUP_CONCAT(${expression} ORDER BY ${expression} SEPARATOR ',')`;
  const pos = `((COUNT(${expression}) - 1) * ${f})`;
  const item = (k: string) => `CAST(SUBSTRING_INDEX(SUBSTRING_INDEX(${list}, ',', ${k}), ',', -1) AS DOUBLE)`;
  const lower = item(`FLOOR(${pos}) + 1`);
  // Past the last item SUBSTRING_INDEX gives the whole list, whose last item is the maximum: the
  // fraction is 0 there anyway.
  const upper = item(`FLOOR(${pos}) + 2`);
  return (
    `(CASE WHEN LENGTH(${list}) >= LEAST(@@group_concat_max_len, @@max_allowed_packet) THEN NULL ` +
    `ELSE ${lower} + (${pos} - FLOOR(${pos})) * (${upper} - ${lower}) END)`
  );
}

/** MariaDB: MySQL's SQL plus MEDIAN() as a window function, exact however large the group. */
export const mariadbDialect: SqlDialect = {
  ...mysqlDialect,
  medianOver: (expression, partition) =>
    `MEDIAN(${expression}) OVER (${partition.length ? `PARTITION BY ${partition.join(', ')}` : ''})`,
};

const quote = mysqlDialect.quoteIdentifier;

const DDL: Record<IngestColumnType, string> = {
  VARCHAR: 'TEXT',
  INTEGER: 'INT',
  BIGINT: 'BIGINT',
  DOUBLE: 'DOUBLE',
  BOOLEAN: 'BOOLEAN',
  DATE: 'DATE',
  TIMESTAMP: 'DATETIME(6)',
};

const STORED: Record<IngestColumnType, readonly string[]> = {
  VARCHAR: ['text', 'mediumtext', 'longtext', 'varchar', 'char'],
  INTEGER: ['int'],
  BIGINT: ['bigint'],
  DOUBLE: ['double'],
  BOOLEAN: ['tinyint'],
  DATE: ['date'],
  TIMESTAMP: ['datetime'],
};

/** The column type in DDL, and information_schema's names that hold it (pipelines' and uploads' writers). */
export const mysqlDdlType = (type: IngestColumnType): string => DDL[type];
export const mysqlStoredAs = (type: IngestColumnType): readonly string[] => STORED[type];

/** MySQL/MariaDB's statements of the shared server ingest writer (server-ingest-writer.ts). */
export const mysqlIngestSql = serverIngestStatements({
  quote,
  dialect: mysqlDialect,
  placeholder: () => '?',
  ddlType: mysqlDdlType,
  storedAs: mysqlStoredAs,
  columnsOf:
    'SELECT column_name AS name, data_type AS type FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = ?',
  asText: (expression) => `CAST(${expression} AS CHAR)`,
  stateColumns: { key: 'VARCHAR(255)', state: 'LONGTEXT', time: 'DATETIME(6)' },
  putState: (table) =>
    `INSERT INTO ${table} (state_key, state, updated_at) VALUES (?, ?, UTC_TIMESTAMP(6)) ON DUPLICATE KEY UPDATE state = VALUES(state), updated_at = VALUES(updated_at)`,
});
