import path from 'node:path';
import type { UploadPreview } from '../../contract/uploads.schema.js';
import type { UploadFormat } from '../config/project/upload.schema.js';
import type { UploadTarget } from '../config/project/upload.types.js';
import { TrellisError } from '../errors.js';
import type { ScratchDatabase } from '../query/scratch-database.js';
import { readerOf } from './file-relation.js';

export const PREVIEW_ROWS = 100;

/** The first rows with each header's inferred type beside the declared column it fills. */
export async function previewFile(
  db: ScratchDatabase,
  file: string,
  format: UploadFormat,
  target: UploadTarget,
): Promise<UploadPreview> {
  const reader = readerOf(format, false);
  try {
    const described = await db.all(`DESCRIBE SELECT * FROM ${reader}`, [file]);
    const byHeader = new Map(target.columns.map((c) => [c.header.trim().toLowerCase(), c]));
    const columns = described.map((d) => {
      const header = String(d.column_name);
      const declared = byHeader.get(header.trim().toLowerCase()) ?? null;
      return {
        header,
        inferredType: String(d.column_type),
        column: declared?.name ?? null,
        declaredType: declared?.type ?? null,
      };
    });
    const found = new Set(columns.map((c) => c.column).filter((c) => c !== null));
    // CSV values are read as text (all_varchar): the preview shows what the file holds, not a guess.
    const rows = await db.all(
      `SELECT * FROM ${readerOf(format, format === 'csv' || format === 'tsv')} LIMIT ${PREVIEW_ROWS}`,
      [file],
    );
    const dialect =
      format === 'csv' || format === 'tsv'
        ? ((
            await db.all('SELECT Delimiter AS d, Quote AS q, HasHeader AS h FROM sniff_csv($1)', [file])
          )[0] ?? null)
        : null;
    return {
      columns,
      rows: rows.map((r) => columns.map((c) => textOf(r[c.header]))),
      missing: target.columns.filter((c) => c.required && !found.has(c.name)).map((c) => c.name),
      extra: columns.filter((c) => c.column === null).map((c) => c.header),
      dialect: dialect
        ? { delimiter: String(dialect.d), quote: String(dialect.q), header: dialect.h === true }
        : null,
    };
  } catch (err) {
    if (err instanceof TrellisError) throw err;
    throw new TrellisError('UPLOAD_UNREADABLE', {
      detail: { file: path.basename(file), cause: (err as Error).message },
    });
  }
}

function textOf(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}
