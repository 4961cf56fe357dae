import type {
  PipelineList,
  RunError,
  RunList,
  RunLogEvent,
  RunLogLine,
  RunProgress,
  RunSummary,
} from '../../../contract/index.js';

/**
 * The run event stream's payloads, checked by hand (as dashboard-updates.ts does: zod in the bundle
 * would probe `new Function`, which the CSP forbids), and how a `run` event updates what the page
 * already holds, so progress moves without asking the server again.
 */

type Json = Record<string, unknown>;

const STATUSES = new Set(['queued', 'running', 'succeeded', 'failed', 'cancelled']);
const TRIGGERS = new Set(['manual', 'schedule', 'cli']);
const LEVELS = new Set(['info', 'warn', 'error']);

function parseJson(data: unknown): Json | undefined {
  if (typeof data !== 'string') return undefined;
  try {
    const json: unknown = JSON.parse(data);
    return typeof json === 'object' && json !== null && !Array.isArray(json) ? (json as Json) : undefined;
  } catch {
    return undefined;
  }
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;
const isNonNegative = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;
const isStringOrNull = (v: unknown): v is string | null => v === null || typeof v === 'string';
const isCountOrNull = (v: unknown): v is number | null => v === null || isCount(v);
const isNonNegativeOrNull = (v: unknown): v is number | null => v === null || isNonNegative(v);

function asProgress(v: unknown): RunProgress | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const p = v as Json;
  if (
    !isCount(p.done) ||
    !isCountOrNull(p.total) ||
    typeof p.unit !== 'string' ||
    !isNonNegativeOrNull(p.ratePerSecond) ||
    !isNonNegativeOrNull(p.etaSeconds) ||
    !isStringOrNull(p.message)
  )
    return undefined;
  return {
    done: p.done,
    total: p.total,
    unit: p.unit,
    ratePerSecond: p.ratePerSecond,
    etaSeconds: p.etaSeconds,
    message: p.message,
    // Enrichment runs only; anything but a count is left out.
    ...(isCount(p.failed) ? { failed: p.failed } : {}),
  };
}

function asError(v: unknown): RunError | null | undefined {
  if (v === null) return null;
  if (typeof v !== 'object') return undefined;
  const e = v as Json;
  return typeof e.code === 'string' && typeof e.message === 'string'
    ? { code: e.code, message: e.message }
    : undefined;
}

/** A RunSummary from a `run` event's data, or undefined when it is not one (never trusted blindly). */
export function parseRunEvent(data: unknown): RunSummary | undefined {
  const r = parseJson(data);
  if (!r) return undefined;
  const progress = asProgress(r.progress);
  const error = asError(r.error);
  if (
    typeof r.id !== 'string' ||
    typeof r.pipelineId !== 'string' ||
    typeof r.status !== 'string' ||
    !STATUSES.has(r.status) ||
    typeof r.trigger !== 'string' ||
    !TRIGGERS.has(r.trigger) ||
    !isStringOrNull(r.requestedBy) ||
    typeof r.queuedAt !== 'string' ||
    !isStringOrNull(r.startedAt) ||
    !isStringOrNull(r.finishedAt) ||
    !isCountOrNull(r.durationMs) ||
    !isCount(r.rowsWritten) ||
    typeof r.cancelRequested !== 'boolean' ||
    !progress ||
    error === undefined
  )
    return undefined;
  return {
    id: r.id,
    pipelineId: r.pipelineId,
    status: r.status as RunSummary['status'],
    trigger: r.trigger as RunSummary['trigger'],
    requestedBy: r.requestedBy,
    queuedAt: r.queuedAt,
    startedAt: r.startedAt,
    finishedAt: r.finishedAt,
    durationMs: r.durationMs,
    rowsWritten: r.rowsWritten,
    cancelRequested: r.cancelRequested,
    progress,
    error,
    inputs: parseInputs(r.inputs),
    retryOf: typeof r.retryOf === 'string' ? r.retryOf : null,
  };
}

/** A run's stored inputs as the stream sends them; anything else shows as none. */
function parseInputs(v: unknown): RunSummary['inputs'] {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return null;
  const ok = Object.values(v).every(
    (x) =>
      typeof x === 'string' ||
      typeof x === 'number' ||
      (Array.isArray(x) && x.every((k) => typeof k === 'string')),
  );
  return ok ? (v as RunSummary['inputs']) : null;
}

function asLogLine(v: unknown): RunLogLine | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const l = v as Json;
  if (!isCount(l.seq) || typeof l.at !== 'string' || typeof l.message !== 'string') return undefined;
  if (typeof l.level !== 'string' || !LEVELS.has(l.level)) return undefined;
  return { seq: l.seq, at: l.at, level: l.level as RunLogLine['level'], message: l.message };
}

/** A RunLogEvent from a `log` event's data, or undefined. */
export function parseLogEvent(data: unknown): RunLogEvent | undefined {
  const e = parseJson(data);
  if (!e || typeof e.runId !== 'string') return undefined;
  const line = asLogLine(e.line);
  return line ? { runId: e.runId, line } : undefined;
}

const ACTIVE = new Set<RunSummary['status']>(['queued', 'running']);

/**
 * Whether `next` is news about a run we hold as `held`: events of one run can arrive out of order
 * (a retry, two instances), and a finished run never goes back to running.
 */
export function isNewer(held: RunSummary, next: RunSummary): boolean {
  if (held.id !== next.id) return true;
  if (!ACTIVE.has(held.status) && ACTIVE.has(next.status)) return false;
  if (ACTIVE.has(held.status) && !ACTIVE.has(next.status)) return true;
  if (held.status === 'queued' && next.status === 'running') return true;
  if (held.status === 'running' && next.status === 'queued') return false;
  // Within one status: progress only grows, and a cancel request is never taken back.
  return next.progress.done >= held.progress.done && (next.cancelRequested || !held.cancelRequested);
}

/**
 * The pipeline list after a `run` event: an active run becomes the pipeline's activeRun (a running
 * one wins over one queued behind it); a finished one becomes its lastRun and leaves activeRun. The
 * caller refetches the list after a finish to learn the server's view (a queued run now starting,
 * the next scheduled time).
 */
export function applyRunToPipelines(list: PipelineList, run: RunSummary): PipelineList {
  let changed = false;
  const pipelines = list.pipelines.map((p) => {
    if (p.id !== run.pipelineId) return p;
    if (ACTIVE.has(run.status)) {
      const held = p.activeRun;
      const take =
        !held ||
        (held.id === run.id ? isNewer(held, run) : held.status === 'queued' && run.status === 'running');
      if (!take) return p;
      changed = true;
      return { ...p, activeRun: run };
    }
    // A late event of an older run must not replace a newer last run.
    const last = p.lastRun;
    const newerLast = !last || last.id === run.id || (run.finishedAt ?? '') >= (last.finishedAt ?? '');
    const activeGone = p.activeRun?.id === run.id;
    if (!newerLast && !activeGone) return p;
    changed = true;
    return {
      ...p,
      ...(newerLast ? { lastRun: run } : {}),
      ...(activeGone ? { activeRun: null } : {}),
    };
  });
  return changed ? { pipelines } : list;
}

/** Pages of a pipeline's history after a `run` event: an update in place, or a new run on top. */
export function applyRunToHistory<P extends RunList>(pages: readonly P[], run: RunSummary): P[] {
  let found = false;
  const next = pages.map((page) => {
    if (!page.runs.some((r) => r.id === run.id)) return page;
    found = true;
    return { ...page, runs: page.runs.map((r) => (r.id === run.id && isNewer(r, run) ? run : r)) };
  });
  if (found) return next;
  const [first, ...rest] = next;
  if (!first) return next;
  return [{ ...first, runs: [run, ...first.runs] }, ...rest];
}
