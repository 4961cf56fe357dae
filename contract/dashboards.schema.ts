import { z } from 'zod';
import { EXPORT_FORMATS } from './export-formats.js';
import { FILTER_TYPES } from './filters.schema.js';
import { runInputSpec } from './run-inputs.js';

/** What the browser learns about a dashboard: ids, labels and presentation, never SQL or table names. */

export const CHART_TYPES = [
  'bar',
  'line',
  'area',
  'pie',
  'donut',
  'scatter',
  'histogram',
  'heatmap',
  'boxplot',
  'funnel',
  'gauge',
  'calendar',
  'sankey',
  'graph',
  'map',
  'floorplan',
] as const;
export type ChartType = (typeof CHART_TYPES)[number];
export const WIDGET_TYPES = ['kpi', ...CHART_TYPES, 'table', 'text', 'action'] as const;
export type WidgetType = (typeof WIDGET_TYPES)[number];

export const VALUE_FORMATS = ['number', 'integer', 'percent', 'decimal', 'date', 'month', 'text'] as const;
export type ValueFormat = (typeof VALUE_FORMATS)[number];

export const dashboardSummary = z.object({
  id: z.string(),
  title: z.string(),
  description: z.string().optional(),
  widgetCount: z.number().int(),
});
export type DashboardSummary = z.infer<typeof dashboardSummary>;

export const dashboardListResponse = z.object({
  project: z.object({ name: z.string(), title: z.string() }),
  dashboards: z.array(dashboardSummary),
});
export type DashboardListResponse = z.infer<typeof dashboardListResponse>;

export const filterDefinition = z.object({
  id: z.string(),
  type: z.enum(FILTER_TYPES),
  label: z.string(),
  placeholder: z.string().optional(),
  /** number_range only: slider hints taken from the project file. */
  min: z.number().optional(),
  max: z.number().optional(),
  step: z.number().optional(),
});
export type FilterDefinition = z.infer<typeof filterDefinition>;

/**
 * An action widget (docs/project-files.md#action-widgets): a pipeline's input form on a dashboard. It
 * launches through the Jobs API (POST /api/v1/pipelines/:id/runs), so the server checks the inputs,
 * the role and the organisation exactly as for the Jobs page; nothing here is trusted by the server.
 */
export const actionDefinition = z.object({
  pipeline: z.string(),
  pipelineTitle: z.string(),
  /** The launch button's text from the project file; absent: the page's "Run". */
  button: z.string().optional(),
  /** The pipeline's inputs, with the widget's `inputs:` as their defaults. */
  inputs: z.array(runInputSpec),
  /** Inputs the widget fixes (sent with its value, not shown as a field). */
  fixed: z.record(z.string(), z.union([z.string(), z.number(), z.array(z.string())])),
  /** The table widget whose selected rows' keys fill `keysInput`. */
  fromTable: z.string().optional(),
  keysInput: z.string().optional(),
  /** May this viewer launch it (role editor or above, as pipelines say)? */
  canRun: z.boolean(),
});
export type ActionDefinition = z.infer<typeof actionDefinition>;

/** A table widget that an action reads from: rows get checkboxes; only the key column's values leave. */
export const tableSelection = z.object({
  action: z.string(),
  keyColumn: z.string(),
  /** The keys input's declared max_count: more selected is an error shown before sending. */
  max: z.number().int(),
});
export type TableSelection = z.infer<typeof tableSelection>;

export const widgetDefinition = z.object({
  id: z.string(),
  type: z.enum(WIDGET_TYPES),
  title: z.string(),
  description: z.string().optional(),
  /** Grid width out of 12 columns on a wide screen; phones stack every widget. */
  width: z.number().int().min(1).max(12),
  height: z.enum(['small', 'medium', 'large']),
  /** text widgets: the markdown to render (plain text + a safe subset, rendered without HTML). */
  markdown: z.string().optional(),
  /** table widgets: sortable column keys and the page size. */
  sortable: z.array(z.string()).optional(),
  pageSize: z.number().int().optional(),
  /** charts: stack series (bar/area), horizontal bars, etc. */
  stacked: z.boolean().optional(),
  horizontal: z.boolean().optional(),
  /** gauge widgets: the dial's ends and, when given, a target marked on it (from the project file). */
  gauge: z.object({ min: z.number(), max: z.number(), target: z.number().optional() }).optional(),
  /** map widgets: which bundled map (world countries or US states) the regions are drawn on. */
  map: z.enum(['world', 'us_states']).optional(),
  /**
   * floorplan widgets: the project's SVG after sanitising on the server (no scripts, no event
   * handlers, no external references); its regions are the elements whose `name` is a region value.
   */
  svg: z.string().optional(),
  /** Filter ids that change this widget; the page uses it to show which widgets a filter drives. */
  filters: z.array(z.string()),
  /**
   * Result columns whose marks (bars, slices, cells, points, table cells) set a dashboard filter
   * when clicked: the page sends only that filter's id and the clicked value, like any filter.
   */
  crossFilters: z.array(z.object({ column: z.string(), filter: z.string() })).optional(),
  /** How long a result may be reused before asking again (the dataset's freshness); 0 = live. */
  freshnessMs: z.number().int().min(0),
  /** Time charts that drill down: the grains from coarse to fine (the request sends a `drill` path). */
  drill: z.object({ levels: z.array(z.enum(['year', 'quarter', 'month', 'day'])) }).optional(),
  /**
   * A click on a mark opens the rows behind it (POST …/widgets/:widget/rows with the mark's values),
   * a paged table of columns the project declares.
   */
  drillRows: z.object({ pageSize: z.number().int() }).optional(),
  /**
   * A click on a mark opens another dashboard (one this viewer may open) with its filters set from
   * the mark: `filter` is the target's filter id, `column` the result column whose value it takes.
   */
  drillTo: z
    .object({
      dashboard: z.string(),
      title: z.string(),
      filters: z.array(z.object({ filter: z.string(), column: z.string() })),
    })
    .optional(),
  /**
   * Data widgets of an exportable dashboard: the download formats its source can write (Parquet only
   * where the engine writes it), so the menu never offers one that would fail.
   */
  exportFormats: z.array(z.enum(EXPORT_FORMATS)).optional(),
  /**
   * action widgets: the pipeline it launches and its form; absent when the pipeline belongs to another
   * organisation than the viewer's (the widget then says it is not available).
   */
  action: actionDefinition.optional(),
  /** table widgets an action reads from: row selection by the key column. */
  selection: tableSelection.optional(),
});
export type WidgetDefinition = z.infer<typeof widgetDefinition>;

export const dashboardDefinition = z.object({
  id: z.string(),
  title: z.string(),
  description: z.string().optional(),
  filters: z.array(filterDefinition),
  widgets: z.array(widgetDefinition),
  /** False when the dashboard says `export: false`: no export menu (docs/exports.md). */
  exportable: z.boolean().optional(),
  /**
   * Ids of the datasets the dashboard reads (its widgets and filter option lists), sorted. The page
   * compares them with a running pipeline's `datasets` to show "Refreshing data…"; ids only, never
   * tables or SQL.
   */
  datasets: z.array(z.string()),
});
export type DashboardDefinition = z.infer<typeof dashboardDefinition>;
