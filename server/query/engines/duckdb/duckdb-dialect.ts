import type { SqlDialect } from '../../dialect.js';

/** DuckDB's SQL: `$n` placeholders, double-quoted identifiers, ILIKE, date_trunc. */
export const duckdbDialect: SqlDialect = {
  quoteIdentifier: (name) => `"${name.replace(/"/g, '""')}"`,
  placeholder: (index) => `$${index}`,
  castParameter(placeholder, type) {
    switch (type) {
      case 'string':
        return `CAST(${placeholder} AS VARCHAR)`;
      case 'number':
        return `CAST(${placeholder} AS DOUBLE)`;
      case 'date':
        return `CAST(${placeholder} AS DATE)`;
      case 'timestamp':
        return `CAST(${placeholder} AS TIMESTAMP)`;
      case 'boolean':
        return `CAST(${placeholder} AS BOOLEAN)`;
    }
  },
  timeGrain: (expression, grain) => `CAST(date_trunc('${grain}', ${expression}) AS DATE)`,
  containsPattern: (expression, placeholder) => `${expression} ILIKE ${placeholder} ESCAPE '\\'`,
  median: (expression) => `median(${expression})`,
  castToText: (expression) => `CAST(${expression} AS VARCHAR)`,
  limitOffset: (limit, offset) => `LIMIT ${limit}${offset ? ` OFFSET ${offset}` : ''}`,
  sortKey: (expression, direction) => `${expression} ${direction === 'asc' ? 'ASC' : 'DESC'} NULLS LAST`,
  doubleType: 'DOUBLE',
  integerType: 'INTEGER',
};
