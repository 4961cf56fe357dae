import type { DashboardFile, FilterDef, WhereDef, WidgetDef } from './project.schema.js';
import type { ColumnType, Dashboard, Dataset, ResolvedFilter, ResolvedWidget } from './project.types.js';
import type { YamlPath, YamlSource } from './yaml-source.js';

type Report = (file: string, line: number, message: string) => void;

/** Which filter types may drive which column types. */
const FILTER_COLUMN_TYPES: Record<FilterDef['type'], readonly ColumnType[]> = {
  multi_select: ['string'],
  date_range: ['date', 'timestamp'],
  number_range: ['number'],
  text: ['string'],
};

/**
 * Cross-file checks: every dataset, column and measure a dashboard names must exist, with a type
 * that fits its use. Returns the dashboards resolved (each data widget knows its dataset), sorted
 * for display.
 */
export function checkReferences(
  datasets: ReadonlyMap<string, Dataset>,
  /** Ids of every dataset file found, including invalid ones (already reported). */
  datasetIds: ReadonlySet<string>,
  dashboardFiles: ReadonlyMap<string, { source: YamlSource; data: DashboardFile }>,
  report: Report,
): Map<string, Dashboard> {
  const result: Dashboard[] = [];
  for (const [id, { source: src, data }] of dashboardFiles) {
    const at = (p: YamlPath, message: string) => report(src.file, src.lineOf(p), message);
    const widgets: ResolvedWidget[] = [];
    const seen = new Set<string>();
    data.widgets.forEach((w, i) => {
      if (seen.has(w.id)) at(['widgets', i, 'id'], `duplicate widget id "${w.id}"`);
      seen.add(w.id);
      if (w.type === 'text') {
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
      if (!ds) {
        if (!datasetIds.has(datasetId))
          at(
            ['widgets', i, w.dataset ? 'dataset' : 'id'],
            `widget "${w.id}": unknown dataset "${datasetId}"`,
          );
        return;
      }
      checkWidget(w, ds, (p, m) => at(['widgets', i, ...p], `widget "${w.id}": ${m}`));
      widgets.push({ ...w, dataset: datasetId });
    });

    const filters: ResolvedFilter[] = [];
    const filterIds = new Set<string>();
    data.filters.forEach((f, i) => {
      if (filterIds.has(f.id)) at(['filters', i, 'id'], `duplicate filter id "${f.id}"`);
      filterIds.add(f.id);
      const resolved = checkFilter(f, widgets, datasets, (p, m) =>
        at(['filters', i, ...p], `filter "${f.id}": ${m}`),
      );
      if (resolved) filters.push(resolved);
    });
    data.widgets.forEach((w, i) => {
      if (w.type === 'text') return;
      w.ignore_filters.forEach((fid, j) => {
        if (!filterIds.has(fid))
          at(
            ['widgets', i, 'ignore_filters', j],
            `widget "${w.id}": unknown filter "${fid}" in ignore_filters`,
          );
      });
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
  result.sort((a, b) => a.order - b.order || a.title.localeCompare(b.title));
  return new Map(result.map((d) => [d.id, d]));
}

type At = (path: YamlPath, message: string) => void;

function checkWidget(w: Exclude<WidgetDef, { type: 'text' }>, ds: Dataset, at: At): void {
  const column = (p: YamlPath, name: string | undefined, types?: readonly ColumnType[]) => {
    if (name === undefined) return;
    const col = ds.columns.get(name);
    if (!col)
      return at(p, `unknown column "${name}" in dataset "${ds.id}"${suggest(name, ds.columns.keys())}`);
    if (types && !types.includes(col.type))
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
  switch (w.type) {
    case 'kpi':
      return measure(['measure'], w.measure);
    case 'bar':
    case 'line':
    case 'area':
      column(['dimension'], w.dimension, w.grain ? timeish : undefined);
      column(['series'], w.series);
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
  datasets: ReadonlyMap<string, Dataset>,
  at: At,
): ResolvedFilter | undefined {
  const allowed = FILTER_COLUMN_TYPES[f.type];
  let applies = 0;
  let firstDataset: string | undefined;
  for (const w of widgets) {
    if (w.type === 'text' || w.ignore_filters.includes(f.id)) continue;
    const ds = datasets.get(w.dataset);
    const colName = f.columns[w.dataset] ?? f.column;
    const col = ds?.columns.get(colName);
    if (!col) continue;
    if (!allowed.includes(col.type)) {
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
    if (!datasets.has(dsId)) at(['columns', dsId], `unknown dataset "${dsId}"`);
  });
  if (applies === 0) {
    at(['column'], `no widget on this dashboard has a column "${f.column}"; the filter would change nothing`);
    return undefined;
  }
  const optionsFrom = f.options_from ?? firstDataset;
  if (f.options_from) {
    const ds = datasets.get(f.options_from);
    if (!ds) at(['options_from'], `unknown dataset "${f.options_from}"`);
    else if (!ds.columns.has(f.columns[f.options_from] ?? f.column))
      at(['options_from'], `dataset "${f.options_from}" has no column "${f.column}"`);
  }
  return optionsFrom ? { ...f, optionsFrom } : undefined;
}

/** " (did you mean …?)" for a near miss, because most reference errors are typos. */
function suggest(name: string, candidates: Iterable<string>): string {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(name, c);
    if (d < bestDistance) {
      bestDistance = d;
      best = c;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(name.length / 3))
    ? ` (did you mean "${best}"?)`
    : '';
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j] ?? 0;
      row[j] = Math.min((row[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length] ?? 0;
}
