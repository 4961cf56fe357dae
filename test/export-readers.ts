import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';

/**
 * Independent readers for export tests: DuckDB's own CSV and Parquet readers (not our writers' code)
 * read files back. One in-memory instance per reader; close it when done.
 */
export class ExportReader {
  private fileNo = 0;
  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly conn: Awaited<ReturnType<DuckDBInstance['connect']>>,
    private readonly dir: string,
  ) {}

  static async open(): Promise<ExportReader> {
    const instance = await DuckDBInstance.create(':memory:');
    return new ExportReader(
      instance,
      await instance.connect(),
      mkdtempSync(path.join(tmpdir(), 'trellis-readback-')),
    );
  }

  /** A CSV with a header, every column as text; quoted empty text stays apart from (unquoted) NULL. */
  async csv(data: Buffer, columnCount: number): Promise<(string | null)[][]> {
    const file = this.write(data, 'csv');
    const columns = Array.from({ length: columnCount }, (_, i) => `'c${i}': 'VARCHAR'`).join(', ');
    const reader = await this.conn.runAndReadAll(
      `SELECT * FROM read_csv('${file}', header = true, all_varchar = true, quote = '"', escape = '"',
         delim = ',', allow_quoted_nulls = false, strict_mode = true, auto_detect = false, columns = {${columns}})`,
    );
    return reader.getRowsJson() as (string | null)[][];
  }

  /** The rows of a Parquet file as JSON values, in the order of `orderBy` (a column name of the file). */
  async parquet(data: Buffer, orderBy: string): Promise<unknown[][]> {
    const file = this.write(data, 'parquet');
    const reader = await this.conn.runAndReadAll(
      `SELECT * FROM read_parquet('${file}') ORDER BY "${orderBy}"`,
    );
    return reader.getRowsJson();
  }

  close(): void {
    this.conn.closeSync();
    this.instance.closeSync();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private write(data: Buffer, ext: string): string {
    const file = path.join(this.dir, `r${++this.fileNo}.${ext}`);
    writeFileSync(file, data);
    return file;
  }
}
