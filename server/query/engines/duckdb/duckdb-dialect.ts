import { castsTo, doubleQuoted, fractionLiteral, type SqlDialect } from '../../dialect.js';

/** DuckDB's SQL: `$n` placeholders, double-quoted identifiers, ILIKE, date_trunc. */
export const duckdbDialect: SqlDialect = {
  quoteIdentifier: doubleQuoted,
  placeholder: (index) => `$${index}`,
  castParameter: castsTo({
    string: 'VARCHAR',
    number: 'DOUBLE',
    date: 'DATE',
    timestamp: 'TIMESTAMP',
    boolean: 'BOOLEAN',
  }),
  timeGrain: (expression, grain) => `CAST(date_trunc('${grain}', ${expression}) AS DATE)`,
  containsPattern: (expression, placeholder) => `${expression} ILIKE ${placeholder} ESCAPE '\\'`,
  median: (expression) => `median(${expression})`,
  quantile: (expression, fraction) => `quantile_cont(${expression}, ${fractionLiteral(fraction)})`,
  castToText: (expression) => `CAST(${expression} AS VARCHAR)`,
  limitOffset: (limit, offset) => `LIMIT ${limit}${offset ? ` OFFSET ${offset}` : ''}`,
  sortKey: (expression, direction) => `${expression} ${direction === 'asc' ? 'ASC' : 'DESC'} NULLS LAST`,
  doubleType: 'DOUBLE',
  integerType: 'INTEGER',
};
