import type { RunLogLine } from '../../../../contract/index.js';

/**
 * A run's log as the log view holds it: lines in sequence order, at most `max` of them (the newest),
 * and how many older ones were let go, so a long run never grows the page without bound.
 */
export interface LogView {
  readonly lines: readonly RunLogLine[];
  /** Older lines dropped to stay within the bound. */
  readonly hidden: number;
  /** The highest sequence number seen: the `after` of the next page and the cut-off for duplicates. */
  readonly lastSeq: number | null;
}

export const EMPTY_LOG: LogView = { lines: [], hidden: 0, lastSeq: null };
export const MAX_LOG_LINES = 500;

/**
 * Adds lines from a page or from the live stream. Both only ever bring lines after the ones already
 * held (pages are fetched in order; live lines wait until the pages caught up), so anything at or
 * before `lastSeq` is a duplicate — the same line by both routes — and is skipped.
 */
export function appendLogLines(
  view: LogView,
  incoming: readonly RunLogLine[],
  max: number = MAX_LOG_LINES,
): LogView {
  const fresh = incoming
    .filter((l) => view.lastSeq === null || l.seq > view.lastSeq)
    .sort((a, b) => a.seq - b.seq)
    .filter((l, i, all) => i === 0 || l.seq !== all[i - 1]?.seq);
  if (fresh.length === 0) return view;
  const all = [...view.lines, ...fresh];
  const drop = Math.max(0, all.length - max);
  return {
    lines: drop ? all.slice(drop) : all,
    hidden: view.hidden + drop,
    lastSeq: fresh[fresh.length - 1]?.seq ?? view.lastSeq,
  };
}

/**
 * Live lines heard while the pages have not caught up yet: kept (bounded) and added after the last
 * page. Dropping the oldest is safe: they were written before that last page was asked for, so it
 * holds them.
 */
export function bufferLiveLine(
  buffer: readonly RunLogLine[],
  line: RunLogLine,
  max = MAX_LOG_LINES,
): RunLogLine[] {
  const next = [...buffer, line];
  return next.length > max ? next.slice(next.length - max) : next;
}

/** "09:14:03", the time of day of a line in the viewer's zone. */
export function formatLogTime(iso: string, locale?: string): string {
  const t = new Date(iso);
  if (Number.isNaN(t.getTime())) return '';
  return t.toLocaleTimeString(locale ?? 'en-GB', {
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hour12: false,
  });
}

/** The log view's whole state: what is shown, live lines waiting for the pages, and paging. */
export interface LogState {
  readonly view: LogView;
  readonly buffer: readonly RunLogLine[];
  /** The pages reached the end of what the server had; live lines now go straight to the view. */
  readonly caughtUp: boolean;
  /** `after` for the next page (undefined: from the start). */
  readonly next: number | undefined;
}

export const INITIAL_LOG_STATE: LogState = { view: EMPTY_LOG, buffer: [], caughtUp: false, next: undefined };

export type LogAction =
  | {
      readonly type: 'page';
      readonly lines: readonly RunLogLine[];
      readonly nextAfter: number | null;
      readonly limit: number;
    }
  | { readonly type: 'live'; readonly line: RunLogLine };

/**
 * A page ends the catching up when the server says there is nothing after it (`nextAfter` null) or
 * it came back short of the limit; the live lines heard meanwhile then follow it (duplicates dropped).
 */
export function logReducer(state: LogState, action: LogAction, max: number = MAX_LOG_LINES): LogState {
  if (action.type === 'live') {
    if (state.caughtUp) return { ...state, view: appendLogLines(state.view, [action.line], max) };
    return { ...state, buffer: bufferLiveLine(state.buffer, action.line, max) };
  }
  const view = appendLogLines(state.view, action.lines, max);
  const done = action.nextAfter === null || action.lines.length < action.limit;
  if (!done) return { ...state, view, next: action.nextAfter ?? view.lastSeq ?? undefined };
  return {
    view: appendLogLines(view, state.buffer, max),
    buffer: [],
    caughtUp: true,
    next: view.lastSeq ?? undefined,
  };
}
