import { readdir, readFile } from 'node:fs/promises';
import { loadFloorPlans } from './floor-plans.js';
import path from 'node:path';
import type { z } from 'zod';
import { parseByteSize, parseDuration } from '../units.js';
import { checkReferences, type DashboardToCheck, type DatasetShape } from './check-references.js';
import { didYouMean } from './did-you-mean.js';
import { keysAt } from './schema-keys.js';
import { buildPipeline } from './load-pipelines.js';
import { checkActions } from './check-actions.js';
import { pipelineFile, type PipelineFile } from './pipeline.schema.js';
import type { Pipeline } from './pipeline.types.js';
import { buildUpload } from './load-uploads.js';
import { uploadFile, type UploadFile } from './upload.schema.js';
import type { UploadTarget } from './upload.types.js';
import {
  datasetFile,
  dashboardFile,
  filterDef,
  projectFile,
  widgetDef,
  COLUMN_TYPES,
  type DatasetFile,
  type DashboardFile,
} from './project.schema.js';
import {
  TENANT_PARAMETER,
  type Column,
  type Dataset,
  type DatasetParam,
  type DatasetTenancy,
  type Measure,
  type Project,
  type ProjectProblem,
} from './project.types.js';
import { namedParameters } from './sql-parameters.js';
import { YamlSource } from './yaml-source.js';

export type LoadResult = { ok: true; project: Project } | { ok: false; problems: ProjectProblem[] };

/**
 * Reads and validates a project folder. Every problem is collected (not just the first), each with
 * its file and line, so `trellis check` can list them all at once.
 */
export async function loadProject(dirArg: string): Promise<LoadResult> {
  const dir = path.resolve(dirArg);
  const problems: ProjectProblem[] = [];
  const report = (file: string, line: number, message: string) => problems.push({ file, line, message });

  // One run reports every problem of every file: a file that fails its schema is still read as far
  // as it can be (its names, its valid parts), so what depends on it is checked too, without
  // follow-on errors caused only by the refusal.
  const main = await readYaml(dir, 'trellis.yaml', report);
  // No trellis.yaml at all: not a project folder, nothing else worth saying.
  if (!main && problems.some((p) => p.message === 'file not found')) return { ok: false, problems };
  const parsedMain = main && validate(main, projectFile, report);
  const sourceNames = parsedMain ? Object.keys(parsedMain.sources) : rawKeys(main?.data, 'sources');

  const datasetFiles = new Map<string, { source: YamlSource; data: DatasetFile }>();
  // Every dataset file found, valid or not: a broken one is reported once, and dashboards using it
  // are checked against what it declares.
  const shapes = new Map<string, DatasetShape>();
  for (const file of await listYaml(dir, 'datasets')) {
    const src = await readYaml(dir, file, report);
    const data = src && validate(src, datasetFile, report);
    const stem = path.basename(file).replace(/\.ya?ml$/, '');
    shapes.set(stem, rawShape(stem, src?.data));
    if (!/^[a-z][a-z0-9_-]{0,62}$/.test(stem))
      report(file, 1, `file name "${stem}" must be a lower-case id (letters, digits, - or _)`);
    else if (src && data) datasetFiles.set(stem, { source: src, data });
  }

  const dashboardFiles = new Map<string, DashboardToCheck>();
  let dashboardCount = 0;
  for (const file of await listYaml(dir, 'dashboards')) {
    dashboardCount++;
    const src = await readYaml(dir, file, report);
    const data = src && validate(src, dashboardFile, report);
    const stem = path.basename(file).replace(/\.ya?ml$/, '');
    if (!/^[a-z][a-z0-9_-]{0,62}$/.test(stem))
      report(file, 1, `file name "${stem}" must be a lower-case id (letters, digits, - or _)`);
    else if (src && data) dashboardFiles.set(stem, { source: src, data });
    else if (src) dashboardFiles.set(stem, salvageDashboard(src));
  }
  if (dashboardCount === 0) report('dashboards', 1, 'the project has no dashboards (add dashboards/*.yaml)');

  const datasets = new Map<string, Dataset>();
  for (const [id, { source: src, data }] of datasetFiles) {
    const dataset = await buildDataset(dir, id, src, data, sourceNames, report, !parsedMain);
    if (dataset) {
      datasets.set(id, dataset);
      shapes.set(id, dataset);
    }
  }

  const floorPlans = await loadFloorPlans(dir, dashboardFiles, report);
  const dashboards = checkReferences(shapes, dashboardFiles, report, floorPlans);
  if (!parsedMain) return { ok: false, problems: sortProblems(problems) };

  // pipelines/*.yaml (optional): what background runs fetch and write (docs/pipelines.md).
  const pipelines = new Map<string, Pipeline>();
  const pipelineFiles = new Set<string>();
  const sources = new Map(Object.entries(parsedMain.sources));
  for (const file of await listYaml(dir, 'pipelines')) {
    const src = await readYaml(dir, file, report);
    const data: PipelineFile | undefined = src && validate(src, pipelineFile, report);
    const stem = path.basename(file).replace(/\.ya?ml$/, '');
    pipelineFiles.add(stem);
    if (!/^[a-z][a-z0-9_-]{0,62}$/.test(stem))
      report(file, 1, `file name "${stem}" must be a lower-case id (letters, digits, - or _)`);
    else if (src && data) {
      const pipeline = buildPipeline(dir, stem, src, data, sources, datasets, report);
      if (pipeline) pipelines.set(stem, pipeline);
    }
  }

  checkActions(dashboardFiles, pipelines, pipelineFiles, report);

  // uploads/*.yaml (optional): tables organisations fill from a browser upload (docs/uploads.md).
  const uploads = new Map<string, UploadTarget>();
  for (const file of await listYaml(dir, 'uploads')) {
    const src = await readYaml(dir, file, report);
    const data: UploadFile | undefined = src && validate(src, uploadFile, report);
    const stem = path.basename(file).replace(/\.ya?ml$/, '');
    if (!/^[a-z][a-z0-9_-]{0,62}$/.test(stem))
      report(file, 1, `file name "${stem}" must be a lower-case id (letters, digits, - or _)`);
    else if (src && data) {
      const upload = buildUpload(dir, stem, src, data, sources, datasets, pipelines, uploads, report);
      if (upload) uploads.set(stem, upload);
    }
  }
  if (problems.length) return { ok: false, problems: sortProblems(problems) };

  const limits = parsedMain.limits;
  return {
    ok: true,
    project: {
      dir,
      name: parsedMain.name,
      title: parsedMain.title,
      ...(parsedMain.description ? { description: parsedMain.description } : {}),
      ...(parsedMain.demo ? { demo: parsedMain.demo } : {}),
      sources,
      limits: {
        queryTimeoutMs: parseDuration(limits.query_timeout),
        maxRows: limits.max_rows,
        maxBytes: parseByteSize(limits.max_bytes),
        exportTimeoutMs: parseDuration(limits.export_timeout),
      },
      datasets,
      dashboards,
      pipelines,
      uploads,
    },
  };
}

type Report = (file: string, line: number, message: string) => void;

async function listYaml(dir: string, folder: string): Promise<string[]> {
  try {
    const names = await readdir(path.join(dir, folder));
    return names
      .filter((n) => /\.ya?ml$/.test(n))
      .sort()
      .map((n) => `${folder}/${n}`);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

async function readYaml(dir: string, file: string, report: Report): Promise<YamlSource | undefined> {
  let text: string;
  try {
    text = await readFile(path.join(dir, file), 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    report(file, 1, code === 'ENOENT' ? 'file not found' : `cannot read file (${code ?? 'error'})`);
    return undefined;
  }
  const src = new YamlSource(file, text);
  for (const e of src.syntaxErrors) report(file, e.line, `YAML syntax: ${e.message}`);
  return src.syntaxErrors.length ? undefined : src;
}

function validate<T extends z.ZodType>(src: YamlSource, schema: T, report: Report): z.output<T> | undefined {
  const result = schema.safeParse(src.data ?? {});
  if (result.success) return result.data;
  for (const issue of result.error.issues) {
    const at = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
    const where = at.length ? `${at.join('.')}: ` : '';
    if (issue.code === 'unrecognized_keys') {
      // One problem per unknown key, each on its own line and with the nearest known key.
      const known = keysAt(schema, src.data, at);
      for (const key of issue.keys)
        report(src.file, src.lineOf([...at, key]), `${where}unknown key "${key}"${didYouMean(key, known)}`);
      continue;
    }
    report(src.file, src.lineOf(at), `${where}${describeIssue(issue)}`);
  }
  return undefined;
}

/**
 * A dashboard whose file failed its schema (reported already): each widget and filter that is valid
 * on its own, so their references are checked in the same run; refused widgets keep their dataset.
 */
function salvageDashboard(src: YamlSource): DashboardToCheck {
  const raw = isObject(src.data) ? src.data : {};
  const widgets: DashboardFile['widgets'] = [];
  const refusedWidgetDatasets: (string | undefined)[] = [];
  const widgetPositions: number[] = [];
  (Array.isArray(raw.widgets) ? (raw.widgets as unknown[]) : []).forEach((w, i) => {
    const parsed = widgetDef.safeParse(w);
    if (parsed.success) {
      widgets.push(parsed.data);
      widgetPositions.push(i);
    } else refusedWidgetDatasets.push(isObject(w) && typeof w.dataset === 'string' ? w.dataset : undefined);
  });
  const filters: DashboardFile['filters'] = [];
  const filterPositions: number[] = [];
  (Array.isArray(raw.filters) ? (raw.filters as unknown[]) : []).forEach((f, i) => {
    const parsed = filterDef.safeParse(f);
    if (parsed.success) {
      filters.push(parsed.data);
      filterPositions.push(i);
    }
  });
  const data: DashboardFile = {
    title: typeof raw.title === 'string' ? raw.title : '',
    order: 100,
    roles: ['viewer', 'editor', 'admin'],
    export: raw.export !== false,
    ...(typeof raw.dataset === 'string' ? { dataset: raw.dataset } : {}),
    filters,
    widgets,
  };
  return { source: src, data, refusedWidgetDatasets, widgetPositions, filterPositions };
}

/** The names a dataset file declares, read from its raw YAML (types only where valid). */
function rawShape(id: string, data: unknown): DatasetShape {
  if (!isObject(data) || !isObject(data.columns))
    return { id, columns: new Map(), measures: new Map(), opaque: true };
  const raw = data;
  const columns = new Map<string, { type?: Column['type'] }>();
  if (isObject(raw.columns))
    for (const [name, c] of Object.entries(raw.columns)) {
      const type = isObject(c) ? COLUMN_TYPES.find((t) => t === c.type) : undefined;
      columns.set(name, type ? { type } : {});
    }
  const measures = new Map<string, unknown>([['count', true]]);
  if (isObject(raw.measures)) for (const name of Object.keys(raw.measures)) measures.set(name, true);
  return { id, columns, measures };
}

function rawKeys(data: unknown, key: string): string[] {
  const value = isObject(data) ? data[key] : undefined;
  return isObject(value) ? Object.keys(value) : [];
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys')
    return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  if (issue.code === 'invalid_key')
    return 'keys here must be plain identifiers (letters, digits, _; not starting with a digit)';
  if (issue.code === 'invalid_union' && 'discriminator' in issue && issue.discriminator)
    return `unknown ${issue.discriminator} (${issue.message})`;
  return issue.message;
}

async function buildDataset(
  dir: string,
  id: string,
  src: YamlSource,
  data: DatasetFile,
  sourceNames: string[],
  report: Report,
  /** trellis.yaml failed its schema: source names may be incomplete, so do not call one unknown. */
  sourcesUncertain = false,
): Promise<Dataset | undefined> {
  const file = src.file;
  const source = data.source ?? (sourceNames.length === 1 ? sourceNames[0] : undefined);
  if (!source) {
    if (!sourcesUncertain) report(file, 1, `name a \`source\` (one of ${sourceNames.join(', ')})`);
    return undefined;
  }
  if (!sourceNames.includes(source)) {
    if (!sourcesUncertain)
      report(
        file,
        src.lineOf(['source']),
        `unknown source "${source}" (declared: ${sourceNames.join(', ')})${didYouMean(source, sourceNames)}`,
      );
    return undefined;
  }
  let from: Dataset['from'];
  if (data.sql) {
    let text: string;
    try {
      text = await readFile(path.join(dir, data.sql), 'utf8');
    } catch {
      report(file, src.lineOf(['sql']), `SQL file ${data.sql} not found`);
      return undefined;
    }
    const used = namedParameters(text);
    checkTenantParameter(src, data, used, report);
    for (const name of used)
      if (name !== TENANT_PARAMETER && !(name in data.params))
        report(
          file,
          src.lineOf(['sql']),
          `${data.sql} uses :${name}, which is not declared under \`params\``,
        );
    for (const name of Object.keys(data.params))
      if (!used.includes(name))
        report(file, src.lineOf(['params', name]), `param "${name}" is not used by ${data.sql}`);
    from = { kind: 'sql', file: data.sql, text };
  } else {
    from = { kind: 'table', table: data.table ?? '' };
  }

  const columns = new Map<string, Column>();
  for (const [name, c] of Object.entries(data.columns)) {
    columns.set(name, {
      name,
      type: c.type,
      label: c.label ?? humanize(name),
      ...(c.format ? { format: c.format } : {}),
      ...(c.sql ? { sql: c.sql } : {}),
    });
  }
  const measures = new Map<string, Measure>();
  // Every dataset can count its rows; declaring `count` yourself overrides this.
  measures.set('count', { name: 'count', label: 'Count', agg: 'count', format: 'integer' });
  for (const [name, m] of Object.entries(data.measures)) {
    if (m.column && !columns.has(m.column))
      report(
        file,
        src.lineOf(['measures', name, 'column']),
        `measure "${name}": unknown column "${m.column}"${didYouMean(m.column, columns.keys())}`,
      );
    measures.set(name, {
      name,
      label: m.label ?? humanize(name),
      ...(m.format ? { format: m.format } : {}),
      ...(m.agg ? { agg: m.agg } : {}),
      ...(m.column ? { column: m.column } : {}),
      ...(m.sql ? { sql: m.sql } : {}),
    });
  }
  const tenancy = datasetTenancy(src, data, columns, report);
  if (!tenancy) return undefined;
  const params = new Map<string, DatasetParam>(
    Object.entries(data.params).map(([k, p]) => [k, { type: p.type, value: p.default }]),
  );
  return {
    id,
    file,
    title: data.title ?? humanize(id),
    source,
    from,
    params,
    tenancy,
    freshness: data.freshness,
    columns,
    measures,
    exportLimit: data.export_limit,
  };
}

/**
 * A SQL dataset reads its tenant's rows through `:tenant` inside its own SQL (innermost, before any
 * join or aggregate), so `:tenant` must appear exactly when the dataset is not shared. The name is
 * reserved: its value comes from the session, never from a default in the file.
 */
function checkTenantParameter(
  src: YamlSource,
  data: DatasetFile,
  used: readonly string[],
  report: Report,
): void {
  const file = src.file;
  if (TENANT_PARAMETER in data.params)
    report(
      file,
      src.lineOf(['params', TENANT_PARAMETER]),
      '`tenant` is bound from the signed-in session; do not declare it under `params`',
    );
  const usesTenant = used.includes(TENANT_PARAMETER);
  if (data.shared && usesTenant)
    report(file, src.lineOf(['sql']), `${data.sql} uses :tenant, but the dataset is \`shared: true\``);
  if (!data.shared && !usesTenant)
    report(
      file,
      src.lineOf(['sql']),
      `${data.sql} must filter its rows with the :tenant parameter (e.g. WHERE org = :tenant), or the dataset must be \`shared: true\``,
    );
}

/** The tenant column must be a plain declared string column (its value is compared with a slug). */
function datasetTenancy(
  src: YamlSource,
  data: DatasetFile,
  columns: ReadonlyMap<string, Column>,
  report: Report,
): DatasetTenancy | undefined {
  if (data.tenant_column === undefined) return { kind: 'shared' };
  const column = columns.get(data.tenant_column);
  const at = src.lineOf(['tenant_column']);
  if (!column) {
    report(
      src.file,
      at,
      `tenant_column "${data.tenant_column}" is not a declared column${didYouMean(data.tenant_column, columns.keys())}`,
    );
    return undefined;
  }
  if (column.type !== 'string' || column.sql) {
    report(src.file, at, `tenant_column "${column.name}" must be a plain string column (not computed)`);
    return undefined;
  }
  return { kind: 'tenant', column: column.name };
}

export function humanize(name: string): string {
  const words = name.replace(/[_-]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function sortProblems(problems: ProjectProblem[]): ProjectProblem[] {
  return [...problems].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
}
