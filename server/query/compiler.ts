import { TENANT_PARAMETER, type Dataset, type Measure } from '../config/project/project.types.js';
import { splitNamedParameters } from '../config/project/sql-parameters.js';
import { escapeLike, type SqlDialect } from './dialect.js';
import { BOXPLOT_KEYS, PREPARE_ONLY_TENANT } from './plan.js';
import type {
  TenantId,
  AggregatePlan,
  CountPlan,
  HistogramPlan,
  BoxplotPlan,
  PlanDimension,
  PlanFilter,
  PlanSort,
  QueryPlan,
  RowsPlan,
  SqlValue,
} from './plan.js';

export interface CompiledQuery {
  readonly sql: string;
  readonly params: readonly SqlValue[];
}

export interface CompileOptions {
  /** Results are capped at maxRows + 1 rows so that overflow can be told apart from a full page. */
  readonly maxRows: number;
}

/**
 * Compiles a plan into one SQL statement and its bound values. Identifiers come only from the
 * dataset (project files) and are quoted by the dialect; every value is a placeholder.
 * A name the dataset does not declare is a programming error here: services validate first.
 */
export function compilePlan(
  plan: QueryPlan,
  dataset: Dataset,
  dialect: SqlDialect,
  options: CompileOptions,
): CompiledQuery {
  if (plan.dataset !== dataset.id) throw new Error(`plan for ${plan.dataset} compiled against ${dataset.id}`);
  const b = new SqlBuilder(dataset, dialect, plan.tenant);
  switch (plan.kind) {
    case 'aggregate':
      return b.aggregate(plan, options);
    case 'rows':
      return b.rows(plan, options);
    case 'count':
      return b.count(plan);
    case 'histogram':
      return b.histogram(plan);
    case 'boxplot':
      return b.boxplot(plan);
  }
}

/**
 * `SELECT * FROM <dataset> LIMIT 0`-style query for introspection: the dataset's source columns.
 * Prepared, never run for rows, so it is scoped to a tenant that matches none.
 */
export function compileDescribe(dataset: Dataset, dialect: SqlDialect): CompiledQuery {
  const b = new SqlBuilder(dataset, dialect, PREPARE_ONLY_TENANT);
  return b.finish(`SELECT * FROM ${b.from()} ${dialect.limitOffset(b.bind(0), undefined)}`);
}

/**
 * Every row of a dataset as the organisation sees it — its table or SQL, the tenant predicate
 * innermost, its parameters bound — as a relation to read from (an enrichment over a dataset,
 * engines/ingest-read-statements.ts). Unbounded here: the reader adds its key order and LIMIT.
 */
export function compileDatasetRows(dataset: Dataset, dialect: SqlDialect, tenant: TenantId): CompiledQuery {
  const b = new SqlBuilder(dataset, dialect, tenant);
  return b.finish(`SELECT * FROM ${b.from()}`);
}

class SqlBuilder {
  private readonly params: SqlValue[] = [];

  constructor(
    private readonly dataset: Dataset,
    private readonly d: SqlDialect,
    private readonly tenant: TenantId,
  ) {
    // A tenant dataset read without a tenant would read every organisation's rows: refuse to compile.
    if (dataset.tenancy.kind === 'tenant' && (typeof tenant !== 'string' || tenant === ''))
      throw new Error(`dataset ${dataset.id} has a tenant column: a plan on it needs the session's tenant`);
  }

  bind(value: SqlValue): string {
    this.params.push(value);
    return this.d.placeholder(this.params.length);
  }

  finish(sql: string): CompiledQuery {
    return { sql, params: [...this.params] };
  }

  aggregate(plan: AggregatePlan, options: CompileOptions): CompiledQuery {
    // Where the median is only a window function, it is computed in a subquery that also applies
    // the filters; the outer query then takes its one value per group.
    const windowed = this.windowedMedians(plan);
    const from = windowed.size ? this.windowedFrom(plan, windowed) : this.from();
    const where = windowed.size ? '' : this.where(plan.filters);
    const t = this.d.quoteIdentifier('t');
    const measureSql = (m: string) => {
      const column = windowed.get(m);
      return column ? `max(${t}.${this.d.quoteIdentifier(column)})` : this.measure(m);
    };
    const select = [
      ...plan.dimensions.map((dim) => this.dimension(dim)),
      ...plan.measures.map((m) => `${measureSql(m)} AS ${this.d.quoteIdentifier(m)}`),
    ];
    const groupBy = plan.dimensions.length
      ? ` GROUP BY ${plan.dimensions.map((_, i) => i + 1).join(', ')}`
      : '';
    const keys = [...plan.dimensions.map((x) => x.column), ...plan.measures];
    const aggregates = new Map(plan.measures.map((m) => [m, measureSql(m)]));
    // Ties are broken by every dimension so that a page or a top-N is the same on every run.
    const orderBy = this.orderBy(
      plan.sort,
      plan.dimensions.map((x) => x.column),
      keys,
      aggregates,
    );
    const limit = this.limit(plan.limit ?? options.maxRows + 1, plan.offset);
    return this.finish(`SELECT ${select.join(', ')} FROM ${from}${where}${groupBy}${orderBy} ${limit}`);
  }

  rows(plan: RowsPlan, options: CompileOptions): CompiledQuery {
    const from = this.from();
    const select = plan.columns.map((c) => `${this.column(c)} AS ${this.d.quoteIdentifier(c)}`);
    const where = this.where(plan.filters);
    const orderBy = this.orderBy(plan.sort, plan.columns, plan.columns);
    const limit = this.limit(Math.min(plan.limit, options.maxRows + 1), plan.offset);
    return this.finish(`SELECT ${select.join(', ')} FROM ${from}${where}${orderBy} ${limit}`);
  }

  count(plan: CountPlan): CompiledQuery {
    const from = this.from();
    const where = this.where(plan.filters);
    const count = `count(*) AS ${this.d.quoteIdentifier('count')}`;
    if (!plan.groupBy?.length) return this.finish(`SELECT ${count} FROM ${from}${where}`);
    const dims = plan.groupBy.map((dim) => this.dimension(dim));
    const groupBy = plan.groupBy.map((_, i) => i + 1).join(', ');
    return this.finish(
      `SELECT ${count} FROM (SELECT ${dims.join(', ')} FROM ${from}${where} GROUP BY ${groupBy}) AS ${this.d.quoteIdentifier('g')}`,
    );
  }

  /**
   * Equal-width bins between the filtered minimum and maximum, in one statement. Empty bins are
   * absent from the result; the caller fills them in.
   */
  histogram(plan: HistogramPlan): CompiledQuery {
    const from = this.from();
    const q = (s: string) => this.d.quoteIdentifier(s);
    const value = `CAST(${this.column(plan.column)} AS ${this.d.doubleType})`;
    const where = this.where([...plan.filters, { kind: 'null', column: plan.column, negate: true }]);
    const bins = () => `CAST(${this.bind(plan.bins)} AS ${this.d.doubleType})`;
    const width = () => `NULLIF((${q('hi')} - ${q('lo')}) / ${bins()}, 0)`;
    const int = this.d.integerType;
    // When every value is equal the width is NULL: that one bin is bin 0. (The NULL is replaced before
    // LEAST, which skips NULLs on DuckDB and PostgreSQL but returns NULL on MySQL.)
    const bucket = `LEAST(COALESCE(CAST(FLOOR((${q('v')} - ${q('lo')}) / ${width()}) AS ${int}), 0), CAST(${this.bind(plan.bins - 1)} AS ${int}))`;
    const sql =
      `WITH ${q('base')} AS (SELECT ${value} AS ${q('v')} FROM ${from}${where}), ` +
      `${q('bounds')} AS (SELECT MIN(${q('v')}) AS ${q('lo')}, MAX(${q('v')}) AS ${q('hi')} FROM ${q('base')}), ` +
      `${q('binned')} AS (SELECT ${bucket} AS ${q('bin')}, count(*) AS ${q('n')} FROM ${q('base')} CROSS JOIN ${q('bounds')} GROUP BY 1) ` +
      `SELECT ${q('bin')}, ${q('lo')} + ${q('bin')} * COALESCE(${width()}, 0) AS ${q('bin_start')}, ` +
      `${q('lo')} + (${q('bin')} + 1) * COALESCE(${width()}, 0) AS ${q('bin_end')}, ${q('n')} AS ${q('count')} ` +
      `FROM ${q('binned')} CROSS JOIN ${q('bounds')} ORDER BY 1`;
    return this.finish(sql);
  }

  /**
   * Min, quartiles, max and count of a number column per group, in one statement: the quartiles are
   * the engine's continuous quantiles (the dialect's), so a box is the same whichever engine holds the
   * rows. Groups in the dimension's order, NULLs last; the caller asks for one more than it shows.
   */
  boxplot(plan: BoxplotPlan): CompiledQuery {
    const q = (s: string) => this.d.quoteIdentifier(s);
    const from = this.from();
    const v = `CAST(${this.column(plan.column)} AS ${this.d.doubleType})`;
    const where = this.where([...plan.filters, { kind: 'null', column: plan.column, negate: true }]);
    const [low, q1, median, q3, high, n] = BOXPLOT_KEYS;
    const stats = [
      `min(${v}) AS ${q(low)}`,
      `${this.d.quantile(v, 0.25)} AS ${q(q1)}`,
      `${this.d.quantile(v, 0.5)} AS ${q(median)}`,
      `${this.d.quantile(v, 0.75)} AS ${q(q3)}`,
      `max(${v}) AS ${q(high)}`,
      `count(${v}) AS ${q(n)}`,
    ];
    if (!plan.dimension) return this.finish(`SELECT ${stats.join(', ')} FROM ${from}${where}`);
    const dim = this.dimension({ column: plan.dimension });
    const orderBy = ` ORDER BY ${this.d.sortKey(q(plan.dimension), 'asc')}`;
    return this.finish(
      `SELECT ${dim}, ${stats.join(', ')} FROM ${from}${where} GROUP BY 1${orderBy} ${this.limit(plan.limit, undefined)}`,
    );
  }

  /**
   * The dataset as a FROM item: its table, or its SQL file with named parameters bound. On a tenant
   * dataset this is where the tenant predicate goes, innermost: `:tenant` inside the SQL file, and
   * `tenant_column = <tenant>` directly on the table or the SQL's result, before any filter, join,
   * window or aggregate of the outer query can see another tenant's row.
   */
  from(): string {
    const alias = this.d.quoteIdentifier('t');
    const from = this.dataset.from;
    const source = from.kind === 'table' ? this.qualifiedTable(from.table) : `(${this.sqlText(from.text)})`;
    const tenancy = this.dataset.tenancy;
    if (tenancy.kind === 'shared') return `${source} AS ${alias}`;
    const s = this.d.quoteIdentifier('tenant_rows');
    const predicate = `${s}.${this.d.quoteIdentifier(tenancy.column)} = ${this.d.castParameter(this.bind(this.tenant), 'string')}`;
    return `(SELECT * FROM ${source} AS ${s} WHERE ${predicate}) AS ${alias}`;
  }

  /**
   * `sales`, `public.sales` or `catalog.schema.sales` (validated as 1–3 plain identifiers when the
   * project loaded), each part quoted by the dialect: "public"."sales", `public`.`sales`.
   */
  private qualifiedTable(table: string): string {
    return table
      .split('.')
      .map((part) => this.d.quoteIdentifier(part))
      .join('.');
  }

  private sqlText(text: string): string {
    const sql = splitNamedParameters(text)
      .map((piece) => {
        if (piece.param === undefined) return piece.text;
        if (piece.param === TENANT_PARAMETER)
          return piece.text + this.d.castParameter(this.bind(this.tenant), 'string');
        const param = this.dataset.params.get(piece.param);
        if (!param) throw new Error(`dataset ${this.dataset.id}: undeclared parameter :${piece.param}`);
        return piece.text + this.d.castParameter(this.bind(param.value), param.type);
      })
      .join('');
    return stripTrailingSemicolon(sql);
  }

  private dimension(dim: PlanDimension): string {
    return `${this.dimensionExpression(dim)} AS ${this.d.quoteIdentifier(dim.column)}`;
  }

  private dimensionExpression(dim: PlanDimension): string {
    const expr = this.column(dim.column);
    return dim.grain ? this.d.timeGrain(expr, dim.grain) : expr;
  }

  /** Median measures (of a column) to compute as window columns, by name → column alias. */
  private windowedMedians(plan: AggregatePlan): Map<string, string> {
    const windowed = new Map<string, string>();
    if (!this.d.medianOver) return windowed;
    for (const name of plan.measures) {
      const m = this.dataset.measures.get(name);
      if (m?.agg === 'median' && m.column) windowed.set(name, `trellis_median_${windowed.size}`);
    }
    return windowed;
  }

  /** The filtered dataset with each windowed median as a column, over the plan's groups. */
  private windowedFrom(plan: AggregatePlan, windowed: ReadonlyMap<string, string>): string {
    const medianOver = this.d.medianOver;
    if (!medianOver) throw new Error('windowed medians need a dialect with medianOver');
    const t = this.d.quoteIdentifier('t');
    const partition = plan.dimensions.map((dim) => this.dimensionExpression(dim));
    const columns = [...windowed].map(([name, alias]) => {
      const column = this.dataset.measures.get(name)?.column;
      if (!column) throw new Error(`dataset ${this.dataset.id}: median ${name} has no column`);
      return `${medianOver(this.column(column), partition)} AS ${this.d.quoteIdentifier(alias)}`;
    });
    return `(SELECT ${t}.*, ${columns.join(', ')} FROM ${this.from()}${this.where(plan.filters)}) AS ${t}`;
  }

  private column(name: string): string {
    const col = this.dataset.columns.get(name);
    if (!col) throw new Error(`dataset ${this.dataset.id}: unknown column ${name}`);
    return col.sql ? `(${col.sql})` : `${this.d.quoteIdentifier('t')}.${this.d.quoteIdentifier(name)}`;
  }

  private measure(name: string): string {
    const m: Measure | undefined = this.dataset.measures.get(name);
    if (!m) throw new Error(`dataset ${this.dataset.id}: unknown measure ${name}`);
    if (m.sql) return `(${m.sql})`;
    const col = m.column ? this.column(m.column) : '*';
    switch (m.agg) {
      case 'count':
        return m.column ? `count(${col})` : 'count(*)';
      case 'count_distinct':
        return `count(DISTINCT ${col})`;
      case 'median':
        return this.d.median(col);
      case 'sum':
      case 'avg':
      case 'min':
      case 'max':
        return `${m.agg}(${col})`;
      case undefined:
        throw new Error(`dataset ${this.dataset.id}: measure ${name} has neither agg nor sql`);
    }
  }

  private where(filters: readonly PlanFilter[]): string {
    if (!filters.length) return '';
    return ` WHERE ${filters.map((f) => `(${this.predicate(f)})`).join(' AND ')}`;
  }

  private predicate(f: PlanFilter): string {
    switch (f.kind) {
      case 'in': {
        const type = this.columnType(f.column);
        if (!f.values.length) return '1 = 0';
        return `${this.column(f.column)} IN (${f.values.map((v) => this.d.castParameter(this.bind(v), type)).join(', ')})`;
      }
      case 'compare':
        return `${this.column(f.column)} ${f.op} ${this.d.castParameter(this.bind(f.value), this.columnType(f.column))}`;
      case 'contains': {
        const pattern = `%${escapeLike(f.text)}%`;
        return f.columns
          .map((c) => {
            const expr = this.columnType(c) === 'string' ? this.column(c) : this.d.castToText(this.column(c));
            return this.d.containsPattern(expr, this.bind(pattern));
          })
          .join(' OR ');
      }
      case 'null':
        return `${this.column(f.column)} IS ${f.negate ? 'NOT ' : ''}NULL`;
    }
  }

  private columnType(name: string) {
    const col = this.dataset.columns.get(name);
    if (!col) throw new Error(`dataset ${this.dataset.id}: unknown column ${name}`);
    return col.type;
  }

  private orderBy(
    sort: readonly PlanSort[],
    tiebreak: readonly string[],
    allowed: readonly string[],
    aggregates: ReadonlyMap<string, string> = new Map(),
  ): string {
    const parts: string[] = [];
    const used = new Set<string>();
    for (const s of sort) {
      if (!allowed.includes(s.key)) throw new Error(`sort key ${s.key} is not in the select list`);
      parts.push(this.d.sortKey(this.d.quoteIdentifier(s.key), s.direction, aggregates.get(s.key)));
      used.add(s.key);
    }
    for (const key of tiebreak)
      if (!used.has(key)) parts.push(this.d.sortKey(this.d.quoteIdentifier(key), 'asc'));
    return parts.length ? ` ORDER BY ${parts.join(', ')}` : '';
  }

  private limit(limit: number, offset: number | undefined): string {
    return this.d.limitOffset(this.bind(limit), offset ? this.bind(offset) : undefined);
  }
}

function stripTrailingSemicolon(sql: string): string {
  return sql.trim().replace(/;\s*$/, '');
}
