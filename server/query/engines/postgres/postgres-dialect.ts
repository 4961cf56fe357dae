import type { SqlDialect } from '../../dialect.js';

/**
 * PostgreSQL's SQL: `$n` placeholders, double-quoted identifiers, ILIKE, date_trunc,
 * percentile_cont. The LIKE escape is written E'\\' so that it means one backslash whatever
 * standard_conforming_strings says.
 */
export const postgresDialect: SqlDialect = {
  quoteIdentifier: (name) => `"${name.replace(/"/g, '""')}"`,
  placeholder: (index) => `$${index}`,
  castParameter(placeholder, type) {
    switch (type) {
      case 'string':
        return `CAST(${placeholder} AS TEXT)`;
      case 'number':
        return `CAST(${placeholder} AS DOUBLE PRECISION)`;
      case 'date':
        return `CAST(${placeholder} AS DATE)`;
      case 'timestamp':
        return `CAST(${placeholder} AS TIMESTAMP)`;
      case 'boolean':
        return `CAST(${placeholder} AS BOOLEAN)`;
    }
  },
  // Through TIMESTAMP, so that a DATE is not widened to TIMESTAMPTZ in some session time zone.
  timeGrain: (expression, grain) => `CAST(date_trunc('${grain}', CAST(${expression} AS TIMESTAMP)) AS DATE)`,
  containsPattern: (expression, placeholder) => `${expression} ILIKE ${placeholder} ESCAPE E'\\\\'`,
  median: (expression) => `percentile_cont(0.5) WITHIN GROUP (ORDER BY ${expression})`,
  castToText: (expression) => `CAST(${expression} AS TEXT)`,
  limitOffset: (limit, offset) => `LIMIT ${limit}${offset ? ` OFFSET ${offset}` : ''}`,
  sortKey: (expression, direction) => `${expression} ${direction === 'asc' ? 'ASC' : 'DESC'} NULLS LAST`,
  doubleType: 'DOUBLE PRECISION',
  integerType: 'INTEGER',
};
