/** The download formats of widget exports (docs/exports.md); a leaf module, so every schema may import it. */
export const EXPORT_FORMATS = ['csv', 'xlsx', 'parquet', 'json', 'ndjson'] as const;
export type ExportFormatName = (typeof EXPORT_FORMATS)[number];
