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

export const uploadSummary = z.object({
  id: z.string(),
  target: z.string(),
  fileName: z.string(),
  format: uploadFormat,
  bytes: z.number().int(),
  sha256: z.string(),
  status: z.enum(['received', 'rejected', 'importing', 'imported', 'failed']),
  errorCode: z.string().nullable(),
  uploadedBy: z.string(),
  createdAt: z.string(),
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
