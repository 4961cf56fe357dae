import type { UploadFormat } from '../../../config/project/upload.schema.js';
import type { UploadTarget } from '../../../config/project/upload.types.js';
import { TrellisError } from '../../../errors.js';
import type { DuckDBScratch } from './duckdb-scratch.js';
import type { FileColumns } from '../../upload-check.js';

/**
 * A received file as one SQL relation for the profile, the validation report and the import, read ONCE
 * by DuckDB's own reader from the temp file (bound as `$1`) into the scratch table `u`. Nothing from
 * the file becomes an identifier: the file's columns are renamed by POSITION (`AS t(c0, c1, …)`), and
 * the headers — values from DESCRIBE — are matched to declared columns in JavaScript. Every value is
 * kept as trimmed text (`x<p>` by file position, blank → NULL) and cast to its declared type with
 * TRY_CAST in the view (`t<i>`, NULL when it does not cast), so a bad value is a finding for the report, never an
 * error that stops the read. The view `v` names them as the checks read them: `_row` (1-based data
 * row), `v<i>`/`t<i>` for declared column i (target.columns order), and `x<p>`.
 */
export interface FileRelation extends FileColumns {
  /** `CREATE TABLE u AS …` over the file (`$1`) and `CREATE VIEW v AS …` over `u`. */
  readonly load: readonly [string, string];
  /** The file's columns as text, `x<p>` by position (profile of every column, declared or not). */
  readonly textColumns: readonly string[];
}

const CSV_BUFFER_BYTES = 4 * 1024 * 1024;

/**
 * The reader for a format over `$1`. Uploads always have a header line (CSV/TSV); with `allText`
 * values come as VARCHAR so what the file holds is what is checked (`0120` stays `0120`).
 */
export function readerOf(format: UploadFormat, allText: boolean, quote?: string): string {
  // The CSV reader's buffer (default 16 × the 2 MB line limit = 32 MB) would be a quarter of the
  // check's memory by itself; 4 MB still holds two of the longest lines transcoding lets through.
  const text = `${allText ? ', all_varchar = true' : ''}, buffer_size = ${CSV_BUFFER_BYTES}`;
  // A quote inside a value is written twice (RFC 4180): the escape is the quote itself. Left to
  // itself DuckDB's sniffer can take a quote in a value for an escape (`"ßcü,'"|…` read with `'`
  // escaping the closing quote), and the rest of the file then became one value: UPLOAD_UNREADABLE
  // for a sound file. Only the two quotes a sniffer finds are ever written into the statement.
  const escape = quote === '"' || quote === "'" ? `, escape = '${quote === "'" ? "''" : '"'}'` : '';
  switch (format) {
    case 'csv':
      return `read_csv($1, header = true, sample_size = 20480${escape}${text})`;
    case 'xlsx': // converted on receipt to a CSV with every value quoted (xlsx-to-csv.ts)
      return `read_csv($1, header = true, delim = ',', quote = '"', escape = '"', sample_size = 20480${text})`;
    case 'tsv':
      return `read_csv($1, delim = '\\t', header = true, sample_size = 20480${escape}${text})`;
    case 'json':
      return "read_json($1, format = 'array')";
    case 'ndjson':
      return `read_json($1, format = 'newline_delimited')`;
    case 'parquet':
      return 'read_parquet($1)';
  }
}

export function isTextFormat(format: UploadFormat): boolean {
  return format === 'csv' || format === 'tsv' || format === 'xlsx';
}

/** Reads the file's header (DESCRIBE) and builds the relation; a file DuckDB refuses is UNREADABLE. */
export async function fileRelation(
  db: DuckDBScratch,
  file: string,
  format: UploadFormat,
  target: UploadTarget,
): Promise<FileRelation> {
  // The quote the sniffer finds, so the escape can be that quote (readerOf); sniffed with the
  // reader's small buffer (sniff_csv's default, 32 MB, does not fit the check's memory). A file the
  // sniffer cannot read gets no escape here: DESCRIBE below refuses it with its own error, as before.
  const quote =
    format === 'csv' || format === 'tsv'
      ? await db
          .all(
            `SELECT Quote AS q FROM sniff_csv($1, ${format === 'tsv' ? "delim = '\\t', " : ''}buffer_size = ${CSV_BUFFER_BYTES}, sample_size = 20480)`,
            [file],
          )
          .then((rows) => String(rows[0]?.['q'] ?? ''))
          .catch(() => undefined)
      : undefined;
  const reader = readerOf(format, isTextFormat(format), quote);
  const described = await unreadable(() => db.all(`DESCRIBE SELECT * FROM ${reader}`, [file]));
  // DuckDB renames a repeated or blank header (`Target_1`, `column2`); the report needs them as
  // written, so CSV/TSV headers are read as the first line's values (header = false).
  let headers = described.map((d) => String(d.column_name));
  if (isTextFormat(format)) {
    const raw = await unreadable(() =>
      db.all(`SELECT * FROM ${reader.replace('header = true', 'header = false')} LIMIT 1`, [file]),
    );
    const first = raw[0];
    if (first && Object.keys(first).length === headers.length)
      headers = Object.values(first).map((v) => (v === null ? '' : String(v)));
  }
  if (headers.length > target.limits.columns)
    throw new TrellisError('UPLOAD_TOO_MANY_COLUMNS', {
      message: `The file has ${headers.length} columns; this upload target allows ${target.limits.columns}.`,
    });
  const seen = new Map<string, number>();
  const duplicateHeaders: string[] = [];
  const blankHeaders: number[] = [];
  headers.forEach((h, p) => {
    const folded = h.trim().toLowerCase();
    if (folded === '') blankHeaders.push(p + 1);
    else if (seen.has(folded)) duplicateHeaders.push(h);
    else seen.set(folded, p);
  });
  const columns = target.columns.map((column) => ({
    column,
    position: seen.get(column.header.trim().toLowerCase()) ?? null,
  }));
  const declared = new Set(target.columns.map((c) => c.header.trim().toLowerCase()));
  const extra = headers.filter((h) => h.trim() !== '' && !declared.has(h.trim().toLowerCase()));
  const missing = columns.filter((c) => c.position === null && c.column.required).map((c) => c.column.name);

  const renamed = headers.map((_, p) => `c${p}`).join(', ');
  const text = (p: number) => `NULLIF(trim(CAST(c${p} AS VARCHAR)), '')`;
  const all = headers.map((_, p) => `${text(p)} AS x${p}`);
  const values = columns.map(({ position }, i) =>
    position === null ? `CAST(NULL AS VARCHAR) AS v${i}` : `x${position} AS v${i}`,
  );
  // The table keeps the text only; the view casts (TRY_CAST is cheap beside a second copy of every
  // declared column in the table, which doubled its size and its spilling — bench `uploads`).
  const typedFromText = columns.map(({ column, position }, i) =>
    position === null
      ? `CAST(NULL AS ${column.type}) AS t${i}`
      : `TRY_CAST(x${position} AS ${column.type}) AS t${i}`,
  );
  // `_row` is the table's rowid (+ 1): rows are appended in file order (one thread, insertion order
  // kept), so no window over the whole file is needed to number them.
  const load: [string, string] = [
    `CREATE TABLE u AS SELECT ${all.join(', ')} FROM ${reader} AS t(${renamed})`,
    `CREATE VIEW v AS SELECT rowid + 1 AS _row${values.map((c) => `, ${c}`).join('')}${typedFromText.map((c) => `, ${c}`).join('')}${all.map((_, p) => `, x${p}`).join('')} FROM u`,
  ];
  return {
    headers,
    columns,
    extra,
    missing,
    duplicateHeaders,
    blankHeaders,
    load,
    textColumns: headers.map((_, p) => `x${p}`),
  };
}

/** Runs a read; DuckDB's refusal (a broken file) becomes UPLOAD_UNREADABLE with its cause logged. */
export async function unreadable<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (err) {
    if (err instanceof TrellisError) throw err;
    throw new TrellisError('UPLOAD_UNREADABLE', { detail: { cause: (err as Error).message } });
  }
}
