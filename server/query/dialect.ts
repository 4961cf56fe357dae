import type { TimeGrain } from './plan.js';
import type { ColumnType } from '../config/project/project.types.js';

/**
 * What differs between SQL engines, and nothing else. Each engine's `<name>-compiler.ts` implements
 * this; the shared compiler never asks which engine it is talking to.
 */
export interface SqlDialect {
  quoteIdentifier(name: string): string;
  /** The placeholder for the n-th bound value (1-based): `$1` or `?`. */
  placeholder(index: number): string;
  /** A bound value read as the given column type. */
  castParameter(placeholder: string, type: ColumnType): string;
  /** Truncates a date/timestamp expression to the grain's start, as a date. */
  timeGrain(expression: string, grain: TimeGrain): string;
  /** Case-insensitive LIKE with `\` as the escape character. */
  containsPattern(expression: string, placeholder: string): string;
  /** The median as an aggregate function over the group. */
  median(expression: string): string;
  /**
   * The continuous quantile (linear interpolation between neighbours, like percentile_cont) of the
   * group's values as an aggregate; `fraction` is a constant of the compiler, never user input.
   */
  quantile(expression: string, fraction: number): string;
  /**
   * For engines whose median exists only as a window function (MariaDB's MEDIAN): the median of
   * `expression` over the rows that share the `partition` expressions. When a dialect has it, the
   * compiler computes medians in a subquery with it and takes one value per group.
   */
  readonly medianOver?: (expression: string, partition: readonly string[]) => string;
  /** Text form of any expression, for case-insensitive search over non-text columns. */
  castToText(expression: string): string;
  /** `LIMIT x OFFSET y` in this dialect; both are placeholders. */
  limitOffset(limit: string, offset: string | undefined): string;
  /**
   * An ORDER BY item with NULLs last in either direction (the same order on every engine). `output` is
   * the quoted output column; `aggregate` is its expression when it is a measure, for engines that
   * cannot use an aggregate's alias inside an expression (MySQL).
   */
  sortKey(output: string, direction: 'asc' | 'desc', aggregate?: string): string;
  /** DOUBLE PRECISION / DOUBLE. */
  readonly doubleType: string;
  /** The CAST target for a whole number: INTEGER, or SIGNED where INTEGER is not one (MySQL). */
  readonly integerType: string;
}

/** Escapes LIKE wildcards so user text matches literally; `\` is the declared escape character. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** Standard SQL's quoting: double quotes, a double quote doubled (DuckDB, PostgreSQL). */
export function doubleQuoted(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** castParameter from the SQL type each column type is cast to (`null`: the bound value as it is). */
export function castsTo(types: Readonly<Record<ColumnType, string | null>>): SqlDialect['castParameter'] {
  return (placeholder, type) => {
    const sqlType = types[type];
    return sqlType === null ? placeholder : `CAST(${placeholder} AS ${sqlType})`;
  };
}

/** A quantile's fraction as SQL text: a finite number in [0, 1] from the compiler, checked again here. */
export function fractionLiteral(fraction: number): string {
  if (!Number.isFinite(fraction) || fraction < 0 || fraction > 1)
    throw new Error(`quantile fraction ${fraction} is not in [0, 1]`);
  return String(fraction);
}
