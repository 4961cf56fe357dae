import { loadProject } from '../../server/config/project/load-project.js';
import { isDataWidget } from '../../server/config/project/project.schema.js';
import type { Project } from '../../server/config/project/project.types.js';
import { compilePlan, type CompiledQuery } from '../../server/query/compiler.js';
import { duckdbDialect } from '../../server/query/engines/duckdb/index.js';
import { getDashboard } from '../../server/services/dashboards.service.js';
import { checkFilterValues, planFiltersFor } from '../../server/services/filter-values.js';
import { widgetQuery } from '../../server/services/widget-plans.js';
import type { Viewer } from '../../server/services/viewer.js';
import { tenantId } from '../../server/query/plan.js';

/** The bench project's datasets are `shared: true`: any tenant compiles to the same statements. */
const BENCH_VIEWER: Viewer = { tenant: tenantId('bench'), role: 'admin' };

/**
 * The statements the server runs for a widget, compiled by the server's own code (loader, filter
 * checks, widget plans, compiler), so the raw-DuckDB side of a comparison runs exactly the SQL and
 * bound values the API runs — a table widget's page and its count included.
 */
export async function loadBenchProject(dir: string): Promise<Project> {
  const loaded = await loadProject(dir);
  if (!loaded.ok) throw new Error(`bench project ${dir} is invalid: ${JSON.stringify(loaded.problems)}`);
  return loaded.project;
}

export function widgetStatements(
  project: Project,
  dashboardId: string,
  widgetId: string,
  filters: Record<string, unknown> = {},
): CompiledQuery[] {
  const dashboard = getDashboard(project, dashboardId, BENCH_VIEWER);
  const widget = dashboard.widgets.find((w) => w.id === widgetId);
  if (!widget || !isDataWidget(widget)) throw new Error(`no data widget ${dashboardId}/${widgetId}`);
  const dataset = project.datasets.get(widget.dataset);
  if (!dataset) throw new Error(`widget ${widgetId}: no dataset ${widget.dataset}`);
  const q = widgetQuery(
    widget,
    dataset,
    planFiltersFor(widget, dataset, checkFilterValues(dashboard, filters)),
    BENCH_VIEWER.tenant,
    {},
  );
  const options = { maxRows: project.limits.maxRows };
  return [
    compilePlan(q.plan, dataset, duckdbDialect, options),
    ...(q.countPlan ? [compilePlan(q.countPlan, dataset, duckdbDialect, options)] : []),
  ];
}
