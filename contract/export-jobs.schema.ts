import { z } from 'zod';
import { EXPORT_FORMATS } from './export-formats.js';
import { filterValues } from './filters.schema.js';
import { sortSpec } from './widget-data.schema.js';

/**
 * Export jobs (docs/exports.md): the web app's Export menu asks here first. A small export answers
 * `direct` (the browser then downloads the streamed file); one beyond the row threshold becomes a job
 * on the worker, listed on the Exports page with progress, kept for a while, then deleted.
 */
export const exportStartBody = z.object({
  dashboard: z.string().min(1).max(100),
  widget: z.string().min(1).max(100),
  format: z.enum(EXPORT_FORMATS),
  bom: z.boolean().default(false),
  filters: filterValues.default({}),
  sort: sortSpec.optional(),
});
export type ExportStartBody = z.input<typeof exportStartBody>;

/** Files an export job writes: a widget's data in any export format, or a whole dashboard as PDF. */
export const EXPORT_JOB_FORMATS = [...EXPORT_FORMATS, 'pdf', 'png'] as const;
export type ExportJobFormat = (typeof EXPORT_JOB_FORMATS)[number];

/**
 * A dashboard PDF (docs/exports.md): rendered on the worker by headless Chromium. `query` is the
 * dashboard page's filter query as in its address (`?region=EU,US&placed=2024-01-01..`); its keys
 * must be the dashboard's filter ids, its values are checked by the widget data API as always.
 */
export const dashboardPdfBody = z.object({
  dashboard: z.string().min(1).max(100),
  /** A paged PDF, or the whole dashboard as one PNG image (paper and orientation then do not apply). */
  format: z.enum(['pdf', 'png']).default('pdf'),
  paper: z.enum(['A4', 'Letter']).default('A4'),
  orientation: z.enum(['portrait', 'landscape']).default('portrait'),
  query: z
    .string()
    .max(4_000)
    .regex(/^(\?[^#\s]*)?$/, 'a query string starting with "?"')
    .default(''),
});
export type DashboardPdfBody = z.input<typeof dashboardPdfBody>;

export const EXPORT_FILE_STATUSES = ['queued', 'running', 'ready', 'failed', 'cancelled', 'expired'] as const;
export type ExportFileStatus = (typeof EXPORT_FILE_STATUSES)[number];

export const exportFile = z.object({
  id: z.string(),
  dashboard: z.string(),
  widget: z.string(),
  format: z.enum(EXPORT_JOB_FORMATS),
  fileName: z.string(),
  status: z.enum(EXPORT_FILE_STATUSES),
  rowsTotal: z.number().int().nullable(),
  rowsDone: z.number().int(),
  rowsPerSecond: z.number().int().nullable(),
  /** Seconds left at the current rate, while running. */
  etaSeconds: z.number().int().nullable(),
  bytes: z.number().int().nullable(),
  /** A failure's catalogue code and its user-safe message. */
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  /** True when the caller asked for it (admins also see their organisation's other exports). */
  mine: z.boolean(),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
  /** When a ready file is deleted. */
  expiresAt: z.string().nullable(),
});
export type ExportFile = z.infer<typeof exportFile>;

export const exportStartResponse = z.discriminatedUnion('mode', [
  /** Small enough to stream now: download GET …/widgets/:widget/export with the same request. */
  z.object({ mode: z.literal('direct'), rows: z.number().int().nullable() }),
  /** Queued on the worker: follow it on the Exports page (or GET /api/v1/exports/:id). */
  z.object({ mode: z.literal('job'), export: exportFile }),
]);
export type ExportStartResponse = z.infer<typeof exportStartResponse>;

export const exportListResponse = z.object({ exports: z.array(exportFile) });
export type ExportListResponse = z.infer<typeof exportListResponse>;
