import type { ExportFormatName, FilterValues, SortSpec } from '../../../contract/index.js';

/** The formats in the export menu, in order, with their labels. */
export const EXPORT_CHOICES: readonly {
  format: ExportFormatName;
  label: string;
  /** The label's key in the catalogue (exportMenu.formats). */
  key: 'csv' | 'csvBom' | 'xlsx' | 'parquet' | 'json' | 'ndjson';
  bom?: boolean;
}[] = [
  { format: 'csv', label: 'CSV', key: 'csv' },
  { format: 'csv', label: 'CSV for Excel (UTF-8 BOM)', key: 'csvBom', bom: true },
  { format: 'xlsx', label: 'Excel (XLSX)', key: 'xlsx' },
  { format: 'parquet', label: 'Parquet', key: 'parquet' },
  { format: 'json', label: 'JSON', key: 'json' },
  { format: 'ndjson', label: 'NDJSON', key: 'ndjson' },
];

/**
 * The menu's choices for a widget: only the formats its source can write (the server lists them with
 * the widget; Parquet is DuckDB's). An older server that lists none gets the row formats only.
 */
export function exportChoicesFor(widget: {
  readonly exportFormats?: readonly ExportFormatName[] | undefined;
}): typeof EXPORT_CHOICES {
  const allowed = widget.exportFormats ?? ['csv', 'xlsx', 'json', 'ndjson'];
  return EXPORT_CHOICES.filter((c) => allowed.includes(c.format));
}

/**
 * The download link of a widget export: a plain GET the browser streams to disk (no copy in page
 * memory), with the filters that affect the widget and a table's current sort. docs/exports.md.
 */
export function exportUrl(
  dashboardId: string,
  widgetId: string,
  choice: { format: ExportFormatName; bom?: boolean | undefined },
  filters: FilterValues,
  sort?: SortSpec,
): string {
  const query = new URLSearchParams({ format: choice.format });
  if (choice.bom) query.set('bom', 'true');
  if (Object.keys(filters).length > 0) query.set('filters', JSON.stringify(filters));
  if (sort) {
    query.set('sort', sort.column);
    query.set('direction', sort.direction);
  }
  return `/api/v1/dashboards/${encodeURIComponent(dashboardId)}/widgets/${encodeURIComponent(widgetId)}/export?${query}`;
}
