import path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type { ScratchDatabase, ScratchFileFormat, ScratchValue } from '../../scratch-database.js';

/**
 * DuckDB's reader for a format, over the file bound as the first value (the path is the upload id's,
 * never a client's name). With `allText`, CSV/TSV columns are read as VARCHAR.
 */
function readerOf(format: ScratchFileFormat, allText: boolean): string {
  const text = allText ? ', all_varchar = true' : '';
  switch (format) {
    case 'csv':
      return `read_csv($1, sample_size = 20480${text})`;
    case 'tsv':
      return `read_csv($1, delim = '\\t', sample_size = 20480${text})`;
    case 'json':
      return "read_json($1, format = 'array')";
    case 'ndjson':
      return `read_json($1, format = 'newline_delimited')`;
    case 'parquet':
      return 'read_parquet($1)';
  }
}

/**
 * DuckDB settings of a bulk session (an upload's check, its import): whenever the buffer pool makes
 * room for a block, DuckDB flushes its allocator — without jemalloc (not in the Node bindings' build)
 * that is glibc's `malloc_trim(0)`, at most every 100 ms process-wide — so pages a finished operator
 * or an evicted block freed go back to the system instead of staying in RSS. DuckDB's default, 512 MB,
 * never fires in a 32 MB session. Measured (bench `uploads`' check stages in process, 1 M rows):
 * +64–88 MB → +41–50 MB RSS at the peak, the same CPU time.
 */
export const TRIM_FREED_MEMORY: Readonly<Record<string, string>> = {
  allocator_bulk_deallocation_flush_threshold: '0B',
};

/** An in-memory DuckDB whose file access is limited to one folder, locked before it is handed out. */
export class DuckDBScratch implements ScratchDatabase {
  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly conn: DuckDBConnection,
  ) {}

  /**
   * `spillDir` (inside `folder`): where DuckDB writes what exceeds the memory limit — the blocks of a
   * table read into the (in-memory) database too, so only the working set stays within the memory
   * limit and a large upload costs disk, not server memory. In memory rather than a database file:
   * a file compresses every block it writes (FSST/dictionary analysis of the text), which made the
   * one read of a 1 M-row CSV 2–4× slower (bench `uploads`); spilled blocks go to disk as they are.
   * The folder (spill files) goes with the session.
   */
  static async open(folder: string, memoryLimit: string, spillDir?: string): Promise<DuckDBScratch> {
    const instance = await DuckDBInstance.create(':memory:', {
      threads: '1',
      memory_limit: memoryLimit,
      preserve_insertion_order: 'true',
      // A table being written keeps one row group in memory before it goes to disk, not five.
      write_buffer_row_group_count: '1',
      ...TRIM_FREED_MEMORY,
      ...(spillDir ? { temp_directory: path.resolve(spillDir) } : {}),
    });
    const conn = await instance.connect();
    const dir = path.resolve(folder) + path.sep;
    try {
      await conn.run(`SET allowed_directories = ['${dir.replace(/'/g, "''")}']`);
      await conn.run('SET enable_external_access = false');
      await conn.run('SET lock_configuration = true');
    } catch (err) {
      conn.closeSync();
      instance.closeSync();
      throw err;
    }
    return new DuckDBScratch(instance, conn);
  }

  /** Rows as JSON-safe values (big integers, decimals, dates as text). Values are bound, never spliced. */
  async all(sql: string, params: readonly (string | number)[]): Promise<Record<string, ScratchValue>[]> {
    const reader = await this.conn.runAndReadAll(sql, [...params]);
    return reader.getRowObjectsJson() as Record<string, ScratchValue>[];
  }

  async describeFile(file: string, format: ScratchFileFormat): Promise<{ name: string; type: string }[]> {
    const described = await this.all(`DESCRIBE SELECT * FROM ${readerOf(format, false)}`, [file]);
    return described.map((d) => ({ name: String(d['column_name']), type: String(d['column_type']) }));
  }

  async firstRows(
    file: string,
    format: ScratchFileFormat,
    limit: number,
    allText: boolean,
  ): Promise<Record<string, ScratchValue>[]> {
    return this.all(`SELECT * FROM ${readerOf(format, allText)} LIMIT ${Math.trunc(limit)}`, [file]);
  }

  async sniffCsv(file: string): Promise<{ delimiter: string; quote: string; header: boolean } | null> {
    const [found] = await this.all('SELECT Delimiter AS d, Quote AS q, HasHeader AS h FROM sniff_csv($1)', [
      file,
    ]);
    return found
      ? { delimiter: String(found['d']), quote: String(found['q']), header: found['h'] === true }
      : null;
  }

  async close(): Promise<void> {
    this.conn.closeSync();
    this.instance.closeSync();
  }
}
