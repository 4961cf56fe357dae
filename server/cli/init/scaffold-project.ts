import { humanize } from '../../config/project/load-project.js';
import type { SourceConfig } from '../../config/project/project.schema.js';
import type { ColumnInfo, TableInfo } from './introspect-source.js';

/** What `trellis init` decided, source and tables included; turned into files by scaffoldProject. */
export interface ScaffoldPlan {
  readonly name: string;
  readonly title: string;
  /** `duckdb`: `path` relative to the project; servers: the NAME of the variable holding the URL. */
  readonly source:
    { type: 'duckdb'; path: string } | { type: Exclude<SourceConfig['type'], 'duckdb'>; urlEnv: string };
  readonly tables: readonly ScaffoldTable[];
  /** Demo organisations (slugs) for `serve --demo`: tenant values when a table has a tenant column. */
  readonly demoOrganisations: readonly string[];
}

export interface ScaffoldTable {
  readonly info: TableInfo;
  /** The organisation column, or undefined for `shared: true`. */
  readonly tenantColumn: string | undefined;
}

/** A string column with this many distinct values or fewer (and at least 2) gets a bar chart and a filter. */
export const LOW_CARDINALITY = 50;
const MAX_KPI_SUMS = 3;
const MAX_BARS = 3;
const MAX_TABLE_COLUMNS = 8;

const yamlString = (s: string) => JSON.stringify(s);

/** A dataset/dashboard id from a table name: lower-case letters, digits and _. */
export function tableId(t: { schema: string | undefined; name: string }): string {
  const raw = (t.schema && t.schema !== 'public' ? `${t.schema}_${t.name}` : t.name).toLowerCase();
  const id = raw.replace(/[^a-z0-9_-]/g, '_').replace(/^[^a-z]+/, '');
  return (id || 'table').slice(0, 50);
}

/** A widget or filter id from a column name (ids: lower-case, starting with a letter). */
const idOf = (name: string, prefix: string) =>
  `${prefix}${name.toLowerCase().replace(/[^a-z0-9_]/g, '_')}`.slice(0, 63);

const isIdLike = (c: ColumnInfo) => /(^id$|_id$|^id_)/i.test(c.name);

/** Sums of numeric columns that are measurements rather than keys. */
function summed(info: TableInfo): ColumnInfo[] {
  return info.columns.filter((c) => c.type === 'number' && !isIdLike(c));
}

function lowCardinality(info: TableInfo, tenantColumn: string | undefined): ColumnInfo[] {
  return info.columns.filter(
    (c) =>
      c.type === 'string' &&
      c.name !== tenantColumn &&
      c.distinct !== undefined &&
      c.distinct >= 2 &&
      c.distinct <= LOW_CARDINALITY,
  );
}

const measureName = (column: string) => `total_${column}`.slice(0, 63);

/** The project's files, by path relative to the project folder. */
export function scaffoldProject(plan: ScaffoldPlan): Map<string, string> {
  const files = new Map<string, string>();
  files.set('trellis.yaml', trellisYaml(plan));
  files.set('.gitignore', '.trellis/\n');
  plan.tables.forEach((t, i) => {
    const id = tableId(t.info);
    files.set(`datasets/${id}.yaml`, datasetYaml(t));
    files.set(`dashboards/${id}.yaml`, dashboardYaml(t, id, i));
  });
  return files;
}

function trellisYaml(plan: ScaffoldPlan): string {
  const source =
    plan.source.type === 'duckdb'
      ? `    type: duckdb\n    path: ${plan.source.path} # opened read-only\n`
      : `    type: ${plan.source.type}\n    # The NAME of the environment variable that holds the connection URL (a secret: never here).\n    url_env: ${plan.source.urlEnv}\n`;
  const orgs = plan.demoOrganisations.length ? plan.demoOrganisations : ['demo'];
  const first = orgs[0] ?? 'demo';
  return `# Written by trellis init; yours to edit. Every key: docs/project-files.md
name: ${plan.name}
title: ${yamlString(plan.title)}
sources:
  main:
${source}limits:
  query_timeout: 15s
  max_rows: 10000
  max_bytes: 16MB
# Accounts that \`trellis serve --demo\` creates, with a one-time sign-in link for the admin.
demo:
  organisations:
${orgs.map((o) => `    - { slug: ${o}, name: ${yamlString(humanize(o))} }`).join('\n')}
  users:
    - { email: admin@${first}.example, organisation: ${first}, role: admin }
`;
}

function datasetYaml(t: ScaffoldTable): string {
  const { info } = t;
  const table = info.schema ? `${info.schema}.${info.name}` : info.name;
  const columns = info.columns
    .map((c) => {
      const format = c.type === 'number' ? (isIdLike(c) ? ', format: integer' : '') : '';
      return `  ${c.name}: { type: ${c.type}, label: ${yamlString(humanize(c.name))}${format} }`;
    })
    .join('\n');
  const measures = [
    `  count: { agg: count, label: Rows, format: integer }`,
    ...summed(info).map(
      (c) =>
        `  ${measureName(c.name)}: { agg: sum, column: ${c.name}, label: ${yamlString(`Total ${c.name.replace(/_/g, ' ')}`)} }`,
    ),
  ].join('\n');
  const tenancy = t.tenantColumn
    ? `tenant_column: ${t.tenantColumn} # each organisation sees only the rows whose ${t.tenantColumn} is its slug`
    : 'shared: true # every organisation sees every row (set tenant_column: <column> to split them)';
  const skipped = info.skipped.length
    ? `# Not declared (type or name not usable): ${info.skipped.join(', ')}\n`
    : '';
  return `title: ${yamlString(humanize(info.name))}
source: main
table: ${table}
${tenancy}
freshness: medium # results reused for 5 minutes; live | short | medium | long | a duration
${skipped}columns:
${columns}
measures:
${measures}
`;
}

function dashboardYaml(t: ScaffoldTable, id: string, order: number): string {
  const { info } = t;
  const sums = summed(info).slice(0, MAX_KPI_SUMS);
  const firstDate = info.columns.find((c) => c.type === 'date' || c.type === 'timestamp');
  const bars = lowCardinality(info, t.tenantColumn).slice(0, MAX_BARS);
  const firstNumber = summed(info)[0];
  const filters: string[] = [
    ...bars.map(
      (c) =>
        `  - { id: ${idOf(c.name, 'f_')}, type: multi_select, label: ${yamlString(humanize(c.name))}, column: ${c.name} }`,
    ),
    ...(firstDate
      ? [
          `  - { id: ${idOf(firstDate.name, 'f_')}, type: date_range, label: ${yamlString(humanize(firstDate.name))}, column: ${firstDate.name} }`,
        ]
      : []),
    ...(firstNumber
      ? [
          `  - { id: ${idOf(firstNumber.name, 'f_')}, type: number_range, label: ${yamlString(humanize(firstNumber.name))}, column: ${firstNumber.name} }`,
        ]
      : []),
  ];
  const kpiWidth = Math.max(3, Math.floor(12 / (1 + sums.length)));
  const widgets: string[] = [
    `  - { id: rows, type: kpi, title: Rows, measure: count, width: ${kpiWidth} }`,
    ...sums.map(
      (c) =>
        `  - { id: ${measureName(c.name)}, type: kpi, title: ${yamlString(`Total ${c.name.replace(/_/g, ' ')}`)}, measure: ${measureName(c.name)}, width: ${kpiWidth} }`,
    ),
  ];
  if (firstDate)
    widgets.push(
      `  - { id: over_time, type: line, title: ${yamlString(`Rows by month of ${firstDate.name.replace(/_/g, ' ')}`)}, dimension: ${firstDate.name}, grain: month, measures: [count], width: 12 }`,
    );
  for (const c of bars)
    widgets.push(
      `  - { id: ${idOf(c.name, 'by_')}, type: bar, title: ${yamlString(`Top ${c.name.replace(/_/g, ' ')}`)}, dimension: ${c.name}, measures: [count], sort: { by: count, direction: desc }, limit: 10, horizontal: true }`,
    );
  // The first column (often the key), then dates, numbers, booleans and low-cardinality text: long
  // free text (titles, summaries) would make every row a paragraph.
  const candidates = info.columns.filter((c) => c.name !== t.tenantColumn);
  const listed = candidates
    .filter(
      (c, i) => i === 0 || c.type !== 'string' || (c.distinct !== undefined && c.distinct <= LOW_CARDINALITY),
    )
    .slice(0, MAX_TABLE_COLUMNS);
  const names = listed.map((c) => c.name).join(', ');
  widgets.push(
    `  - { id: rows_table, type: table, title: ${yamlString(humanize(info.name))}, columns: [${names}], sortable: [${names}], page_size: 25 }`,
  );
  // IDs of widgets and filters share no namespace, but keep them unique within each list.
  return `title: ${yamlString(`${humanize(info.name)} overview`)}
description: ${yamlString(`Generated by trellis init from ${info.schema ? `${info.schema}.` : ''}${info.name}.`)}
order: ${(order + 1) * 10}
dataset: ${id}
filters:${filters.length ? `\n${filters.join('\n')}` : ' []'}
widgets:
${widgets.join('\n')}
`;
}
