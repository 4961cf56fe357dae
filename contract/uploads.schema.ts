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
