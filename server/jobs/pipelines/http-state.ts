import type { HttpSpec, Pipeline } from '../../config/project/pipeline.types.js';
import type { PipelineRunContext } from '../pipeline-contract.js';
import { firstCursor, type Cursor } from './pagination.js';

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

/**
 * Where this run starts: after the last page an interrupted run wrote, or — after a complete run or
 * none — at the first page of a new listing (incremental: filtered from the last run's watermark).
 */
export function startingState(
  pipeline: Pipeline,
  spec: HttpSpec,
  previous: HttpState | null,
  context: PipelineRunContext,
): HttpState {
  if (previous?.status === 'running' && previous.cursor !== null) {
    context.log(
      'info',
      `resuming after page ${previous.page} (${previous.items} items written by an interrupted run)`,
    );
    return { ...previous, runId: context.runId };
  }
  const watermark = previous?.watermark ?? null;
  const inc = pipeline.incremental;
  const extra = inc && watermark !== null ? { [inc.param]: inc.value.replace('{watermark}', watermark) } : {};
  if (inc && watermark !== null) context.log('info', `incremental: ${inc.param}=${extra[inc.param]}`);
  return {
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

/** The state after a page is written: its checkpoint (stored in the same transaction as its rows). */
export function afterPage(
  state: HttpState,
  page: {
    readonly next: Cursor | null;
    readonly items: number;
    readonly rows: number;
    readonly total: unknown;
  },
): HttpState {
  const { total } = page;
  return {
    ...state,
    cursor: page.next,
    page: state.page + 1,
    items: state.items + page.items,
    rows: state.rows + page.rows,
    total: state.total ?? (typeof total === 'number' && Number.isSafeInteger(total) ? total : null),
  };
}

/** The progress line of a run: page, items (of the total when the API tells it) and rows written. */
export function reportProgress(state: HttpState, context: PipelineRunContext): void {
  const items =
    state.total !== null
      ? `${state.items.toLocaleString('en')} of ${state.total.toLocaleString('en')} items`
      : `${state.items.toLocaleString('en')} items`;
  context.progress({
    done: state.items,
    total: state.total,
    unit: 'items',
    message: `page ${state.page} · ${items} · ${state.rows.toLocaleString('en')} rows written`,
  });
}
