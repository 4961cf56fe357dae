import type { DuckDBTypeId } from '@duckdb/node-api';
import { columnTypeOf } from './duckdb-introspector.js';

/**
 * The `COPY` statement that has DuckDB write a query's rows as the `<row>` elements of an XLSX sheet
 * (one per line, nothing quoted), exactly as exports/xlsx-export.ts writes them from streamed rows:
 * numbers as numbers (NaN and ±∞ no cell), booleans `t="b"`, dates and timestamps as Excel serial
 * days with the date (s=1) and timestamp (s=2) styles, text as inline strings (CR and CRLF as LF, the
 * control characters XML cannot hold dropped, `& < >` escaped, line feeds as `&#10;` so that one row
 * stays one line), NULL and empty text no cell, a row without cells an empty line. Rows are numbered from 2 (row 1 is the header) in the
 * query's order — `row_number() OVER ()` keeps it. So an XLSX export from DuckDB crosses no value into
 * JS (measured: the streamed path added +250–325 MB for 1 M rows). Undefined when a result column has
 * a type only the JS writer renders.
 *
 * Only the query (compiled, parameters bound) and the file name (ours) enter the SQL; the result
 * columns are renamed positionally, so no column name is spliced in.
 */
export function xlsxRowsCopySql(
  querySql: string,
  types: readonly DuckDBTypeId[],
  file: string,
): string | undefined {
  const names = types.map((_, i) => `c${i}`);
  // The inner SELECT numbers the rows and makes text fit XML once; the outer one builds the cells.
  const inner: string[] = [];
  const cells: string[] = [];
  for (const [i, typeId] of types.entries()) {
    const c = names[i] as string;
    const ref = `'<c r="${columnName(i)}' || r || '"`;
    const type = columnTypeOf(typeId);
    if (type === undefined) return undefined;
    if (type === 'string') inner.push(`${fitText(`CAST(${c} AS VARCHAR)`)} AS ${c}`);
    else inner.push(c);
    if (type === 'number')
      cells.push(
        `CASE WHEN isfinite(CAST(${c} AS DOUBLE)) THEN ${ref}><v>' || CAST(CAST(${c} AS DOUBLE) AS VARCHAR) || '</v></c>' END`,
      );
    else if (type === 'boolean')
      cells.push(
        `CASE WHEN ${c} THEN ${ref} t="b"><v>1</v></c>' WHEN NOT ${c} THEN ${ref} t="b"><v>0</v></c>' END`,
      );
    else if (type === 'date' || type === 'timestamp') {
      const serial =
        type === 'date' ? `25569 + (${c} - DATE '1970-01-01')` : `25569 + epoch_ms(${c}) / 86400000`;
      // ±infinity has no serial day: it stays text, as the JS writer leaves what Date.parse cannot read.
      cells.push(
        `CASE WHEN isfinite(${c}) THEN ${ref} s="${type === 'date' ? 1 : 2}"><v>' || CAST(${serial} AS VARCHAR) || '</v></c>' ` +
          `ELSE ${ref} t="inlineStr"><is><t>' || CAST(${c} AS VARCHAR) || '</t></is></c>' END`,
      );
    } else
      cells.push(
        `CASE WHEN ${c} <> '' THEN ${ref} t="inlineStr"><is><t xml:space="preserve">' || ${escaped(c)} || '</t></is></c>' END`,
      );
  }
  const numbered = [`CAST(row_number() OVER () + 1 AS VARCHAR) AS r`, ...inner].join(', ');
  const x = cells.length ? `concat(${cells.join(', ')})` : `''`;
  // A row of nothing but empty cells is an empty line (white space between the elements, still
  // counted by COPY for the export limit): the sheet's last row is its last with a value.
  const row = `CASE WHEN x = '' THEN '' ELSE concat('<row r="', r, '">', x, '</row>') END`;
  const into = file.replace(/'/g, "''");
  return (
    `COPY (SELECT ${row} FROM (SELECT r, ${x} AS x FROM (SELECT ${numbered} ` +
    `FROM (${querySql}) AS q(${names.join(', ')})) AS numbered) AS built) ` +
    `TO '${into}' (FORMAT csv, HEADER false, QUOTE '', ESCAPE '', DELIMITER '|', NEW_LINE '\\n')`
  );
}

/** Text as xlsx-export.ts `xlsxText` makes it: CR and CRLF as LF, what XML 1.0 cannot hold dropped. */
function fitText(text: string): string {
  const lf = `replace(replace(${text}, chr(13) || chr(10), chr(10)), chr(13), chr(10))`;
  return `regexp_replace(${lf}, '[\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x{FFFE}\\x{FFFF}]', '', 'g')`;
}

/** XML text, with line feeds as character references so that a row stays on one line of the file. */
function escaped(c: string): string {
  return `replace(replace(replace(replace(${c}, '&', '&amp;'), '<', '&lt;'), '>', '&gt;'), chr(10), '&#10;')`;
}

/** A, B, …, Z, AA, AB, … */
function columnName(index: number): string {
  let name = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26))
    name = String.fromCharCode(65 + ((n - 1) % 26)) + name;
  return name;
}
