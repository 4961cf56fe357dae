import { mkdir, rm } from 'node:fs/promises';
import type { UploadProfile } from '../../../../contract/uploads.schema.js';
import type { UploadFormat } from '../../../config/project/upload.schema.js';
import type { UploadTarget } from '../../../config/project/upload.types.js';
import type { FileColumns, UploadCheck, Validation } from '../../upload-check.js';
import { DuckDBScratch } from './duckdb-scratch.js';
import { profileFile } from './duckdb-upload-profile.js';
import { fileRelation, unreadable, type FileRelation } from './duckdb-upload-relation.js';
import { validateFile, writeValidRows } from './duckdb-upload-validation.js';

export interface UploadCheckOptions {
  /** The scratch DuckDB's memory limit (its buffer pool; `<n>MB`): past it, work spills to `spillDir`. */
  readonly memoryLimit: string;
  /**
   * MB of memory per column of the file, when that is more than `memoryLimit` (plus 8 MB): DuckDB
   * pins a block or more per column while it appends, scans and writes the rows, so a wide file does
   * not fit a narrow file's limit (200,000 rows × 31 columns ran out at 32 and 64 MB, passed at 96).
   */
  readonly memoryPerColumnMb?: number;
  /**
   * A folder inside the upload folder for DuckDB's spill files (the table `u` past the limit too);
   * made when the session opens, removed when it closes.
   */
  readonly spillDir: string;
}

/**
 * The UploadCheck (upload-check.ts) on a private in-memory DuckDB locked to the upload folder,
 * spilling to the session's spill folder: the file is read once into the table `u` (its values as
 * text, by position), and validation, profile and the valid rows are computed from it. One thread, a
 * small memory limit and the spill folder keep the server's memory flat whatever the file's size.
 */
export class DuckDBUploadCheck implements UploadCheck {
  private validated = false;

  private constructor(
    private readonly db: DuckDBScratch,
    private readonly rel: FileRelation,
    private readonly target: UploadTarget,
    private readonly spillDir: string,
  ) {}

  static async open(
    folder: string,
    file: string,
    format: UploadFormat,
    target: UploadTarget,
    options: UploadCheckOptions,
  ): Promise<DuckDBUploadCheck> {
    let db: DuckDBScratch | null = null;
    try {
      await mkdir(options.spillDir, { recursive: true, mode: 0o700 });
      let scratch = await DuckDBScratch.open(folder, options.memoryLimit, options.spillDir);
      db = scratch;
      let rel = await fileRelation(scratch, file, format, target);
      const wider = widerLimit(options, rel.headers.length);
      if (wider) {
        // Reopened (the limit is locked with the configuration): two small reads of the header again.
        db = null;
        await scratch.close();
        scratch = await DuckDBScratch.open(folder, wider, options.spillDir);
        db = scratch;
        rel = await fileRelation(scratch, file, format, target);
      }
      await unreadable(async () => {
        await scratch.all(rel.load[0], [file]);
        await scratch.all(rel.load[1], []);
      });
      return new DuckDBUploadCheck(scratch, rel, target, options.spillDir);
    } catch (err) {
      await db?.close();
      await rm(options.spillDir, { recursive: true, force: true });
      throw err;
    }
  }

  get file(): FileColumns {
    return this.rel;
  }

  async rows(): Promise<number> {
    const [r] = await this.db.all('SELECT count(*) AS n FROM u', []);
    return Number(r?.['n'] ?? 0);
  }

  async validate(): Promise<Validation> {
    const validation = await unreadable(() => validateFile(this.db, this.rel, this.target));
    this.validated = true;
    return validation;
  }

  profile(): Promise<UploadProfile> {
    return unreadable(() => profileFile(this.db, this.rel, this.target, this.validated));
  }

  async writeValidRows(rowsFile: string): Promise<void> {
    if (!this.validated) throw new Error('upload check: validate() before writeValidRows()');
    await writeValidRows(this.db, this.rel, this.target, rowsFile);
  }

  async close(): Promise<void> {
    try {
      await this.db.close();
    } finally {
      await rm(this.spillDir, { recursive: true, force: true });
    }
  }
}

/** The memory limit a file of `columns` columns needs when it is more than the options' own; else null. */
export function widerLimit(options: UploadCheckOptions, columns: number): string | null {
  const base = /^(\d+)MB$/.exec(options.memoryLimit);
  if (!options.memoryPerColumnMb || !base) return null;
  const needed = 8 + options.memoryPerColumnMb * columns;
  return needed > Number(base[1]) ? `${Math.ceil(needed)}MB` : null;
}
