/**
 * Named parameters (:name) in project SQL files. The scan skips string literals, quoted identifiers,
 * comments and `::` casts, so only real parameters are found; each becomes a bound placeholder.
 */
export interface SqlPiece {
  readonly text: string;
  /** The parameter that follows this piece of text, if any. */
  readonly param?: string;
}

export function splitNamedParameters(sql: string): SqlPiece[] {
  const pieces: SqlPiece[] = [];
  let start = 0;
  let i = 0;
  while (i < sql.length) {
    const ch = sql[i];
    const next = sql[i + 1];
    if (ch === "'" || ch === '"') {
      i = skipQuoted(sql, i, ch);
    } else if (ch === '-' && next === '-') {
      const end = sql.indexOf('\n', i);
      i = end === -1 ? sql.length : end;
    } else if (ch === '/' && next === '*') {
      const end = sql.indexOf('*/', i + 2);
      i = end === -1 ? sql.length : end + 2;
    } else if (ch === ':' && next === ':') {
      i += 2;
    } else if (ch === ':' && next !== undefined && /[A-Za-z_]/.test(next) && sql[i - 1] !== ':') {
      let j = i + 1;
      while (j < sql.length && /[A-Za-z0-9_]/.test(sql[j] ?? '')) j++;
      pieces.push({ text: sql.slice(start, i), param: sql.slice(i + 1, j) });
      start = j;
      i = j;
    } else {
      i++;
    }
  }
  pieces.push({ text: sql.slice(start) });
  return pieces;
}

export function namedParameters(sql: string): string[] {
  const names = splitNamedParameters(sql)
    .map((p) => p.param)
    .filter((p): p is string => p !== undefined);
  return [...new Set(names)];
}

function skipQuoted(sql: string, i: number, quote: string): number {
  let j = i + 1;
  while (j < sql.length) {
    if (sql[j] === quote) {
      if (sql[j + 1] === quote) j += 2;
      else return j + 1;
    } else j++;
  }
  return j;
}
