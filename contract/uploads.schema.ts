import { z } from 'zod';

/** The uploads API (docs/uploads.md): targets, received files. */

export const uploadFormat = z.enum(['csv', 'tsv', 'xlsx', 'json', 'ndjson', 'parquet']);
export type UploadFormatName = z.infer<typeof uploadFormat>;

export const uploadTargetColumn = z.object({
  name: z.string(),
  header: z.string(),
  type: z.string(),
  required: z.boolean(),
});

export const uploadTargetSummary = z.object({
  id: z.string(),
  title: z.string(),
  description: z.string().optional(),
  mode: z.enum(['replace', 'append', 'upsert']),
  key: z.array(z.string()),
  formats: z.array(uploadFormat),
  maxBytes: z.number().int(),
  columns: z.array(uploadTargetColumn),
});
export type UploadTargetSummary = z.infer<typeof uploadTargetSummary>;
export const uploadTargetList = z.object({ targets: z.array(uploadTargetSummary) });

export const uploadVersion = z.object({
  version: z.number().int(),
  upload: z.string(),
  fileName: z.string(),
  rows: z.number().int(),
  /** sha256 of the file it came from. */
  checksum: z.string(),
  status: z.enum(['current', 'kept', 'removed']),
  mode: z.enum(['replace', 'append', 'upsert']),
  createdBy: z.string(),
  createdAt: z.string(),
});
export type UploadVersion = z.infer<typeof uploadVersion>;
export const uploadVersionList = z.object({ versions: z.array(uploadVersion) });
export const uploadImportResult = z.object({
  version: uploadVersion,
  /** Rows of the new version minus rows of the one it replaced (null: the first version). */
  rowDiff: z.number().int().nullable(),
  skippedRows: z.number().int(),
});
export type UploadImportResult = z.infer<typeof uploadImportResult>;

export const uploadSummary = z.object({
  id: z.string(),
  target: z.string(),
  fileName: z.string(),
  format: uploadFormat,
  bytes: z.number().int(),
  sha256: z.string(),
  /**
   * `queued`: an import was asked for and waits for the worker (or for an earlier import of the
   * organisation into the same target: `ahead`); `importing`: the worker is importing it.
   */
  status: z.enum(['received', 'rejected', 'queued', 'importing', 'imported', 'failed']),
  errorCode: z.string().nullable(),
  uploadedBy: z.string(),
  createdAt: z.string(),
  /** Queued only: imports of the organisation into the same target that run before this one. */
  ahead: z.number().int().optional(),
  /** Imported only: the version it became, the row difference and the skipped rows. */
  result: uploadImportResult.optional(),
  /** How the file was read, in the answer to the upload only: an XLSX's sheet (and all its sheets), a text file's encoding. */
  readAs: z
    .object({
      sheet: z.string().optional(),
      sheets: z.array(z.string()).optional(),
      encoding: z.string().optional(),
    })
    .optional(),
});
export type UploadSummary = z.infer<typeof uploadSummary>;
export const uploadList = z.object({ uploads: z.array(uploadSummary) });

export const previewColumn = z.object({
  /** The header as found in the file. */
  header: z.string(),
  /** DuckDB's inferred type (sniffed from the file). */
  inferredType: z.string(),
  /** The declared column this header fills, or null for an extra column. */
  column: z.string().nullable(),
  declaredType: z.string().nullable(),
});
export const uploadPreview = z.object({
  columns: z.array(previewColumn),
  /** At most 100 rows, in the file's column order; values as text. */
  rows: z.array(z.array(z.string().nullable())),
  /** Declared required columns the file lacks. */
  missing: z.array(z.string()),
  /** Headers that are no declared column. */
  extra: z.array(z.string()),
  /** What DuckDB's CSV sniffer found (CSV and TSV only). */
  dialect: z.object({ delimiter: z.string(), quote: z.string(), header: z.boolean() }).nullable(),
});
export type UploadPreview = z.infer<typeof uploadPreview>;

export const profileColumn = z.object({
  /** The header as found in the file. */
  header: z.string(),
  /** The declared column it fills, or null for an extra column. */
  column: z.string().nullable(),
  /** How it was profiled: numbers (min/max/mean/outliers as numbers) or text. */
  kind: z.enum(['number', 'text']),
  nulls: z.number().int(),
  nullShare: z.number(),
  distinct: z.number().int(),
  min: z.string().nullable(),
  max: z.string().nullable(),
  mean: z.number().nullable(),
  /** Values outside 1.5 × IQR of the quartiles (numbers only). */
  outliers: z.number().int().nullable(),
  top: z.array(z.object({ value: z.string(), count: z.number().int() })),
});
/**
 * How an approximate profile estimated its figures (above the target's `profile.exact_rows`): distinct
 * counts of the values' 64-bit hashes (exact unless two values share a hash), quartiles — and so the
 * outlier fences — by t-digest, and which values are the most frequent by a space-saving sketch
 * (their counts, and the outlier counts, are exact).
 */
export const profileApproximation = z.object({
  /** The profile is exact up to this many rows (the target's setting). */
  exactRows: z.number().int(),
  distinct: z.literal('hash64'),
  quartiles: z.literal('t-digest'),
  topValues: z.literal('space-saving'),
});
export const uploadProfile = z.object({
  rows: z.number().int(),
  /** True when distinct counts, outliers and top values are estimates (see `approximation`). */
  approximate: z.boolean(),
  approximation: profileApproximation.nullable(),
  columns: z.array(profileColumn),
  /** Rows that repeat an earlier row exactly (always exact). */
  duplicateRows: z.number().int(),
  /** Rows that repeat an earlier row's key (null: the target has no key, or it is not in the file); always exact. */
  duplicateKeys: z.number().int().nullable(),
  missing: z.array(z.string()),
  extra: z.array(z.string()),
  /** 0–100 and the four shares (0–1) it is made of (docs/uploads.md). */
  quality: z.object({
    score: z.number().int(),
    filled: z.number(),
    typed: z.number(),
    uniqueRows: z.number(),
    uniqueKeys: z.number(),
  }),
});
export type UploadProfile = z.infer<typeof uploadProfile>;

export const failureRule = z.enum([
  'required',
  'type',
  'unique',
  'allowed',
  'range',
  'pattern',
  'max_length',
  'cell_bytes',
]);
export const uploadFailure = z.object({
  row: z.number().int(),
  column: z.string(),
  value: z.string().nullable(),
  rule: failureRule,
});
export const fileProblem = z.object({
  rule: z.enum(['missing_column', 'extra_column', 'duplicate_header', 'blank_header', 'too_many_rows']),
  column: z.string(),
});
export const uploadReport = z.object({
  totalRows: z.number().int(),
  validRows: z.number().int(),
  invalidRows: z.number().int(),
  /** Every failing cell counted; at most `storedLimit` of them are kept for the pages and the download. */
  failuresTotal: z.number().int(),
  failuresStored: z.number().int(),
  storedLimit: z.number().int(),
  /** Problems of the whole file (columns); any of them blocks the import. */
  problems: z.array(fileProblem),
  /** Whether an import would go ahead under the target's invalid_rows policy, and why not. */
  importable: z.boolean(),
  blockedBy: z.string().nullable(),
  page: z.object({ offset: z.number().int(), limit: z.number().int() }),
  failures: z.array(uploadFailure),
});
export type UploadReport = z.infer<typeof uploadReport>;

export const versionDiff = z.object({
  from: z.number().int(),
  to: z.number().int(),
  fromRows: z.number().int(),
  toRows: z.number().int(),
  difference: z.number().int(),
});
