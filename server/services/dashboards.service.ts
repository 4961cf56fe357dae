import type { DashboardDefinition, DashboardListResponse, ExportFormatName } from '../../contract/index.js';
import { DEFAULT_LOCALE, pickTitle, type Locale } from '../../contract/locale.js';
import type {
  Dashboard,
  Project,
  ResolvedDataWidget,
  ResolvedWidget,
} from '../config/project/project.types.js';
import { isDataWidget } from '../config/project/project.schema.js';
import type { RunInputSpec } from '../../contract/run-inputs.js';
import type { ActionWidgetDef } from '../config/project/project.schema.js';
import { abilitiesOf } from '../policies/roles.js';
import { crossFilterLinks } from '../config/project/cross-filter-links.js';
import { freshnessPolicy } from '../cache/freshness.js';
import { TrellisError } from '../errors.js';
import type { Viewer } from './viewer.js';

/** The dashboards this viewer's role may open, in display order, titled in the reader's language. */
export function listDashboards(
  project: Project,
  viewer: Viewer,
  locale: Locale = DEFAULT_LOCALE,
): DashboardListResponse {
  return {
    project: { name: project.name, title: project.title },
    dashboards: [...project.dashboards.values()]
      .filter((d) => d.roles.includes(viewer.role))
      .map((d) => ({
        id: d.id,
        title: pickTitle(d.title, locale),
        ...(d.description ? { description: pickTitle(d.description, locale) } : {}),
        widgetCount: d.widgets.length,
      })),
  };
}

/**
 * A dashboard the viewer may open. One their role may not view answers exactly like a missing one,
 * so its existence is not revealed.
 */
export function getDashboard(project: Project, id: string, viewer: Viewer): Dashboard {
  const dashboard = project.dashboards.get(id);
  if (!dashboard || !dashboard.roles.includes(viewer.role))
    throw new TrellisError('DASHBOARD_NOT_FOUND', {
      message: `There is no dashboard "${id.slice(0, 100)}".`,
    });
  return dashboard;
}

/**
 * The browser's view of a dashboard: presentation, plus the ids of the datasets it reads (so the page
 * knows when a pipeline refreshes them); tables, columns and SQL stay on the server.
 */
export function presentDashboard(
  project: Project,
  dashboard: Dashboard,
  /** The export formats a source can write (from its engine's capabilities); none: no formats listed. */
  exportFormatsOf?: (source: string) => readonly ExportFormatName[],
  /** The reader's language: titles and filter labels given as translations are picked in it. */
  locale: Locale = DEFAULT_LOCALE,
  /** Whose view: drills to other dashboards are offered only when their role may open them. */
  viewer?: Viewer,
): DashboardDefinition {
  return {
    id: dashboard.id,
    title: pickTitle(dashboard.title, locale),
    ...(dashboard.description ? { description: pickTitle(dashboard.description, locale) } : {}),
    filters: dashboard.filters.map((f) => ({
      id: f.id,
      type: f.type,
      label: pickTitle(f.label, locale),
      ...(f.placeholder ? { placeholder: pickTitle(f.placeholder, locale) } : {}),
      ...(f.min !== undefined ? { min: f.min } : {}),
      ...(f.max !== undefined ? { max: f.max } : {}),
      ...(f.step !== undefined ? { step: f.step } : {}),
    })),
    widgets: dashboard.widgets.map((w) =>
      presentWidget(project, dashboard, w, viewer, exportFormatsOf, locale),
    ),
    exportable: dashboard.exportable,
    datasets: dashboardDatasets(dashboard),
  };
}

/** Every dataset a dashboard reads: its data widgets' and its multi-select filters' option lists. */
export function dashboardDatasets(dashboard: Dashboard): string[] {
  const ids = new Set<string>();
  for (const w of dashboard.widgets) if (isDataWidget(w)) ids.add(w.dataset);
  for (const f of dashboard.filters) if (f.type === 'multi_select') ids.add(f.optionsFrom);
  return [...ids].sort();
}

/**
 * A drill to another dashboard, offered only when this viewer may open it (a role that cannot see the
 * target gets no link rather than a link to "not found"). The page sends their filter ids with the
 * clicked values, as any link with filters would.
 */
function drillTo(
  project: Project,
  w: ResolvedDataWidget,
  viewer: Viewer | undefined,
  locale: Locale,
): Pick<DashboardDefinition['widgets'][number], 'drillTo'> {
  const targetId = w.drill?.dashboard;
  const target = targetId ? project.dashboards.get(targetId) : undefined;
  if (!target || !viewer || !target.roles.includes(viewer.role)) return {};
  return {
    drillTo: {
      dashboard: target.id,
      title: pickTitle(target.title, locale),
      filters: Object.entries(w.drill?.filters ?? {}).map(([filter, column]) => ({ filter, column })),
    },
  };
}

function presentWidget(
  project: Project,
  dashboard: Dashboard,
  w: ResolvedWidget,
  viewer: Viewer | undefined,
  exportFormatsOf: ((source: string) => readonly ExportFormatName[]) | undefined,
  locale: Locale,
): DashboardDefinition['widgets'][number] {
  if (w.type === 'action') return presentAction(project, w, viewer, locale);
  if (w.type === 'text')
    return {
      id: w.id,
      type: 'text',
      title: w.title === '' ? '' : pickTitle(w.title, locale),
      width: w.width,
      height: w.height,
      markdown: pickTitle(w.markdown, locale),
      filters: [],
      freshnessMs: 0,
    };
  const ds = project.datasets.get(w.dataset);
  const filters = dashboard.filters
    .filter((f) => !w.ignore_filters.includes(f.id) && ds?.columns.has(f.columns[w.dataset] ?? f.column))
    .map((f) => f.id);
  const crossFilters = crossFilterLinks(w, ds, dashboard.filters);
  const exportFormats =
    ds && dashboard.exportable && exportFormatsOf ? exportFormatsOf(ds.source) : undefined;
  return {
    id: w.id,
    type: w.type,
    title: pickTitle(w.title, locale),
    ...(w.description ? { description: pickTitle(w.description, locale) } : {}),
    width: w.width,
    height: w.height,
    filters,
    freshnessMs: ds ? (freshnessPolicy(ds.freshness)?.ttlMs ?? 0) : 0,
    ...(crossFilters.length ? { crossFilters } : {}),
    ...(exportFormats ? { exportFormats: [...exportFormats] } : {}),
    ...(w.type === 'table'
      ? {
          sortable: w.sortable ?? w.columns ?? [...(w.dimensions ?? []), ...(w.measures ?? [])],
          pageSize: w.page_size,
          ...selectionOf(project, dashboard, w.id, viewer),
        }
      : {}),
    ...(w.type === 'bar' || w.type === 'area' ? { stacked: w.stacked } : {}),
    ...(w.type === 'bar' ? { horizontal: w.horizontal } : {}),
    ...(w.type === 'gauge'
      ? { gauge: { min: w.min, max: w.max, ...(w.target !== undefined ? { target: w.target } : {}) } }
      : {}),
    ...(w.type === 'map' ? { map: w.map } : {}),
    ...(w.type === 'floorplan' && w.svgMarkup ? { svg: w.svgMarkup } : {}),
    ...((w.type === 'bar' || w.type === 'line' || w.type === 'area') && w.drill?.levels
      ? { drill: { levels: [...w.drill.levels] } }
      : {}),
    ...(w.drill?.rows ? { drillRows: { pageSize: w.drill.rows.page_size } } : {}),
    ...drillTo(project, w, viewer, locale),
  };
}

/**
 * An action widget: the pipeline's form for members of the pipeline's organisation (others learn
 * nothing of it, as on the Jobs page); the launch goes through the Jobs API, which checks it all again.
 */
function presentAction(
  project: Project,
  w: ActionWidgetDef,
  viewer: Viewer | undefined,
  locale: Locale,
): DashboardDefinition['widgets'][number] {
  const pipeline = project.pipelines.get(w.pipeline);
  const visible = pipeline && viewer && pipeline.organisation === viewer.tenant;
  const fixed = new Set(w.fixed);
  return {
    id: w.id,
    type: 'action',
    title: pickTitle(w.title, locale),
    ...(w.description ? { description: pickTitle(w.description, locale) } : {}),
    width: w.width,
    height: w.height,
    filters: [],
    freshnessMs: 0,
    ...(visible
      ? {
          action: {
            pipeline: pipeline.id,
            pipelineTitle: pipeline.title,
            ...(w.button ? { button: w.button } : {}),
            inputs: pipeline.inputs
              .filter((s) => !fixed.has(s.name) && s.name !== w.keys_input)
              .map((s) => withDefault(s, w.inputs[s.name])),
            fixed: Object.fromEntries(Object.entries(w.inputs).filter(([name]) => fixed.has(name))) as Record<
              string,
              string | number | string[]
            >,
            ...(w.from_table && w.keys_input ? { fromTable: w.from_table, keysInput: w.keys_input } : {}),
            canRun: abilitiesOf(viewer.role).includes('pipelines:run'),
          },
        }
      : {}),
  };
}

/** The widget's value as the input's default (keys inputs have none: they come from a selection). */
function withDefault(
  spec: RunInputSpec,
  value: string | number | readonly string[] | undefined,
): RunInputSpec {
  if (value === undefined || Array.isArray(value) || spec.type === 'keys') return spec;
  switch (spec.type) {
    case 'number':
      return typeof value === 'number' ? { ...spec, default: value } : spec;
    default:
      return typeof value === 'string' ? { ...spec, default: value } : spec;
  }
}

/** A table an action of this dashboard reads from, for a viewer who may see that action. */
function selectionOf(
  project: Project,
  dashboard: Dashboard,
  tableId: string,
  viewer: Viewer | undefined,
): Pick<DashboardDefinition['widgets'][number], 'selection'> {
  for (const a of dashboard.widgets) {
    if (a.type !== 'action' || a.from_table !== tableId || !a.key_column || !a.keys_input) continue;
    const pipeline = project.pipelines.get(a.pipeline);
    if (!pipeline || !viewer || pipeline.organisation !== viewer.tenant) return {};
    const input = pipeline.inputs.find((s) => s.name === a.keys_input);
    if (input?.type !== 'keys') return {};
    return { selection: { action: a.id, keyColumn: a.key_column, max: input.maxCount } };
  }
  return {};
}
