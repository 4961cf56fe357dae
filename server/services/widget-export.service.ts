import { createReadStream } from 'node:fs';
import { DEFAULT_LOCALE, pickTitle } from '../../contract/locale.js';
import { rm, stat } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { Readable, Transform, finished, pipeline } from 'node:stream';
import type { ResultColumn, SortSpec } from '../../contract/index.js';
import type { ActionContext } from '../audit/audit-log.js';
import type { AuditRecorder } from '../audit/audit-recorder.js';
import type { Dataset, Project, ResolvedDataWidget } from '../config/project/project.types.js';
import { isDataWidget } from '../config/project/project.schema.js';
import { TrellisError } from '../errors.js';
import {
  CONTENT_TYPES,
  XLSX_MAX_ROWS,
  exportFileName,
  type ExportFormat,
  type ExportSource,
} from '../exports/export-formats.js';
import { FileBody } from '../exports/file-body.js';
import { csvExport, csvHeader, jsonExport, ndjsonExport } from '../exports/text-export.js';
import { xlsxAroundRows, xlsxExport } from '../exports/xlsx-export.js';
import type { Metrics } from '../observability/metrics.js';
import { compilePlan, type CompiledQuery } from '../query/compiler.js';
import type { Engine, RowBatch } from '../query/engine.js';
import type { CountPlan, QueryPlan } from '../query/plan.js';
import { getDashboard } from './dashboards.service.js';
import { checkFilterValues, planFiltersFor } from './filter-values.js';
import type { QueryRunner } from './query-runner.js';
import type { Viewer } from './viewer.js';
import { widgetQuery } from './widget-plans.js';

/** The export row limit of a dataset that does not set `export_limit`. */
export const DEFAULT_EXPORT_LIMIT = 1_000_000;
/**
 * Exports streaming from one source at once: each holds one of the source's connections for as long
 * as the client downloads, so more would starve the dashboards (EXPORTS_BUSY beyond).
 */
export const EXPORTS_PER_SOURCE = 2;

export interface WidgetExportInput {
  readonly dashboard: string;
  readonly widget: string;
  readonly format: ExportFormat;
  readonly filters: Record<string, unknown>;
  readonly sort?: SortSpec | undefined;
  readonly bom?: boolean;
  /** From the session: which dashboards exist for them and whose rows they read. */
  readonly viewer: Viewer;
  /** Who asked, for the audit log. */
  readonly context: ActionContext;
  /** Fires when the client goes away: the query is cancelled. */
  readonly signal?: AbortSignal;
  /** Rows handed to the writer so far, after each batch (export jobs' progress). */
  readonly onRows?: (rows: number) => void;
}

/** A download ready to send: nothing has been written yet, so errors so far are proper responses. */
export interface WidgetExport {
  readonly fileName: string;
  readonly contentType: string;
  readonly body: Readable;
  /** Rows the filters match, counted before streaming (undefined for widgets bounded by their plan). */
  readonly rows: number | undefined;
}

export interface WidgetExportsOptions {
  readonly project: Project;
  readonly engines: ReadonlyMap<string, Engine>;
  readonly runner: QueryRunner;
  readonly metrics: Metrics;
  readonly audit: AuditRecorder;
  readonly now?: () => number;
}

/**
 * Widget exports (docs/exports.md): the same checks as widget data (dashboard visible to the role,
 * widget, filter values, sortable column), the same plan with the page taken off and the tenant
 * predicate compiled in, counted against the dataset's export limit first, then streamed from the
 * engine through a format writer with back-pressure — memory stays flat in the number of rows.
 */
export class WidgetExports {
  private readonly running = new Map<string, number>();
  private readonly now: () => number;

  constructor(private readonly options: WidgetExportsOptions) {
    this.now = options.now ?? Date.now;
  }

  async open(input: WidgetExportInput): Promise<WidgetExport> {
    try {
      return await this.prepare(input);
    } catch (err) {
      // Refusals of policy are audited too: someone tried to take data out.
      if (
        err instanceof TrellisError &&
        (err.code === 'EXPORT_DISABLED' || err.code === 'EXPORT_TOO_LARGE')
      ) {
        await this.options.audit.record(input.context, {
          action: 'widget.export',
          outcome: 'failure',
          target: `${input.dashboard.slice(0, 100)}/${input.widget.slice(0, 100)}`,
          detail: { format: input.format, error: err.code },
        });
        this.options.metrics.exports.inc({ format: input.format, outcome: err.code });
      }
      throw err;
    }
  }

  /**
   * The rows an export would hold under these filters (undefined when its plan bounds it), after the
   * same checks as the download itself: the export jobs service decides with it whether to queue.
   */
  async count(input: Omit<WidgetExportInput, 'context'>): Promise<number | undefined> {
    return (await this.check(input)).rows;
  }

  /**
   * A dashboard PDF's checks when it is asked (export jobs service): the dashboard is visible to the
   * viewer and allows downloads, and the filter query names only its filters (values are checked by
   * the widget data API when the print page loads). Returns the dashboard's title.
   */
  checkDashboardPdf(dashboardId: string, viewer: Viewer, query: string): string {
    const dashboard = getDashboard(this.options.project, dashboardId, viewer);
    if (!dashboard.exportable)
      throw new TrellisError('EXPORT_DISABLED', {
        message: `Dashboard "${dashboard.id}" does not allow downloads.`,
      });
    const ids = new Set(dashboard.filters.map((f) => f.id));
    for (const key of new URLSearchParams(query).keys())
      if (!ids.has(key)) throw new TrellisError('UNKNOWN_FILTER', { detail: { filter: key.slice(0, 100) } });
    // File names stay in the project's main language: a shared link names the same file for everyone.
    return pickTitle(dashboard.title, DEFAULT_LOCALE);
  }

  /** Everything before the first byte: visibility, `export: false`, filters, format, the count vs the limit. */
  private async check(input: Omit<WidgetExportInput, 'context'>) {
    const { project, runner } = this.options;
    const dashboard = getDashboard(project, input.dashboard, input.viewer);
    const widget = dashboard.widgets.find((w) => w.id === input.widget);
    if (!widget || !isDataWidget(widget))
      throw new TrellisError('WIDGET_NOT_FOUND', {
        message: `Dashboard "${dashboard.id}" has no data widget "${input.widget.slice(0, 100)}".`,
      });
    if (!dashboard.exportable)
      throw new TrellisError('EXPORT_DISABLED', {
        message: `Dashboard "${dashboard.id}" does not allow downloads.`,
      });
    const checked = checkFilterValues(dashboard, input.filters);
    const dataset = project.datasets.get(widget.dataset);
    if (!dataset) throw new Error(`widget ${widget.id}: dataset ${widget.dataset} vanished after loading`);
    const engine = this.options.engines.get(dataset.source);
    if (!engine) throw new TrellisError('SOURCE_UNAVAILABLE', { detail: { source: dataset.source } });
    if (input.format === 'parquet' && !engine.copyToFile)
      throw new TrellisError('EXPORT_FORMAT_UNSUPPORTED', {
        message: `Parquet is written by DuckDB; "${widget.title}" reads another kind of source. Choose CSV, XLSX, JSON or NDJSON.`,
      });
    const q = widgetQuery(widget, dataset, planFiltersFor(widget, dataset, checked), input.viewer.tenant, {
      sort: input.sort,
    });
    const limit = Math.min(
      dataset.exportLimit ?? DEFAULT_EXPORT_LIMIT,
      input.format === 'xlsx' ? XLSX_MAX_ROWS : Infinity,
    );
    const count = countPlanFor(widget, q.plan, q.countPlan);
    let rows: number | undefined;
    if (count) {
      const counted = await runner.run(count, input.signal ? { signal: input.signal } : {});
      rows = Number(counted.result.rows[0]?.[0] ?? 0);
      if (rows > limit)
        throw new TrellisError('EXPORT_TOO_LARGE', {
          message: `This export would hold ${rows.toLocaleString('en')} rows; the limit for this data is ${limit.toLocaleString('en')} rows${input.format === 'xlsx' && limit === XLSX_MAX_ROWS ? ' (an XLSX sheet)' : ''}. Narrow the filters.`,
          detail: { rows, limit, dataset: dataset.id },
        });
    }
    return { dashboard, widget, dataset, engine, q, limit, rows };
  }

  private async prepare(input: WidgetExportInput): Promise<WidgetExport> {
    const { dashboard, widget, dataset, engine, q, limit, rows } = await this.check(input);
    // Parquet is written whole by the engine: its LIMIT is the limit itself (the count above said the
    // rows fit). Streams ask for one row more, so that growth past the limit since the count shows.
    const plan = exportPlan(widget, q.plan, input.format === 'parquet' ? limit : limit + 1);
    const query = compilePlan(plan, dataset, engine.dialect, { maxRows: limit });
    const release = this.acquire(dataset.source);
    try {
      await this.options.audit.record(input.context, {
        action: 'widget.export',
        outcome: 'success',
        target: `${dashboard.id}/${widget.id}`,
        detail: {
          format: input.format,
          rows: rows ?? null,
          dataset: dataset.id,
          filters: JSON.stringify(input.filters).slice(0, 2_000),
        },
      });
      const body =
        input.format === 'parquet'
          ? await this.parquet(engine, query, input)
          : ((!input.onRows
              ? await this.copied(engine, query, dataset, q.columns, limit, input)
              : undefined) ?? (await this.streamed(engine, query, dataset, q.columns, limit, input)));
      return {
        fileName: exportFileName(dashboard.id, widget.id, input.format, new Date(this.now())),
        contentType: CONTENT_TYPES[input.format],
        body: this.metered(body, input.format, release),
        rows,
      };
    } catch (err) {
      release();
      throw err;
    }
  }

  /** Rows from the engine's stream through the format's writer. The first batch is read here. */
  private async streamed(
    engine: Engine,
    query: CompiledQuery,
    dataset: Dataset,
    columns: readonly ResultColumn[],
    limit: number,
    input: WidgetExportInput,
  ): Promise<Readable> {
    const { exportTimeoutMs } = this.options.project.limits;
    const stream = engine.stream(query, {
      timeoutMs: exportTimeoutMs,
      tenant: input.viewer.tenant,
      ...(input.signal ? { signal: input.signal } : {}),
    });
    // Waiting for the first batch turns the usual failures (busy, timeout, source down) into error
    // responses; past this point the headers are out and a failure can only end the download.
    const iterator = stream[Symbol.asyncIterator]();
    const first = await iterator.next();
    const source: ExportSource = {
      columns,
      batches: withinLimit(iterator, first, limit, dataset.id, input.onRows),
    };
    switch (input.format) {
      case 'xlsx':
        return xlsxExport(source);
      case 'json':
        return Readable.from(jsonExport(source), { objectMode: false });
      case 'ndjson':
        return Readable.from(ndjsonExport(source), { objectMode: false });
      default:
        return Readable.from(csvExport(source, { bom: input.bom ?? false }), { objectMode: false });
    }
  }

  /**
   * CSV or XLSX rows written by the engine itself (DuckDB `COPY … TO`, the same compiled statement —
   * tenant predicate, filters, LIMIT — as the stream would run), then sent from the file (CSV behind
   * our header line; XLSX inside the workbook, deflated as it goes) and deleted: no row crosses into
   * JS, so memory is the engine's (capped) and the speed near DuckDB's own (docs/performance.md). Not
   * for jobs (their progress counts rows as they stream), nor for other formats, engines or result
   * types without it (undefined: the caller streams).
   */
  private async copied(
    engine: Engine,
    query: CompiledQuery,
    dataset: Dataset,
    columns: readonly ResultColumn[],
    limit: number,
    input: WidgetExportInput,
  ): Promise<Readable | undefined> {
    const write =
      input.format === 'csv'
        ? engine.copyCsvToFile?.bind(engine)
        : input.format === 'xlsx'
          ? engine.copyXlsxRowsToFile?.bind(engine)
          : undefined;
    if (!write) return undefined;
    const copy = await write(query, {
      timeoutMs: this.options.project.limits.exportTimeoutMs,
      tenant: input.viewer.tenant,
      ...(input.signal ? { signal: input.signal } : {}),
    });
    if (!copy) return undefined;
    if (copy.rows > limit) {
      await rm(copy.file, { force: true });
      throw new TrellisError('EXPORT_TOO_LARGE', { detail: { limit, dataset: dataset.id, seen: copy.rows } });
    }
    if (input.format === 'xlsx') {
      const file = createReadStream(copy.file, { highWaterMark: 256 * 1024 });
      file.once('close', () => void rm(copy.file, { force: true }));
      return xlsxAroundRows(columns, fileChunks(file));
    }
    return new FileBody(copy.file, Buffer.from(csvHeader(columns, input.bom ?? false)));
  }

  /**
   * DuckDB writes the Parquet file into its export folder; it is sent while it grows (Parquet is
   * written front to back, row group by row group — the sort comes first, then about half the COPY's
   * time is writing), then deleted. The download starts at the file's first bytes, so the usual
   * failures (busy, timeout, source down, the sort out of memory) are still error responses; a
   * failure later cuts the download off.
   */
  private async parquet(engine: Engine, query: CompiledQuery, input: WidgetExportInput): Promise<Readable> {
    if (!engine.copyToFile) throw new TrellisError('EXPORT_FORMAT_UNSUPPORTED');
    let file: string | undefined;
    const written = engine.copyToFile(query, 'parquet', {
      timeoutMs: this.options.project.limits.exportTimeoutMs,
      tenant: input.viewer.tenant,
      ...(input.signal ? { signal: input.signal } : {}),
      onFile: (name) => (file = name),
    });
    const started = await firstBytes(written, () => file);
    return new FileBody(started, undefined, written);
  }

  /** Counts bytes for the metrics and frees the source's export slot when the body ends either way. */
  private metered(body: Readable, format: ExportFormat, release: () => void): Readable {
    const done = (err: Error | null | undefined, bytes: number) => {
      release();
      this.options.metrics.exportBytes.inc({ format }, bytes);
      const outcome = !err ? 'ok' : err instanceof TrellisError ? err.code : 'cancelled';
      this.options.metrics.exports.inc({ format, outcome });
    };
    // A file body counts its own bytes, and must reach the response itself to reuse its buffers.
    if (body instanceof FileBody) {
      finished(body, (err) => done(err, body.bytes));
      return body;
    }
    let bytes = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        bytes += chunk.length;
        done(null, chunk);
      },
    });
    pipeline(body, counter, (err) => done(err, bytes));
    return counter;
  }

  private acquire(source: string): () => void {
    const n = this.running.get(source) ?? 0;
    if (n >= EXPORTS_PER_SOURCE)
      throw new TrellisError('EXPORTS_BUSY', { retryAfterSeconds: 5, detail: { source, running: n } });
    this.running.set(source, n + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.running.set(source, (this.running.get(source) ?? 1) - 1);
    };
  }
}

/**
 * The widget's plan without its page: a table exports every row (in its sort), a chart exactly what
 * it shows (its declared top-N stays). `limit` caps rows plans and tables; compilePlan caps the rest.
 */
export function exportPlan(widget: ResolvedDataWidget, plan: QueryPlan, limit: number): QueryPlan {
  if (plan.kind === 'rows') return { ...plan, limit, offset: 0 };
  if (plan.kind === 'aggregate' && widget.type === 'table') {
    const { offset: _offset, ...rest } = plan;
    return { ...rest, limit };
  }
  return plan;
}

/** How many rows the export will hold, when the plan itself does not bound it below the limit. */
function countPlanFor(
  widget: ResolvedDataWidget,
  plan: QueryPlan,
  tableCount: CountPlan | undefined,
): CountPlan | undefined {
  if (widget.type === 'table') return tableCount;
  if (plan.kind === 'aggregate' && plan.limit === undefined && plan.dimensions.length > 0)
    return {
      dataset: plan.dataset,
      tenant: plan.tenant,
      filters: plan.filters,
      kind: 'count',
      groupBy: plan.dimensions,
    };
  return undefined;
}

/**
 * The engine's batches, the first one already read, ending the download with EXPORT_TOO_LARGE if
 * the rows grew past the limit since they were counted (never a silently short file).
 */
async function* withinLimit(
  iterator: AsyncIterator<RowBatch>,
  first: IteratorResult<RowBatch>,
  limit: number,
  dataset: string,
  onRows: ((rows: number) => void) | undefined,
): AsyncGenerator<RowBatch> {
  let seen = 0;
  try {
    for (let next = first; !next.done; next = await iterator.next()) {
      seen += next.value.rows.length;
      if (seen > limit) throw new TrellisError('EXPORT_TOO_LARGE', { detail: { limit, dataset, seen } });
      yield next.value;
      onRows?.(seen);
    }
  } finally {
    await iterator.return?.();
  }
}

/** A file's bytes; the file is closed however the reader stops. */
async function* fileChunks(file: Readable): AsyncGenerator<Buffer> {
  try {
    for await (const chunk of file) yield chunk as Buffer;
  } finally {
    file.destroy();
  }
}

/** How often the Parquet export looks whether its file has its first bytes yet. */
const FIRST_BYTES_POLL_MS = 20;

/**
 * The copy's file once it holds bytes, or once the copy has finished (its error thrown): the
 * moment a download of it can start.
 */
async function firstBytes(written: Promise<string>, file: () => string | undefined): Promise<string> {
  let settled = false;
  const done = written.finally(() => (settled = true));
  for (;;) {
    await Promise.race([done, delay(FIRST_BYTES_POLL_MS)]);
    if (settled) return done;
    const name = file();
    if (name !== undefined && ((await stat(name).catch(() => undefined))?.size ?? 0) > 0) return name;
  }
}
