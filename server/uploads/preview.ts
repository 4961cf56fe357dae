import path from 'node:path';
import type { UploadPreview } from '../../contract/uploads.schema.js';
import type { UploadFormat } from '../config/project/upload.schema.js';
import type { UploadTarget } from '../config/project/upload.types.js';
import { TrellisError } from '../errors.js';
import type { ScratchDatabase, ScratchFileFormat } from '../query/scratch-database.js';

export const PREVIEW_ROWS = 100;

/** The scratch engine's reader format of an upload format (an XLSX was converted to CSV on receipt). */
function scratchFormat(format: UploadFormat): ScratchFileFormat {
  return format === 'xlsx' ? 'csv' : format;
}

/** The first rows with each header's inferred type beside the declared column it fills. */
export async function previewFile(
  db: ScratchDatabase,
  file: string,
  format: UploadFormat,
  target: UploadTarget,
): Promise<UploadPreview> {
  try {
    const readAs = scratchFormat(format);
    const described = await db.describeFile(file, readAs);
    const byHeader = new Map(target.columns.map((c) => [c.header.trim().toLowerCase(), c]));
    const columns = described.map((d) => {
      const header = d.name;
      const declared = byHeader.get(header.trim().toLowerCase()) ?? null;
      return {
        header,
        inferredType: d.type,
        column: declared?.name ?? null,
        declaredType: declared?.type ?? null,
      };
    });
    const found = new Set(columns.map((c) => c.column).filter((c) => c !== null));
    // CSV values are read as text (all_varchar): the preview shows what the file holds, not a guess.
    const delimited = readAs === 'csv' || readAs === 'tsv';
    const rows = await db.firstRows(file, readAs, PREVIEW_ROWS, delimited);
    const dialect = delimited ? await db.sniffCsv(file) : null;
    return {
      columns,
      rows: rows.map((r) => columns.map((c) => textOf(r[c.header]))),
      missing: target.columns.filter((c) => c.required && !found.has(c.name)).map((c) => c.name),
      extra: columns.filter((c) => c.column === null).map((c) => c.header),
      dialect,
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
