import {
  DRILL_GRAINS,
  isDataWidget,
  type DashboardFile,
  type DataWidgetDef,
  type FilterDef,
  type WhereDef,
} from './project.schema.js';

type DrillGrain = (typeof DRILL_GRAINS)[number];
import { DEFAULT_LOCALE, pickTitle } from '../../../contract/locale.js';
import type { ColumnType, Dashboard, ResolvedFilter, ResolvedWidget } from './project.types.js';
import type { YamlPath, YamlSource } from './yaml-source.js';
import { didYouMean as suggest } from './did-you-mean.js';
import { crossFilterLinks, markColumns } from './cross-filter-links.js';

type Report = (file: string, line: number, message: string) => void;

/** Which filter types may drive which column types. */
const FILTER_COLUMN_TYPES: Record<FilterDef['type'], readonly ColumnType[]> = {
  multi_select: ['string'],
  date_range: ['date', 'timestamp'],
  number_range: ['number'],
  text: ['string'],
};

/**
 * What reference checks need of a dataset: its columns (with their type when known) and measures. A
 * dataset file with schema errors still has a shape, read from its raw YAML, so the dashboards that
 * use it are checked as well (nothing hidden until the next run) and a refused key in it causes no
 * follow-on "unknown column" errors.
 */
export interface DatasetShape {
  readonly id: string;
  readonly columns: ReadonlyMap<string, { readonly type?: ColumnType | undefined }>;
  readonly measures: ReadonlyMap<string, unknown>;
  /** Unreadable (YAML syntax): nothing is known, so nothing is checked against it. */
  readonly opaque?: boolean;
}

/** A dashboard to check: its parsed parts, and the datasets of widgets that failed the schema. */
export interface DashboardToCheck {
  readonly source: YamlSource;
  readonly data: DashboardFile;
  /** Widgets refused by the schema (reported already): the dataset each would read, if it names one. */
  readonly refusedWidgetDatasets?: readonly (string | undefined)[];
  /** Where each of `data.widgets` / `data.filters` sits in the file (when refused ones were left out). */
  readonly widgetPositions?: readonly number[];
  readonly filterPositions?: readonly number[];
}

/**
 * Cross-file checks: every dataset, column and measure a dashboard names must exist, with a type
 * that fits its use. Returns the dashboards resolved (each data widget knows its dataset), sorted
 * for display.
 */
export function checkReferences(
  /** Every dataset file found, valid or not (the invalid ones' problems are reported already). */
  datasets: ReadonlyMap<string, DatasetShape>,
  dashboardFiles: ReadonlyMap<string, DashboardToCheck>,
  report: Report,
  /** Floor-plan SVG files (path → sanitised markup), read by the loader beforehand. */
  floorPlans: ReadonlyMap<string, string> = new Map(),
): Map<string, Dashboard> {
  const result: Dashboard[] = [];
  const reportAt = new Map<string, At>();
  for (const [id, toCheck] of dashboardFiles) {
    const { source: src, data, refusedWidgetDatasets = [] } = toCheck;
    // Paths name the item's position in the file, not in the (possibly salvaged) list.
    const at = (p: YamlPath, message: string) => {
      const [list, index, ...rest] = p;
      const positions =
        list === 'widgets'
          ? toCheck.widgetPositions
          : list === 'filters'
            ? toCheck.filterPositions
            : undefined;
      const where: YamlPath =
        positions && list !== undefined && typeof index === 'number'
          ? [list, positions[index] ?? index, ...rest]
          : p;
      report(src.file, src.lineOf(where), message);
    };
    reportAt.set(id, at);
    const widgets: ResolvedWidget[] = [];
    const seen = new Set<string>();
    data.widgets.forEach((w, i) => {
      if (seen.has(w.id)) at(['widgets', i, 'id'], `duplicate widget id "${w.id}"`);
      seen.add(w.id);
      if (!isDataWidget(w)) {
        widgets.push(w);
        return;
      }
      const datasetId = w.dataset ?? data.dataset;
      if (!datasetId)
        return at(
          ['widgets', i],
          `widget "${w.id}": name a \`dataset\` (or set one for the whole dashboard)`,
        );
      const ds = datasets.get(datasetId);
      if (!ds)
        return at(
          ['widgets', i, w.dataset ? 'dataset' : 'id'],
          `widget "${w.id}": unknown dataset "${datasetId}"${suggest(datasetId, datasets.keys())}`,
        );
      if (!ds.opaque) checkWidget(w, ds, (p, m) => at(['widgets', i, ...p], `widget "${w.id}": ${m}`));
      if (w.type === 'floorplan') {
        // The SVG was read and sanitised before (floor-plans.ts); a refused file was reported there.
        const svgMarkup = floorPlans.get(w.svg);
        widgets.push({ ...w, dataset: datasetId, ...(svgMarkup ? { svgMarkup } : {}) });
      } else widgets.push({ ...w, dataset: datasetId });
    });

    const filters: ResolvedFilter[] = [];
    const filterIds = new Set<string>();
    data.filters.forEach((f, i) => {
      if (filterIds.has(f.id)) at(['filters', i, 'id'], `duplicate filter id "${f.id}"`);
      filterIds.add(f.id);
      const refused = refusedWidgetDatasets.map((d) => d ?? data.dataset);
      const resolved = checkFilter(f, widgets, refused, datasets, (p, m) =>
        at(['filters', i, ...p], `filter "${f.id}": ${m}`),
      );
      if (resolved) filters.push(resolved);
    });
    data.widgets.forEach((w, i) => {
      if (!isDataWidget(w)) return;
      w.ignore_filters.forEach((fid, j) => {
        if (!filterIds.has(fid))
          at(
            ['widgets', i, 'ignore_filters', j],
            `widget "${w.id}": unknown filter "${fid}" in ignore_filters${suggest(fid, filterIds)}`,
          );
      });
      const resolved = widgets.find((r) => r.id === w.id);
      if (Array.isArray(w.cross_filter) && resolved && isDataWidget(resolved)) {
        const ds = datasets.get(resolved.dataset);
        const linked = new Set(crossFilterLinks(resolved, ds, filters).map((l) => l.filter));
        w.cross_filter.forEach((fid, j) => {
          if (!linked.has(fid))
            at(
              ['widgets', i, 'cross_filter', j],
              `widget "${w.id}": cross_filter "${fid}" must be a multi_select filter of this dashboard on a column the widget shows (not a period)`,
            );
        });
      }
    });
    result.push({
      id,
      file: src.file,
      title: data.title,
      ...(data.description ? { description: data.description } : {}),
      order: data.order,
      roles: [...new Set(data.roles)],
      exportable: data.export,
      filters,
      widgets,
    });
  }
  result.sort(
    (a, b) =>
      a.order - b.order ||
      pickTitle(a.title, DEFAULT_LOCALE).localeCompare(pickTitle(b.title, DEFAULT_LOCALE)),
  );
  const resolved = new Map(result.map((d) => [d.id, d]));
  for (const d of result) {
    const at = reportAt.get(d.id);
    if (at) checkDrillTargets(d, resolved, dashboardFiles, at);
  }
  return resolved;
}

/**
 * A drill to another dashboard names one that exists, and carries each mark value to a value filter
 * (multi_select or text) of that dashboard from a column the widget's marks carry as a raw value.
 */
function checkDrillTargets(
  d: Dashboard,
  dashboards: ReadonlyMap<string, Dashboard>,
  files: ReadonlyMap<string, DashboardToCheck>,
  at: At,
): void {
  const positions = files.get(d.id)?.data.widgets.map((w) => w.id) ?? [];
  for (const w of d.widgets) {
    if (!isDataWidget(w) || !w.drill?.dashboard) continue;
    const i = positions.indexOf(w.id);
    const here = (p: YamlPath, m: string) => at(['widgets', i, 'drill', ...p], `widget "${w.id}": ${m}`);
    const targetId = w.drill.dashboard;
    // Known only when the target file parsed: a broken one reports its own problems.
    const target = dashboards.get(targetId);
    if (!target) {
      if (!files.has(targetId))
        here(['dashboard'], `drills to unknown dashboard "${targetId}"${suggest(targetId, files.keys())}`);
      continue;
    }
    const raw = new Set(markColumns(w));
    for (const [theirs, ours] of Object.entries(w.drill.filters ?? {})) {
      const filter = target.filters.find((f) => f.id === theirs);
      if (!filter)
        here(
          ['filters', theirs],
          `dashboard "${targetId}" has no filter "${theirs}"${suggest(
            theirs,
            target.filters.map((f) => f.id),
          )}`,
        );
      else if (filter.type !== 'multi_select' && filter.type !== 'text')
        here(
          ['filters', theirs],
          `filter "${theirs}" of "${targetId}" is a ${filter.type}; a mark carries one value (multi_select or text)`,
        );
      if (!raw.has(ours))
        here(
          ['filters', theirs],
          `"${ours}" is not a column this widget's marks carry (${[...raw].join(', ') || 'none'}; periods are not values)`,
        );
    }
  }
}

type At = (path: YamlPath, message: string) => void;

function checkWidget(w: DataWidgetDef, ds: DatasetShape, at: At): void {
  const column = (p: YamlPath, name: string | undefined, types?: readonly ColumnType[]) => {
    if (name === undefined) return;
    const col = ds.columns.get(name);
    if (!col)
      return at(p, `unknown column "${name}" in dataset "${ds.id}"${suggest(name, ds.columns.keys())}`);
    if (types && col.type && !types.includes(col.type))
      at(p, `column "${name}" is ${col.type}; expected ${types.join(' or ')}`);
  };
  const measure = (p: YamlPath, name: string) => {
    if (!ds.measures.has(name))
      at(p, `unknown measure "${name}" in dataset "${ds.id}"${suggest(name, ds.measures.keys())}`);
  };
  const timeish = ['date', 'timestamp'] as const;
  w.where.forEach((c, i) => {
    column(['where', i, 'column'], c.column);
    const problem = whereValueProblem(c);
    if (problem) at(['where', i, 'value'], problem);
  });
  w.drill?.rows?.columns.forEach((c, i) => column(['drill', 'rows', 'columns', i], c));
  if (w.drill?.levels && w.type !== 'bar' && w.type !== 'line' && w.type !== 'area')
    at(['drill', 'levels'], 'only bar, line and area charts drill down a time hierarchy (`levels`)');
  switch (w.type) {
    case 'kpi':
      return measure(['measure'], w.measure);
    case 'bar':
    case 'line':
    case 'area':
      column(['dimension'], w.dimension, w.grain || w.drill?.levels ? timeish : undefined);
      column(['series'], w.series);
      if (w.drill?.levels) checkDrill(w.drill.levels, w.grain, at);
      w.measures.forEach((m, i) => measure(['measures', i], m));
      if (w.sort && w.sort.by !== w.dimension && !w.measures.includes(w.sort.by))
        at(['sort', 'by'], `sort.by "${w.sort.by}" must be the dimension or one of the measures`);
      return;
    case 'pie':
    case 'donut':
      column(['dimension'], w.dimension);
      return measure(['measure'], w.measure);
    case 'scatter':
      column(['dimension'], w.dimension);
      measure(['x'], w.x);
      return measure(['y'], w.y);
    case 'histogram':
      return column(['column'], w.column, ['number']);
    case 'heatmap':
      column(['x'], w.x, w.x_grain ? timeish : undefined);
      column(['y'], w.y);
      return measure(['measure'], w.measure);
    case 'boxplot':
      column(['column'], w.column, ['number']);
      return column(['dimension'], w.dimension);
    case 'funnel':
      column(['dimension'], w.dimension);
      measure(['measure'], w.measure);
      if (w.sort && w.sort.by !== w.dimension && w.sort.by !== w.measure)
        at(['sort', 'by'], `sort.by "${w.sort.by}" must be the dimension or the measure`);
      return;
    case 'gauge':
      return measure(['measure'], w.measure);
    case 'calendar':
      column(['dimension'], w.dimension, timeish);
      return measure(['measure'], w.measure);
    case 'sankey':
    case 'graph':
      column(['source'], w.source);
      column(['target'], w.target);
      return measure(['value'], w.value);
    case 'map':
    case 'floorplan':
      column(['dimension'], w.dimension);
      return measure(['measure'], w.measure);
    case 'table': {
      w.columns?.forEach((c, i) => column(['columns', i], c));
      w.dimensions?.forEach((c, i) => column(['dimensions', i], c));
      w.measures?.forEach((m, i) => measure(['measures', i], m));
      const keys = new Set([...(w.columns ?? []), ...(w.dimensions ?? []), ...(w.measures ?? [])]);
      if (w.sort && !keys.has(w.sort.by))
        at(['sort', 'by'], `sort.by "${w.sort.by}" is not a column of this table`);
      w.sortable?.forEach((c, i) => {
        if (!keys.has(c)) at(['sortable', i], `sortable "${c}" is not a column of this table`);
      });
      return;
    }
  }
}

/** A drill hierarchy starts at the widget's grain and gets finer at every level. */
function checkDrill(levels: readonly DrillGrain[], grain: string | undefined, at: At): void {
  if (grain === undefined)
    at(['grain'], `a widget with drill needs a grain: the first level ("${levels[0]}")`);
  else if (grain !== levels[0])
    at(['drill', 'levels', 0], `the first drill level must be the widget's grain ("${grain}")`);
  levels.forEach((g, i) => {
    const previous = levels[i - 1];
    if (previous !== undefined && DRILL_GRAINS.indexOf(g) <= DRILL_GRAINS.indexOf(previous))
      at(
        ['drill', 'levels', i],
        `drill levels go from coarse to fine (${DRILL_GRAINS.join(' → ')}); "${g}" cannot follow "${previous}"`,
      );
  });
}

function whereValueProblem(c: WhereDef): string | undefined {
  if (c.op === 'is_null' || c.op === 'not_null')
    return c.value === undefined ? undefined : `\`${c.op}\` takes no value`;
  if (c.op === 'in')
    return Array.isArray(c.value) && c.value.length > 0 ? undefined : '`in` needs a non-empty list of values';
  if (c.value === undefined || Array.isArray(c.value)) return `\`${c.op}\` needs a single value`;
  return undefined;
}

function checkFilter(
  f: FilterDef,
  widgets: readonly ResolvedWidget[],
  /** Datasets of this dashboard's widgets that the schema refused: a filter may be meant for them. */
  refusedWidgetDatasets: readonly (string | undefined)[],
  datasets: ReadonlyMap<string, DatasetShape>,
  at: At,
): ResolvedFilter | undefined {
  const allowed = FILTER_COLUMN_TYPES[f.type];
  if (f.search && f.type !== 'multi_select' && f.type !== 'text')
    at(
      ['search'],
      `\`search: true\` is for multi_select and text filters; a ${f.type} filter has no values to find`,
    );
  let applies = 0;
  let firstDataset: string | undefined;
  for (const w of widgets) {
    if (!isDataWidget(w) || w.ignore_filters.includes(f.id)) continue;
    const ds = datasets.get(w.dataset);
    if (ds?.opaque) return undefined;
    const colName = f.columns[w.dataset] ?? f.column;
    const col = ds?.columns.get(colName);
    if (!col) continue;
    if (col.type && !allowed.includes(col.type)) {
      at(
        ['type'],
        `${f.type} filters need a ${allowed.join(' or ')} column; "${colName}" in dataset "${w.dataset}" is ${col.type}`,
      );
      return undefined;
    }
    applies++;
    firstDataset ??= w.dataset;
  }
  Object.keys(f.columns).forEach((dsId) => {
    if (!datasets.has(dsId))
      at(['columns', dsId], `unknown dataset "${dsId}"${suggest(dsId, datasets.keys())}`);
  });
  // A refused widget may be the one this filter is for: say nothing rather than a misleading error.
  const maybeForRefused = refusedWidgetDatasets.some((d) => {
    const shape = d === undefined ? undefined : datasets.get(d);
    return !shape || shape.opaque === true || shape.columns.has(f.columns[d ?? ''] ?? f.column);
  });
  if (applies === 0 && maybeForRefused) return undefined;
  if (applies === 0) {
    const known = widgets.flatMap((w) =>
      !isDataWidget(w) ? [] : [...(datasets.get(w.dataset)?.columns.keys() ?? [])],
    );
    at(
      ['column'],
      `no widget on this dashboard has a column "${f.column}"; the filter would change nothing${suggest(f.column, known)}`,
    );
    return undefined;
  }
  const optionsFrom = f.options_from ?? firstDataset;
  if (f.options_from) {
    const ds = datasets.get(f.options_from);
    if (!ds)
      at(['options_from'], `unknown dataset "${f.options_from}"${suggest(f.options_from, datasets.keys())}`);
    else if (!ds.columns.has(f.columns[f.options_from] ?? f.column))
      at(['options_from'], `dataset "${f.options_from}" has no column "${f.column}"`);
  }
  return optionsFrom ? { ...f, optionsFrom } : undefined;
}
