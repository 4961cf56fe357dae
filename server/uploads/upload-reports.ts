import type { UploadProfile, UploadReport } from '../../contract/uploads.schema.js';
import type { UploadTarget } from '../config/project/upload.types.js';
import type { UploadReportsTable } from '../store/database.types.js';
import type { Store } from '../store/store.js';
import { MAX_STORED_FAILURES, type FileColumns, type Validation } from '../query/upload-check.js';

export type FileProblem = UploadReport['problems'][number];

/** Problems of the whole file: any of them blocks an import. */
export function fileProblems(rel: FileColumns, target: UploadTarget, totalRows: number): FileProblem[] {
  const problems: FileProblem[] = [
    ...rel.missing.map((column) => ({ rule: 'missing_column' as const, column })),
    ...rel.duplicateHeaders.map((column) => ({ rule: 'duplicate_header' as const, column })),
    ...rel.blankHeaders.map((p) => ({ rule: 'blank_header' as const, column: `#${p}` })),
  ];
  if (target.extraColumns === 'reject')
    problems.push(...rel.extra.map((column) => ({ rule: 'extra_column' as const, column })));
  if (totalRows > target.limits.rows) problems.push({ rule: 'too_many_rows', column: '' });
  return problems;
}

/** Whether the target's invalid_rows policy lets the file in, and if not, why (for people). */
export function blockedBy(
  target: UploadTarget,
  totalRows: number,
  invalidRows: number,
  problems: readonly FileProblem[],
): string | null {
  if (problems.some((p) => p.rule === 'too_many_rows'))
    return `The file has ${totalRows} rows; this target allows ${target.limits.rows}.`;
  if (problems.length) return 'The file’s columns do not fit the target (see the problems).';
  if (totalRows === 0) return 'The file has a header but no rows.';
  if (invalidRows === 0) return null;
  if (target.invalidRows.action === 'reject')
    return `${invalidRows} of ${totalRows} rows are invalid; this target refuses files with invalid rows.`;
  if (invalidRows / totalRows > target.invalidRows.maxShare)
    return `${invalidRows} of ${totalRows} rows are invalid, more than the ${(target.invalidRows.maxShare * 100).toFixed(1)}% this target skips.`;
  return null;
}

/** Stores a computed report, its profile and its first failures (one transaction). */
export async function storeReport(
  store: Store,
  uploadId: string,
  organisationId: string,
  validation: Validation,
  problems: readonly FileProblem[],
  profile: UploadProfile | null,
  at: number,
): Promise<UploadReportsTable> {
  const row: UploadReportsTable = {
    upload_id: uploadId,
    organisation_id: organisationId,
    total_rows: validation.totalRows,
    invalid_rows: validation.invalidRows,
    failures_total: validation.failuresTotal,
    failures_stored: Math.min(validation.failures.length, MAX_STORED_FAILURES),
    problems: JSON.stringify(problems),
    profile: profile === null ? null : JSON.stringify(profile),
    created_at: at,
  };
  await store.db.transaction().execute(async (tx) => {
    await tx.deleteFrom('upload_failures').where('upload_id', '=', uploadId).execute();
    await tx.deleteFrom('upload_reports').where('upload_id', '=', uploadId).execute();
    await tx.insertInto('upload_reports').values(row).execute();
    const failures = validation.failures.slice(0, MAX_STORED_FAILURES);
    for (let i = 0; i < failures.length; i += 500) {
      const chunk = failures.slice(i, i + 500);
      await tx
        .insertInto('upload_failures')
        .values(
          chunk.map((f, j) => ({
            upload_id: uploadId,
            seq: i + j,
            row_number: f.row,
            column_name: f.column,
            value: f.value,
            rule: f.rule,
          })),
        )
        .execute();
    }
  });
  return row;
}
