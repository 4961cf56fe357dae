import type { Pipeline } from '../../config/project/pipeline.types.js';
import type { IngestWriter } from '../../query/ingest-writer.js';
import type { PipelineRunContext, PipelineRunResult } from '../pipeline-contract.js';
import {
  HttpStatusError,
  PageTooLargeError,
  RateLimiter,
  RetriesExhaustedError,
  fetchPage,
  type FetchedPage,
} from './http-fetcher.js';
import { firstCursor, nextCursor, pageUrl, type Cursor } from './pagination.js';
import { MappingError, readPath, type Cell, type ItemMapper, type Row } from './row-mapping.js';
import { Publisher, SkipLog, limitReached, pipelineFailed } from './run-support.js';

/**
 * The checkpoint of an HTTP pipeline, stored with each page in the ingest file. `running`: a run is
 * under way (or was interrupted) and the next one resumes at `cursor`; `complete`: the last run
 * finished, and the next one starts a new listing (incremental: from `watermark`).
 */
export interface HttpState {
  readonly v: 1;
  readonly status: 'running' | 'complete';
  readonly runId: string;
  readonly cursor: Cursor | null;
  /** Pages of this listing written so far. */
  readonly page: number;
  readonly items: number;
  readonly rows: number;
  readonly total: number | null;
  /** Parameters fixed for the listing (the incremental filter), kept across a resume. */
  readonly extra: Readonly<Record<string, string>>;
  readonly watermark: string | null;
}

export function parseHttpState(text: string | null): HttpState | null {
  if (text === null) return null;
  try {
    const v = JSON.parse(text) as HttpState;
    return v.v === 1 ? v : null;
  } catch {
    return null;
  }
}

interface RunInputs {
  readonly pipeline: Pipeline;
  readonly baseUrl: string;
  readonly writer: IngestWriter;
  readonly mapper: ItemMapper;
  readonly context: PipelineRunContext;
  /** `http.headers` with their secrets resolved. */
  readonly headers?: Readonly<Record<string, string>>;
}

const WHOLE_BODY = '$';

export async function runHttpPipeline({
  pipeline,
  baseUrl,
  writer,
  mapper,
  context,
  headers,
}: RunInputs): Promise<PipelineRunResult> {
  const spec = pipeline.http;
  if (!spec) throw pipelineFailed(pipeline, 'no http settings');
  const previous = parseHttpState(await writer.readState(pipeline.id));
  let state: HttpState;
  if (previous?.status === 'running' && previous.cursor !== null) {
    state = { ...previous, runId: context.runId };
    context.log(
      'info',
      `resuming after page ${state.page} (${state.items} items written by an interrupted run)`,
    );
  } else {
    const watermark = previous?.watermark ?? null;
    const inc = pipeline.incremental;
    const extra =
      inc && watermark !== null ? { [inc.param]: inc.value.replace('{watermark}', watermark) } : {};
    if (inc && watermark !== null) context.log('info', `incremental: ${inc.param}=${extra[inc.param]}`);
    state = {
      v: 1,
      status: 'running',
      runId: context.runId,
      cursor: firstCursor(spec),
      page: 0,
      items: 0,
      rows: 0,
      total: null,
      extra,
      watermark,
    };
  }

  const limiter = new RateLimiter(spec.rateLimit);
  const publisher = new Publisher(pipeline, writer, context);
  const skips = new SkipLog(context);
  const started = Date.now();
  let rowsThisRun = 0;
  let restarted = false;
  const check = (body: unknown) => {
    const items = spec.items === WHOLE_BODY ? body : readPath(body, spec.items);
    return Array.isArray(items) ? null : `the response has no array at "${spec.items}"`;
  };

  const report = () =>
    context.progress({
      done: state.items,
      total: state.total,
      unit: 'items',
      message: `page ${state.page}${state.total !== null ? ` · ${state.items.toLocaleString('en')} of ${state.total.toLocaleString('en')} items` : ` · ${state.items.toLocaleString('en')} items`} · ${state.rows.toLocaleString('en')} rows written`,
    });

  // Offset and page pagination can fetch ahead; the rest go one page after another.
  const ahead = ['offset', 'page'].includes(spec.pagination.type) ? spec.concurrency : 1;
  const prefetch = new Map<string, Promise<FetchedPage>>();
  const pageAbort = new AbortController();
  const signal = AbortSignal.any([context.signal, pageAbort.signal]);
  const fetchAt = (cursor: Cursor, pageNo: number): Promise<FetchedPage> => {
    const key = JSON.stringify(cursor);
    let p = prefetch.get(key);
    if (!p) {
      p = fetchPage(pageUrl(baseUrl, spec, state.extra, cursor), {
        spec,
        limiter,
        signal,
        check,
        ...(headers ? { headers } : {}),
        onRetry: (problem, attempt, waitMs) =>
          context.log(
            'warn',
            `page ${pageNo}: ${problem}; retry ${attempt} of ${spec.retries} in ${(waitMs / 1000).toFixed(1)} s`,
          ),
      });
      // Rejections are handled when the page's turn comes; until then they must not go unhandled.
      p.catch(() => undefined);
      prefetch.set(key, p);
    }
    return p;
  };

  const preparePage = (fetched: FetchedPage, cursor: Cursor, pageNo: number) => {
    const body = fetched.body;
    const items = (spec.items === WHOLE_BODY ? body : readPath(body, spec.items)) as unknown[];
    const total = spec.total ? readPath(body, spec.total) : undefined;
    const next = nextCursor(spec, baseUrl, cursor, body, items.length, fetched.link);
    // The next page downloads while this one is mapped and written (a checkpoint is still one page).
    if (next !== null && pageNo + 1 <= spec.maxPages && !context.signal.aborted) fetchAt(next, pageNo + 1);

    // Map; the last version of an item within a page wins.
    const byKey = new Map<string, { key: readonly Cell[]; rows: ReadonlyMap<string, Row[]> }>();
    for (const item of items) {
      let mapped;
      try {
        mapped = mapper(item);
      } catch (err) {
        if (err instanceof MappingError)
          throw pipelineFailed(pipeline, `page ${pageNo}: ${err.message}`, err);
        throw err;
      }
      if (!mapped.ok) skips.add(pageNo, mapped.reason);
      else byKey.set(JSON.stringify(mapped.key), { key: mapped.key, rows: mapped.rows });
    }
    const keys: (readonly Cell[])[] = [];
    const rows = new Map<string, Row[]>(pipeline.tables.map((t) => [t.name, []]));
    let pageRows = 0;
    for (const entry of byKey.values()) {
      keys.push(entry.key);
      for (const [table, list] of entry.rows) {
        const target = rows.get(table) as Row[];
        for (const row of list) target.push(row);
        pageRows += list.length;
      }
    }
    return { next, itemCount: items.length, total, keys, rows, pageRows };
  };

  try {
    report();
    for (;;) {
      const cursor = state.cursor;
      if (cursor === null) break;
      const pageNo = state.page + 1;
      if (pageNo > spec.maxPages)
        throw limitReached(
          pipeline,
          `stopped before page ${pageNo}: max_pages (${spec.maxPages}) reached before the end of the listing`,
        );
      // Keep up to `ahead` pages in flight (predictable cursors only).
      let predicted: Cursor = cursor;
      for (let k = 0; k < ahead; k++) {
        fetchAt(predicted, pageNo + k);
        const after = advance(predicted, spec);
        if (!after) break;
        predicted = after;
      }
      let fetched: FetchedPage | undefined;
      try {
        fetched = await fetchAt(cursor, pageNo);
      } catch (err) {
        if (context.signal.aborted) break;
        if (
          err instanceof HttpStatusError &&
          [400, 404, 410].includes(err.status) &&
          cursor.kind === 'token' &&
          cursor.token !== null &&
          !restarted
        ) {
          // Page tokens expire (hours-old checkpoint, long stalls). Rows are upserts, so starting the
          // listing over loses nothing and duplicates nothing; only once per run, to never loop.
          restarted = true;
          context.log(
            'warn',
            `page ${pageNo}: the page token was refused (${err.message}); starting the listing again from page 1`,
          );
          prefetch.clear();
          state = { ...state, cursor: firstCursor(spec), page: 0, items: 0 };
          continue;
        }
        throw describeFailure(pipeline, pageNo, err);
      }
      prefetch.delete(JSON.stringify(cursor));

      // Parsed and mapped apart, so the page's JSON can be collected while its rows are written.
      const { next, itemCount, total, keys, rows, pageRows } = preparePage(fetched, cursor, pageNo);
      fetched = undefined;
      if (rowsThisRun + pageRows > pipeline.maxRows)
        throw limitReached(
          pipeline,
          `page ${pageNo} would pass max_rows (${pipeline.maxRows}); nothing of it was written`,
        );

      const after: HttpState = {
        ...state,
        cursor: next,
        page: pageNo,
        items: state.items + itemCount,
        rows: state.rows + pageRows,
        total: state.total ?? (typeof total === 'number' && Number.isSafeInteger(total) ? total : null),
      };
      try {
        rowsThisRun += await writer.writePage(keys, rows, pipeline.id, JSON.stringify(after));
      } catch (err) {
        throw pipelineFailed(
          pipeline,
          `page ${pageNo} could not be written: ${err instanceof Error ? err.message : String(err)}`,
          err,
        );
      }
      state = after;
      publisher.wrote();
      report();
      if (context.signal.aborted) break;
      if (state.cursor !== null) await publisher.maybe();
    }
  } catch (err) {
    pageAbort.abort();
    if (context.signal.aborted) return stopped(publisher, context, rowsThisRun);
    await publishBestEffort(publisher, context);
    throw err;
  } finally {
    pageAbort.abort();
  }
  if (context.signal.aborted) return stopped(publisher, context, rowsThisRun);

  // The end of the listing: the new watermark, the state "complete", and a final publish.
  const inc = pipeline.incremental;
  const watermark = inc ? ((await writer.maxValue(inc.table, inc.column)) ?? state.watermark) : null;
  await writer.saveState(
    pipeline.id,
    JSON.stringify({ ...state, status: 'complete', cursor: null, watermark }),
  );
  publisher.wrote();
  await publisher.now('final');
  const seconds = (Date.now() - started) / 1000;
  context.log(
    'info',
    `done: ${state.page} pages, ${state.items} items, ${rowsThisRun} rows written in ${seconds.toFixed(1)} s` +
      (skips.total ? `; ${skips.total} items skipped` : '') +
      (watermark !== null ? `; watermark ${watermark}` : ''),
  );
  return { outcome: 'succeeded', rowsWritten: rowsThisRun };
}

/** The next predictable cursor (offset/page), for fetching ahead. */
function advance(cursor: Cursor, spec: NonNullable<Pipeline['http']>): Cursor | null {
  const p = spec.pagination;
  if (p.type === 'offset' && cursor.kind === 'offset')
    return { kind: 'offset', offset: cursor.offset + p.limit };
  if (p.type === 'page' && cursor.kind === 'page') return { kind: 'page', page: cursor.page + 1 };
  return null;
}

function describeFailure(pipeline: Pipeline, pageNo: number, err: unknown) {
  if (err instanceof RetriesExhaustedError)
    return pipelineFailed(pipeline, `page ${pageNo} failed: ${err.message}`, err);
  if (err instanceof HttpStatusError)
    return pipelineFailed(pipeline, `page ${pageNo} was refused: ${err.message}`, err);
  if (err instanceof PageTooLargeError) return limitReached(pipeline, `page ${pageNo}: ${err.message}`);
  return pipelineFailed(pipeline, `page ${pageNo}: ${err instanceof Error ? err.message : String(err)}`, err);
}

/**
 * A cancel (or a worker shutting down) stops at once: the pages written are safe in the ingest file
 * and the next run resumes after them. No publish here — copying the file could take longer than the
 * second a cancel may take; the next run's publishes show those pages.
 */
function stopped(publisher: Publisher, context: PipelineRunContext, rows: number): PipelineRunResult {
  context.log(
    'info',
    `cancelled; the next run resumes after the last page written${publisher.pending ? ' (and publishes it)' : ''}`,
  );
  return { outcome: 'cancelled', rowsWritten: rows };
}

/** Pages written before a failure are published, so dashboards show the state of the checkpoint. */
async function publishBestEffort(publisher: Publisher, context: PipelineRunContext): Promise<void> {
  if (!publisher.pending) return;
  try {
    await publisher.now('checkpoint');
  } catch (err) {
    context.log(
      'error',
      `publishing the written pages failed: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
}
