import { z } from 'zod';
import { FILTER_TYPES, ROLES, VALUE_FORMATS, type CHART_TYPES } from '../../../contract/index.js';
import { LOCALES, type Locale } from '../../../contract/locale.js';

/**
 * A title (or description, placeholder, a text widget's markdown) people read: one string, or translations by language (`title: {en: Overview, de: Übersicht}`;
 * docs/project-files.md#translated-titles). The server picks the reader's language, else English,
 * else the first given (contract/locale.ts pickTitle).
 */
const localizedText = z.union([
  z.string().min(1),
  z
    .object(
      Object.fromEntries(LOCALES.map((l) => [l, z.string().min(1).optional()])) as Record<
        Locale,
        z.ZodOptional<z.ZodString>
      >,
    )
    .strict()
    .refine((o) => Object.values(o).some((v) => v !== undefined), 'give the title in at least one language'),
]);

/**
 * The project files, as a data team writes them. These schemas are the reference for
 * docs/project-files.md. Identifiers written here are the only identifiers that ever reach SQL,
 * so they are held to a strict pattern; expressions (`sql:`) are trusted project code, reviewed in git.
 */

export const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;
const identifier = z
  .string()
  .regex(IDENTIFIER, 'must be a plain identifier (letters, digits, _; not starting with a digit)');
/**
 * A table reached through its schema (`public.sales`) or, on DuckDB, an attached database
 * (`catalog.schema.sales`): one to three plain identifiers, each quoted separately by the dialect.
 */
export const QUALIFIED_TABLE = /^[A-Za-z_][A-Za-z0-9_]{0,62}(\.[A-Za-z_][A-Za-z0-9_]{0,62}){0,2}$/;
const qualifiedTable = z
  .string()
  .regex(
    QUALIFIED_TABLE,
    'must be a plain identifier, or schema.table / catalog.schema.table of plain identifiers',
  );
const id = z
  .string()
  .regex(/^[a-z][a-z0-9_-]{0,62}$/, 'must be lower-case letters, digits, - or _, starting with a letter');

/** "30s", "2m", "500ms" or a number of milliseconds. */
export const duration = z.union([
  z.number().int().positive(),
  z.string().regex(/^\d+(ms|s|m|h)$/, 'expected a duration such as 500ms, 30s, 5m or 1h'),
]);
/** "8MB", "512KB" or a number of bytes. */
export const byteSize = z.union([
  z.number().int().positive(),
  z.string().regex(/^\d+(B|KB|MB|GB)$/, 'expected a size such as 512KB or 8MB'),
]);

/**
 * The NAME of the environment variable that holds the connection URL: secrets never live in project
 * files, so a URL written here is refused rather than used.
 */
const urlEnv = z
  .string()
  .regex(
    /^[A-Za-z_][A-Za-z0-9_]{0,127}$/,
    'must be the name of an environment variable holding the URL (e.g. WAREHOUSE_URL), not the URL itself',
  );

const duckdbSource = z
  .object({
    type: z.literal('duckdb'),
    /** Database file, relative to the project folder. Opened read-only. */
    path: z.string().min(1),
    /** Folders (relative to the project) that SQL may read files from with read_csv/read_parquet. */
    allowed_directories: z.array(z.string()).default(['data']),
    pool: z
      .object({
        size: z.number().int().min(1).max(16).default(4),
        queue: z.number().int().min(0).max(10_000).default(200),
      })
      .strict()
      .default({ size: 4, queue: 200 }),
    threads: z.number().int().min(1).max(64).optional(),
    memory_limit: z
      .string()
      .regex(/^\d+(MB|GB)$/)
      .optional(),
    /**
     * DuckDB memory for exports (a second, export-only instance on the same file): an export's sort
     * spills to a private temp folder beyond it, so a million-row download stays flat in memory
     * (default DEFAULT_EXPORT_MEMORY, duckdb-config.ts).
     */
    export_memory_limit: z
      .string()
      .regex(/^\d+(MB|GB)$/)
      .optional(),
    /**
     * The NAME of an environment variable that, when set (non-empty) at start, moves this source onto
     * a database server: its postgres:// or mysql:// URL opens that engine, with the default server
     * pool, instead of the file. One set of project files then runs embedded by default and on a
     * server in production; the SQL of its datasets must be portable between the two.
     */
    server_url_env: urlEnv.optional(),
  })
  .strict();

/** Connections to a database server: how many, how long to wait for one, how long to keep one idle. */
const serverPool = z
  .object({
    /** Connections = queries in flight at once. */
    size: z.number().int().min(1).max(100).default(10),
    /** Queries that may wait for a connection (SOURCE_BUSY beyond). */
    queue: z.number().int().min(0).max(10_000).default(200),
    /** Longest wait in the queue (SOURCE_BUSY) and for a new connection (SOURCE_UNAVAILABLE). */
    acquire_timeout: duration.default('5s'),
    /** An unused connection is closed after this. */
    idle_timeout: duration.default('30s'),
  })
  .strict()
  .default({ size: 10, queue: 200, acquire_timeout: '5s', idle_timeout: '30s' });

const serverSource = <T extends 'postgres' | 'mysql'>(type: T) =>
  z
    .object({
      type: z.literal(type),
      url_env: urlEnv,
      pool: serverPool,
      /** A cap per statement below the project's query_timeout, enforced by the server as well. */
      statement_timeout: duration.optional(),
    })
    .strict();

export const sourceConfig = z.discriminatedUnion('type', [
  duckdbSource,
  serverSource('postgres'),
  serverSource('mysql'),
]);
export type SourceConfig = z.infer<typeof sourceConfig>;
export type ServerSourceConfig = Extract<SourceConfig, { type: 'postgres' | 'mysql' }>;

/**
 * The server source that a duckdb source with `server_url_env` becomes: the variable as `url_env`,
 * and every other setting at its default (parsed here so the defaults stay in the schema above).
 */
export function serverSourceFor(type: ServerSourceConfig['type'], urlEnvName: string): ServerSourceConfig {
  const parsed = sourceConfig.parse({ type, url_env: urlEnvName });
  if (parsed.type === 'duckdb') throw new Error('unreachable: a server source parsed as duckdb');
  return parsed;
}

export const limitsConfig = z
  .object({
    query_timeout: duration.default('15s'),
    max_rows: z.number().int().min(1).max(1_000_000).default(10_000),
    max_bytes: byteSize.default('16MB'),
    /** How long one widget export (a file download, streamed) may run before it is stopped. */
    export_timeout: duration.default('10m'),
  })
  .strict();

/**
 * `demo:` — organisations and users that `trellis serve --demo` creates (idempotently) on start.
 * No passwords here: demo users get random unusable ones, and the console prints a one-time sign-in
 * link for the first admin listed.
 */
export const demoConfig = z
  .object({
    organisations: z
      .array(
        z
          .object({
            slug: z
              .string()
              .regex(/^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/, 'lower-case letters, digits and dashes'),
            name: z.string().min(1).max(120),
          })
          .strict(),
      )
      .min(1)
      .max(50),
    users: z
      .array(
        z
          .object({
            email: z.email().max(254),
            organisation: z.string().min(1),
            role: z.enum(['viewer', 'editor', 'admin']),
          })
          .strict(),
      )
      .min(1)
      .max(200),
  })
  .strict()
  .superRefine((demo, ctx) => {
    const slugs = new Set(demo.organisations.map((o) => o.slug));
    demo.users.forEach((u, i) => {
      if (!slugs.has(u.organisation))
        ctx.addIssue({
          code: 'custom',
          path: ['users', i, 'organisation'],
          message: `"${u.organisation}" is not one of the demo organisations`,
        });
    });
    if (!demo.users.some((u) => u.role === 'admin'))
      ctx.addIssue({
        code: 'custom',
        path: ['users'],
        message: 'list at least one admin (the sign-in link is theirs)',
      });
  });
export type DemoConfig = z.infer<typeof demoConfig>;

export const projectFile = z
  .object({
    name: id,
    title: z.string().min(1),
    description: z.string().optional(),
    sources: z
      .record(identifier, sourceConfig)
      .refine((s) => Object.keys(s).length > 0, 'declare at least one source'),
    limits: limitsConfig.default({
      query_timeout: '15s',
      max_rows: 10_000,
      max_bytes: '16MB',
      export_timeout: '10m',
    }),
    demo: demoConfig.optional(),
  })
  .strict();
export type ProjectFile = z.infer<typeof projectFile>;

export const COLUMN_TYPES = ['string', 'number', 'date', 'timestamp', 'boolean'] as const;
const columnDef = z
  .object({
    type: z.enum(COLUMN_TYPES),
    label: z.string().optional(),
    format: z.enum(VALUE_FORMATS).optional(),
    /** A computed column: a SQL expression over the dataset's own columns. */
    sql: z.string().min(1).optional(),
    description: z.string().optional(),
  })
  .strict();

export const AGGREGATES = ['count', 'count_distinct', 'sum', 'avg', 'min', 'max', 'median'] as const;
const measureDef = z
  .object({
    label: z.string().optional(),
    format: z.enum(VALUE_FORMATS).optional(),
    agg: z.enum(AGGREGATES).optional(),
    column: identifier.optional(),
    /** An aggregate SQL expression, e.g. "avg(CASE WHEN x THEN 1 ELSE 0 END)". */
    sql: z.string().min(1).optional(),
    description: z.string().optional(),
  })
  .strict()
  .superRefine((m, ctx) => {
    if (!m.agg && !m.sql) ctx.addIssue({ code: 'custom', message: 'a measure needs `agg` or `sql`' });
    if (m.agg && m.sql) ctx.addIssue({ code: 'custom', message: 'use either `agg` or `sql`, not both' });
    if (m.agg && m.agg !== 'count' && !m.column)
      ctx.addIssue({ code: 'custom', message: `\`agg: ${m.agg}\` needs a \`column\`` });
  });

const paramDef = z
  .object({
    type: z.enum(['string', 'number', 'date', 'boolean']),
    default: z.union([z.string(), z.number(), z.boolean()]),
  })
  .strict();

export const FRESHNESS = ['live', 'short', 'medium', 'long'] as const;

export const datasetFile = z
  .object({
    title: z.string().optional(),
    description: z.string().optional(),
    source: identifier.optional(),
    table: qualifiedTable.optional(),
    /** Path of a SQL file relative to the project folder, e.g. sql/enrollment_success.sql. */
    sql: z
      .string()
      .regex(/^sql\/[A-Za-z0-9_\-/]+\.sql$/, 'expected a path like sql/name.sql')
      .optional(),
    /** Values for the SQL file's named parameters (:name). */
    params: z.record(identifier, paramDef).default({}),
    /**
     * The column that says which organisation a row belongs to (a declared string column): each
     * signed-in user sees only their organisation's rows. A `sql:` dataset must also use `:tenant`.
     */
    tenant_column: identifier.optional(),
    /** The same rows for every organisation (reference data). Declare this or `tenant_column`. */
    shared: z.boolean().optional(),
    freshness: z.union([z.enum(FRESHNESS), duration]).default('medium'),
    columns: z
      .record(identifier, columnDef)
      .refine((c) => Object.keys(c).length > 0, 'declare at least one column'),
    measures: z.record(identifier, measureDef).default({}),
    /** The most rows one export of a widget on this dataset may hold (EXPORT_TOO_LARGE beyond). */
    export_limit: z.number().int().min(1).max(100_000_000).default(1_000_000),
  })
  .strict()
  .superRefine((d, ctx) => {
    if (!d.table === !d.sql)
      ctx.addIssue({ code: 'custom', message: 'a dataset needs exactly one of `table` or `sql`' });
    // Safe by default: nothing is shared between organisations unless a file says so.
    if (d.tenant_column !== undefined && d.shared)
      ctx.addIssue({
        code: 'custom',
        path: ['shared'],
        message: 'use either `tenant_column` or `shared: true`, not both',
      });
    if (d.tenant_column === undefined && !d.shared)
      ctx.addIssue({
        code: 'custom',
        path: d.shared === false ? ['shared'] : [],
        message:
          'declare whose rows these are: `tenant_column: <column>` (each organisation sees only its own rows) ' +
          'or `shared: true` (every organisation sees every row)',
      });
  });
export type DatasetFile = z.infer<typeof datasetFile>;

export const filterDef = z
  .object({
    id,
    type: z.enum(FILTER_TYPES),
    label: localizedText,
    /** The column filtered, in every widget's dataset that has a column of this name. */
    column: identifier,
    /** Per-dataset column names where they differ: { dataset_id: column }. */
    columns: z.record(id, identifier).default({}),
    /** multi_select: the dataset whose distinct values are offered (default: the first widget's). */
    options_from: id.optional(),
    placeholder: localizedText.optional(),
    /**
     * multi_select and text: the palette's search (GET /api/v1/search) looks for values of this
     * column, and a hit opens the dashboard with this filter set to it.
     */
    search: z.boolean().default(false),
    min: z.number().optional(),
    max: z.number().optional(),
    step: z.number().positive().optional(),
  })
  .strict();
export type FilterDef = z.infer<typeof filterDef>;

const sortDef = z.object({ by: identifier, direction: z.enum(['asc', 'desc']).default('desc') }).strict();
export const WHERE_OPS = ['eq', 'neq', 'in', 'gt', 'gte', 'lt', 'lte', 'is_null', 'not_null'] as const;
const whereDef = z
  .object({
    column: identifier,
    op: z.enum(WHERE_OPS),
    value: z
      .union([z.string(), z.number(), z.boolean(), z.array(z.union([z.string(), z.number()]))])
      .optional(),
  })
  .strict();
export type WhereDef = z.infer<typeof whereDef>;
export const TIME_GRAINS = ['day', 'week', 'month', 'quarter', 'year'] as const;
/** Grains a drill hierarchy may use, coarsest first: each period lies inside one of the level above (weeks do not). */
export const DRILL_GRAINS = ['year', 'quarter', 'month', 'day'] as const;

/** Rows a drill to the detail table shows per page, at most (the engine's row cap stays the outer bound). */
export const MAX_DRILL_PAGE_SIZE = 200;

/**
 * What a click on a mark opens: the next level of a time hierarchy (`levels`: bar, line and area
 * charts), the rows behind the mark (`rows`: a paged detail table of declared columns), or another
 * dashboard with the mark's values carried as its filters (`dashboard` + `filters`: their filter id →
 * our column). `rows` and `dashboard` exclude each other; with `levels` they act at the last level.
 */
const drillDef = z
  .object({
    levels: z.array(z.enum(DRILL_GRAINS)).min(2).max(DRILL_GRAINS.length).optional(),
    rows: z
      .object({
        columns: z.array(identifier).min(1).max(50),
        page_size: z.number().int().min(1).max(MAX_DRILL_PAGE_SIZE).default(25),
      })
      .strict()
      .optional(),
    dashboard: id.optional(),
    filters: z.record(id, identifier).optional(),
  })
  .strict()
  .superRefine((d, ctx) => {
    if (!d.levels && !d.rows && !d.dashboard)
      ctx.addIssue({ code: 'custom', message: 'drill needs `levels`, `rows` or `dashboard`' });
    if (d.rows && d.dashboard)
      ctx.addIssue({
        code: 'custom',
        message: 'drill has `rows` or `dashboard`, not both: a click opens one',
      });
    if (d.filters && !d.dashboard)
      ctx.addIssue({ code: 'custom', path: ['filters'], message: '`filters` goes with `dashboard`' });
  });
export type DrillDef = z.infer<typeof drillDef>;

const widgetBase = {
  id,
  title: localizedText,
  description: localizedText.optional(),
  dataset: id.optional(),
  width: z.number().int().min(1).max(12).default(6),
  height: z.enum(['small', 'medium', 'large']).default('medium'),
  where: z.array(whereDef).default([]),
  ignore_filters: z.array(id).default([]),
  /**
   * Clicking a mark (bar, slice, cell, point, table cell) sets the dashboard filter on its column.
   * Default: every multi_select filter whose column the widget shows; `false` turns it off; a list
   * of filter ids keeps only those.
   */
  cross_filter: z.union([z.literal(false), z.array(id).min(1)]).optional(),
  drill: drillDef.optional(),
};

const kpiWidget = z
  .object({
    ...widgetBase,
    type: z.literal('kpi'),
    measure: identifier,
    width: widgetBase.width.default(3),
    height: widgetBase.height.default('small'),
  })
  .strict();
const seriesChart = (type: 'bar' | 'line' | 'area') =>
  z
    .object({
      ...widgetBase,
      type: z.literal(type),
      dimension: identifier,
      grain: z.enum(TIME_GRAINS).optional(),
      /** A second dimension: one series per value (top `series_limit`). */
      series: identifier.optional(),
      measures: z.array(identifier).min(1).max(6),
      sort: sortDef.optional(),
      limit: z.number().int().min(1).max(1000).optional(),
      stacked: z.boolean().default(false),
      horizontal: z.boolean().default(false),
    })
    .strict();
const pieWidget = (type: 'pie' | 'donut') =>
  z
    .object({
      ...widgetBase,
      type: z.literal(type),
      dimension: identifier,
      measure: identifier,
      limit: z.number().int().min(1).max(50).default(10),
    })
    .strict();
const scatterWidget = z
  .object({
    ...widgetBase,
    type: z.literal('scatter'),
    dimension: identifier,
    x: identifier,
    y: identifier,
    limit: z.number().int().min(1).max(5000).default(500),
  })
  .strict();
const histogramWidget = z
  .object({
    ...widgetBase,
    type: z.literal('histogram'),
    column: identifier,
    bins: z.number().int().min(2).max(200).default(30),
  })
  .strict();
const heatmapWidget = z
  .object({
    ...widgetBase,
    type: z.literal('heatmap'),
    x: identifier,
    x_grain: z.enum(TIME_GRAINS).optional(),
    y: identifier,
    measure: identifier,
    limit: z.number().int().min(1).max(10_000).default(2_000),
  })
  .strict();
/** Box plots: the quartiles of a number column per group, computed by the engine (never in the browser). */
const boxplotWidget = z
  .object({
    ...widgetBase,
    type: z.literal('boxplot'),
    /** The number column whose distribution each box shows. */
    column: identifier,
    /** One box per value of this column (none: one box for every row). */
    dimension: identifier.optional(),
    /** The most boxes; more groups are cut, with a notice under the chart. */
    limit: z.number().int().min(1).max(200).default(30),
  })
  .strict();
const funnelWidget = z
  .object({
    ...widgetBase,
    type: z.literal('funnel'),
    dimension: identifier,
    measure: identifier,
    /** Stage order: largest first unless `sort` names the dimension (then in its order). */
    sort: sortDef.optional(),
    limit: z.number().int().min(1).max(50).default(10),
  })
  .strict();
const gaugeWidget = z
  .object({
    ...widgetBase,
    type: z.literal('gauge'),
    measure: identifier,
    min: z.number().default(0),
    max: z.number().default(100),
    /** Marked on the dial when given. */
    target: z.number().optional(),
    width: widgetBase.width.default(3),
  })
  .strict()
  .superRefine((g, ctx) => {
    if (g.max <= g.min) ctx.addIssue({ code: 'custom', path: ['max'], message: '`max` must be above `min`' });
    if (g.target !== undefined && (g.target < g.min || g.target > g.max))
      ctx.addIssue({
        code: 'custom',
        path: ['target'],
        message: '`target` must lie between `min` and `max`',
      });
  });
const calendarWidget = z
  .object({
    ...widgetBase,
    type: z.literal('calendar'),
    /** A date or timestamp column: one cell per day. */
    dimension: identifier,
    measure: identifier,
    /** The most days (the latest are kept); 1,098 is three years. */
    limit: z.number().int().min(1).max(3_660).default(1_098),
    width: widgetBase.width.default(12),
  })
  .strict();
/** Sankey and network graphs: one link per (source, target) pair, weighted by a measure. */
const flowWidget = (type: 'sankey' | 'graph') =>
  z
    .object({
      ...widgetBase,
      type: z.literal(type),
      source: identifier,
      target: identifier,
      /** The link weight (a measure, e.g. a count or a sum). */
      value: identifier,
      /** The strongest links are kept, at most this many; the rest are cut with a notice. */
      max_links: z.number().int().min(1).max(2_000).default(200),
      /** Links that would add a node beyond this many are cut with a notice. */
      max_nodes: z.number().int().min(2).max(500).default(60),
      width: widgetBase.width.default(12),
      height: widgetBase.height.default('large'),
    })
    .strict();
export const MAP_NAMES = ['world', 'us_states'] as const;
const mapWidget = z
  .object({
    ...widgetBase,
    type: z.literal('map'),
    /** world: countries (values: names or ISO 3166-1 numeric codes); us_states: names or FIPS codes. */
    map: z.enum(MAP_NAMES),
    dimension: identifier,
    measure: identifier,
    limit: z.number().int().min(1).max(300).default(300),
  })
  .strict();
const floorplanWidget = z
  .object({
    ...widgetBase,
    type: z.literal('floorplan'),
    /** An SVG file of the project (e.g. floorplans/hall.svg); its elements' ids are the region values. */
    svg: z
      .string()
      .regex(/^[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)*\.svg$/, 'expected a path like floorplans/hall.svg'),
    dimension: identifier,
    measure: identifier,
    limit: z.number().int().min(1).max(2_000).default(500),
  })
  .strict();
const tableWidget = z
  .object({
    ...widgetBase,
    type: z.literal('table'),
    /** A row listing: these columns, one row per dataset row. */
    columns: z.array(identifier).min(1).optional(),
    /** Or a grouped table: dimensions and measures. */
    dimensions: z.array(identifier).optional(),
    measures: z.array(identifier).optional(),
    sort: sortDef.optional(),
    sortable: z.array(identifier).optional(),
    page_size: z.number().int().min(1).max(500).default(25),
    width: widgetBase.width.default(12),
    height: widgetBase.height.default('large'),
  })
  .strict()
  .superRefine((t, ctx) => {
    if (!t.columns === !(t.dimensions || t.measures))
      ctx.addIssue({
        code: 'custom',
        message: 'a table needs `columns` (a listing) or `dimensions`/`measures` (grouped), not both',
      });
  });
const textWidget = z
  .object({
    id,
    type: z.literal('text'),
    title: z.union([z.literal(''), localizedText]).default(''),
    markdown: localizedText,
    width: widgetBase.width,
    height: widgetBase.height.default('small'),
  })
  .strict();

/**
 * An action widget: a pipeline's input form on the dashboard, launched through the Jobs API
 * (docs/project-files.md#action-widgets). `from_table` + `keys_input` + `key_column`: the selected
 * rows of that table widget fill that `keys` input with their key column's values.
 */
const actionInputValue = z.union([
  z.string().max(2_000),
  z.number(),
  z.array(z.string().max(200)).max(1_000),
]);
const actionWidget = z
  .object({
    id,
    type: z.literal('action'),
    title: localizedText,
    description: localizedText.optional(),
    pipeline: id,
    /** The launch button's text (default "Run"). */
    button: z.string().min(1).max(40).optional(),
    /** Values the form starts with (each checked against its input by `trellis check`). */
    inputs: z.record(identifier, actionInputValue).default({}),
    /** Names of `inputs` sent as they are, without a field (a convenience, not a permission). */
    fixed: z.array(identifier).default([]),
    from_table: id.optional(),
    keys_input: identifier.optional(),
    key_column: identifier.optional(),
    width: widgetBase.width.default(4),
    height: widgetBase.height.default('medium'),
  })
  .strict()
  .superRefine((a, ctx) => {
    const given = [a.from_table, a.keys_input, a.key_column].filter((v) => v !== undefined).length;
    if (given !== 0 && given !== 3)
      ctx.addIssue({
        code: 'custom',
        message: '`from_table`, `keys_input` and `key_column` go together',
      });
  });

export const widgetDef = z.discriminatedUnion('type', [
  kpiWidget,
  seriesChart('bar'),
  seriesChart('line'),
  seriesChart('area'),
  pieWidget('pie'),
  pieWidget('donut'),
  scatterWidget,
  histogramWidget,
  heatmapWidget,
  boxplotWidget,
  funnelWidget,
  gaugeWidget,
  calendarWidget,
  flowWidget('sankey'),
  flowWidget('graph'),
  mapWidget,
  floorplanWidget,
  tableWidget,
  textWidget,
  actionWidget,
]);
export type WidgetDef = z.infer<typeof widgetDef>;
/** Widgets that read no dataset: text, and actions (they launch a pipeline). */
export type PlainWidgetDef = Extract<WidgetDef, { type: 'text' | 'action' }>;
export type ActionWidgetDef = Extract<WidgetDef, { type: 'action' }>;
export type DataWidgetDef = Exclude<WidgetDef, PlainWidgetDef>;
/** True for widgets that read a dataset (everything but text and action widgets). */
export function isDataWidget<W extends { type: string }>(w: W): w is Exclude<W, { type: 'text' | 'action' }> {
  return w.type !== 'text' && w.type !== 'action';
}
export type ChartWidgetType = (typeof CHART_TYPES)[number];

export const dashboardFile = z
  .object({
    title: localizedText,
    description: localizedText.optional(),
    /** Position in the dashboard list (lower first). */
    order: z.number().int().default(100),
    /**
     * Roles that may open this dashboard (default: every role). To anyone else it does not exist:
     * absent from the list, and its widgets, filters and events answer DASHBOARD_NOT_FOUND.
     */
    roles: z
      .array(z.enum(ROLES))
      .min(1)
      .default([...ROLES]),
    /** Dataset used by widgets and filters that do not name one. */
    dataset: id.optional(),
    /** `false`: no widget of this dashboard can be downloaded (EXPORT_DISABLED); the menu is hidden. */
    export: z.boolean().default(true),
    filters: z.array(filterDef).default([]),
    widgets: z.array(widgetDef).min(1),
  })
  .strict();
export type DashboardFile = z.infer<typeof dashboardFile>;
