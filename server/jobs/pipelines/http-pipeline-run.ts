import type { HttpSpec, Pipeline } from '../../config/project/pipeline.types.js';
import type { IngestWriter } from '../../query/ingest-writer.js';
import type { PipelineRunContext, PipelineRunResult } from '../pipeline-contract.js';
import { HttpStatusError, PageTooLargeError, RetriesExhaustedError } from './http-fetcher.js';
import { afterPage, parseHttpState, reportProgress, startingState, type HttpState } from './http-state.js';
import { PagePrefetcher, itemsOf } from './page-prefetcher.js';
import { mapPageItems, type PageRows } from './page-rows.js';
import { firstCursor, nextCursor, type Cursor } from './pagination.js';
import { readPath, type ItemMapper } from './row-mapping.js';
import { Publisher, SkipLog, limitReached, pipelineFailed } from './run-support.js';

export { parseHttpState, type HttpState } from './http-state.js';

interface RunInputs {
  readonly pipeline: Pipeline;
  readonly baseUrl: string;
  readonly writer: IngestWriter;
  readonly mapper: ItemMapper;
  readonly context: PipelineRunContext;
  /** `http.headers` with their secrets resolved. */
  readonly headers?: Readonly<Record<string, string>>;
}

/** A page fetched and mapped, ready to be written with its checkpoint. */
interface PreparedPage extends PageRows {
  readonly next: Cursor | null;
  readonly items: number;
  readonly total: unknown;
}

/**
 * One run of an HTTP pipeline: from the checkpoint (or the first page), page by page — fetch (ahead
 * where cursors are predictable), map, write with the checkpoint in one transaction, publish when due —
 * to the end of the listing, a limit, a failure or a cancel. The steps are the methods below.
 */
export async function runHttpPipeline(inputs: RunInputs): Promise<PipelineRunResult> {
  const { pipeline, writer, context } = inputs;
  const spec = pipeline.http;
  if (!spec) throw pipelineFailed(pipeline, 'no http settings');
  const previous = parseHttpState(await writer.readState(pipeline.id));
  return new HttpRun(inputs, spec, startingState(pipeline, spec, previous, context)).run();
}

class HttpRun {
  private readonly pipeline: Pipeline;
  private readonly writer: IngestWriter;
  private readonly context: PipelineRunContext;
  private readonly pages: PagePrefetcher;
  private readonly publisher: Publisher;
  private readonly skips: SkipLog;
  private readonly started = Date.now();
  private rowsThisRun = 0;
  /** An expired page token restarts the listing once per run, never more (no loop). */
  private restarted = false;

  constructor(
    private readonly inputs: RunInputs,
    private readonly spec: HttpSpec,
    private state: HttpState,
  ) {
    ({ pipeline: this.pipeline, writer: this.writer, context: this.context } = inputs);
    this.pages = new PagePrefetcher(spec, inputs.baseUrl, state.extra, this.context, inputs.headers);
    this.publisher = new Publisher(this.pipeline, this.writer, this.context);
    this.skips = new SkipLog(this.context);
  }

  async run(): Promise<PipelineRunResult> {
    try {
      await this.allPages();
    } catch (err) {
      this.pages.stop();
      if (this.context.signal.aborted) return this.stopped();
      await this.publishBestEffort();
      throw err;
    } finally {
      this.pages.stop();
    }
    if (this.context.signal.aborted) return this.stopped();
    return this.finishListing();
  }

  /** Page after page until the listing ends or the run is cancelled. */
  private async allPages(): Promise<void> {
    reportProgress(this.state, this.context);
    for (;;) {
      const cursor = this.state.cursor;
      if (cursor === null) return;
      const pageNo = this.state.page + 1;
      if (pageNo > this.spec.maxPages)
        throw limitReached(
          this.pipeline,
          `stopped before page ${pageNo}: max_pages (${this.spec.maxPages}) reached before the end of the listing`,
        );
      this.pages.fetchAhead(cursor, pageNo);
      const page = await this.takePage(cursor, pageNo);
      if (page === 'cancelled') return;
      if (page === 'restarted') continue;
      await this.writePage(page, pageNo);
      reportProgress(this.state, this.context);
      if (this.context.signal.aborted) return;
      if (this.state.cursor !== null) await this.publisher.maybe();
    }
  }

  /**
   * The page at `cursor`, fetched and mapped — parsed and mapped here, so the page's JSON can be
   * collected while its rows are written.
   */
  private async takePage(cursor: Cursor, pageNo: number): Promise<PreparedPage | 'cancelled' | 'restarted'> {
    let fetched;
    try {
      fetched = await this.pages.fetch(cursor, pageNo);
    } catch (err) {
      if (this.context.signal.aborted) return 'cancelled';
      if (this.restartOnExpiredToken(err, cursor, pageNo)) return 'restarted';
      throw describeFailure(this.pipeline, pageNo, err);
    }
    this.pages.taken(cursor);
    const body = fetched.body;
    const items = itemsOf(this.spec, body) as unknown[];
    const total = this.spec.total ? readPath(body, this.spec.total) : undefined;
    const next = nextCursor(this.spec, this.inputs.baseUrl, cursor, body, items.length, fetched.link);
    // The next page downloads while this one is mapped and written (a checkpoint is still one page).
    if (next !== null && pageNo + 1 <= this.spec.maxPages && !this.context.signal.aborted)
      void this.pages.fetch(next, pageNo + 1);
    const rows = mapPageItems(this.pipeline, this.inputs.mapper, items, pageNo, this.skips);
    return { ...rows, next, items: items.length, total };
  }

  /**
   * Page tokens expire (hours-old checkpoint, long stalls). Rows are upserts, so starting the listing
   * over loses nothing and duplicates nothing; only once per run, to never loop.
   */
  private restartOnExpiredToken(err: unknown, cursor: Cursor, pageNo: number): boolean {
    const refused = err instanceof HttpStatusError && [400, 404, 410].includes(err.status);
    if (!refused || cursor.kind !== 'token' || cursor.token === null || this.restarted) return false;
    this.restarted = true;
    this.context.log(
      'warn',
      `page ${pageNo}: the page token was refused (${err.message}); starting the listing again from page 1`,
    );
    this.pages.clear();
    this.state = { ...this.state, cursor: firstCursor(this.spec), page: 0, items: 0 };
    return true;
  }

  /** The page's rows and its checkpoint in one transaction; nothing of a page past max_rows. */
  private async writePage(page: PreparedPage, pageNo: number): Promise<void> {
    if (this.rowsThisRun + page.count > this.pipeline.maxRows)
      throw limitReached(
        this.pipeline,
        `page ${pageNo} would pass max_rows (${this.pipeline.maxRows}); nothing of it was written`,
      );
    const after = afterPage(this.state, {
      next: page.next,
      items: page.items,
      rows: page.count,
      total: page.total,
    });
    try {
      this.rowsThisRun += await this.writer.writePage(
        page.keys,
        page.rows,
        this.pipeline.id,
        JSON.stringify(after),
      );
    } catch (err) {
      throw pipelineFailed(
        this.pipeline,
        `page ${pageNo} could not be written: ${err instanceof Error ? err.message : String(err)}`,
        err,
      );
    }
    this.state = after;
    this.publisher.wrote();
  }

  /** The end of the listing: the new watermark, the state "complete", and a final publish. */
  private async finishListing(): Promise<PipelineRunResult> {
    const { pipeline, writer, state, context } = this;
    const inc = pipeline.incremental;
    const watermark = inc ? ((await writer.maxValue(inc.table, inc.column)) ?? state.watermark) : null;
    await writer.saveState(
      pipeline.id,
      JSON.stringify({ ...state, status: 'complete', cursor: null, watermark }),
    );
    this.publisher.wrote();
    await this.publisher.now('final');
    const seconds = (Date.now() - this.started) / 1000;
    context.log(
      'info',
      `done: ${state.page} pages, ${state.items} items, ${this.rowsThisRun} rows written in ${seconds.toFixed(1)} s` +
        (this.skips.total ? `; ${this.skips.total} items skipped` : '') +
        (watermark !== null ? `; watermark ${watermark}` : ''),
    );
    return { outcome: 'succeeded', rowsWritten: this.rowsThisRun };
  }

  /**
   * A cancel (or a worker shutting down) stops at once: the pages written are safe in the ingest file
   * and the next run resumes after them. No publish here — copying the file could take longer than the
   * second a cancel may take; the next run's publishes show those pages.
   */
  private stopped(): PipelineRunResult {
    this.context.log(
      'info',
      `cancelled; the next run resumes after the last page written${this.publisher.pending ? ' (and publishes it)' : ''}`,
    );
    return { outcome: 'cancelled', rowsWritten: this.rowsThisRun };
  }

  /** Pages written before a failure are published, so dashboards show the state of the checkpoint. */
  private async publishBestEffort(): Promise<void> {
    if (!this.publisher.pending) return;
    try {
      await this.publisher.now('checkpoint');
    } catch (err) {
      this.context.log(
        'error',
        `publishing the written pages failed: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
  }
}

function describeFailure(pipeline: Pipeline, pageNo: number, err: unknown) {
  if (err instanceof RetriesExhaustedError)
    return pipelineFailed(pipeline, `page ${pageNo} failed: ${err.message}`, err);
  if (err instanceof HttpStatusError)
    return pipelineFailed(pipeline, `page ${pageNo} was refused: ${err.message}`, err);
  if (err instanceof PageTooLargeError) return limitReached(pipeline, `page ${pageNo}: ${err.message}`);
  return pipelineFailed(pipeline, `page ${pageNo}: ${err instanceof Error ? err.message : String(err)}`, err);
}
