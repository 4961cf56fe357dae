import { z } from 'zod';
import { filterValues } from './filters.schema.js';
import { sortSpec } from './widget-data.schema.js';
import { EXPORT_FORMATS } from './export-formats.js';

/** Widget exports: GET (a plain download link) or POST (filters in the body). docs/exports.md. */
export { EXPORT_FORMATS, type ExportFormatName } from './export-formats.js';

/** Filter state in a GET link: the same JSON as the data request's `filters`, bounded in length. */
export const MAX_EXPORT_FILTERS_CHARS = 8_000;

export const exportQuery = z.object({
  format: z.enum(EXPORT_FORMATS).default('csv'),
  /** CSV: start with a UTF-8 byte order mark so that Excel reads the file as UTF-8. */
  bom: z.enum(['true', 'false']).default('false'),
  /** GET only: the dashboard's filter values as JSON (what `filters` is in a data request). */
  filters: z.string().max(MAX_EXPORT_FILTERS_CHARS).optional(),
  /** Tables: the column to sort by (one the widget declares sortable) and its direction. */
  sort: z.string().max(100).optional(),
  direction: z.enum(['asc', 'desc']).optional(),
});
export type ExportQuery = z.input<typeof exportQuery>;

export const exportBody = z.object({
  filters: filterValues.default({}),
  sort: sortSpec.optional(),
});
