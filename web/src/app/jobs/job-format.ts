import { formatLocale } from '../../charts/value-format.js';
import type { RunProgress, RunStatus, RunSummary } from '../../../../contract/index.js';

/**
 * Formatting for the Jobs page and the run toasts: durations, rates, ETAs, progress and statuses.
 * Pure, with `now` and `locale` injectable for tests.
 */

/** "850 ms", "12.4 s", "3 min 05 s", "2 h 07 min"; "—" for no duration. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return '—';
  if (Math.round(ms) < 1000) return `${Math.round(ms)} ms`;
  const totalSeconds = ms / 1000;
  if (totalSeconds < 60) return `${totalSeconds.toFixed(1)} s`;
  const seconds = Math.floor(totalSeconds);
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${pad2(seconds % 60)} s`;
  return `${Math.floor(seconds / 3600)} h ${pad2(Math.floor((seconds % 3600) / 60))} min`;
}

/**
 * How long is left, in words: rounded up to the minute past one minute, because an ETA that
 * promises "2 min" and takes three reads as broken; null (total or rate unknown) is "estimating".
 */
export function formatEta(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds < 0)
    return 'estimating time left…';
  if (seconds < 1) return 'finishing…';
  if (seconds < 60) return 'less than a minute left';
  const minutes = Math.ceil(seconds / 60);
  if (minutes < 60) return `about ${minutes} min left`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest === 0 ? `about ${hours} h left` : `about ${hours} h ${rest} min left`;
}

/**
 * "1,250 pages/s", "3.5 pages/s", "12 pages/min": per second while it is at least one, per minute
 * below that (a slow, rate-limited API reads better as "30 pages/min" than "0.5 pages/s").
 */
export function formatRate(ratePerSecond: number | null | undefined, unit: string, locale?: string): string {
  if (ratePerSecond === null || ratePerSecond === undefined || !Number.isFinite(ratePerSecond)) return '—';
  if (ratePerSecond >= 10) return `${formatCount(Math.round(ratePerSecond), locale)} ${unit}/s`;
  if (ratePerSecond >= 1) return `${trimZero(ratePerSecond.toFixed(1))} ${unit}/s`;
  const perMinute = ratePerSecond * 60;
  if (perMinute >= 1) return `${trimZero(perMinute.toFixed(perMinute >= 10 ? 0 : 1))} ${unit}/min`;
  return ratePerSecond > 0 ? `under 1 ${unit}/min` : `0 ${unit}/s`;
}

/** Percent done (0–100), or null while the total is unknown (the bar shows an indeterminate state). */
export function progressPercent(progress: Pick<RunProgress, 'done' | 'total'>): number | null {
  if (progress.total === null || progress.total <= 0) return null;
  return Math.min(100, Math.max(0, (progress.done / progress.total) * 100));
}

/** "1,200 of 5,000 pages", or "1,200 pages" while the total is unknown. */
export function formatProgress(
  progress: Pick<RunProgress, 'done' | 'total' | 'unit'>,
  locale?: string,
): string {
  const done = formatCount(progress.done, locale);
  if (progress.total === null) return `${done} ${progress.unit}`;
  return `${done} of ${formatCount(progress.total, locale)} ${progress.unit}`;
}

export function formatCount(n: number, locale?: string): string {
  return new Intl.NumberFormat(locale ?? formatLocale(), { maximumFractionDigits: 0 }).format(n);
}

/** A run's own elapsed time: the server's duration once finished, counted from its start while running. */
export function runElapsedMs(
  run: Pick<RunSummary, 'durationMs' | 'startedAt' | 'finishedAt'>,
  now: Date = new Date(),
): number | null {
  if (run.durationMs !== null) return run.durationMs;
  if (!run.startedAt) return null;
  const started = Date.parse(run.startedAt);
  if (Number.isNaN(started)) return null;
  return Math.max(0, now.getTime() - started);
}

export const ACTIVE_STATUSES: readonly RunStatus[] = ['queued', 'running'];
export function isActive(status: RunStatus): boolean {
  return ACTIVE_STATUSES.includes(status);
}

/** The rows a finished enrichment run left `failed` (what "Retry N failed rows" re-runs); 0 otherwise. */
export function retryableFailedRows(run: Pick<RunSummary, 'status' | 'progress'>): number {
  return isActive(run.status) ? 0 : (run.progress.failed ?? 0);
}

/** The word on a run's badge; a run asked to stop says so until it has. */
/** The catalogue key of a run's status as the badges show it (app/i18n/messages: jobs.runStatus). */
export function runStatusKey(
  run: Pick<RunSummary, 'status' | 'cancelRequested'>,
): `jobs.runStatus.${RunStatus | 'cancelling'}` {
  return `jobs.runStatus.${run.cancelRequested && isActive(run.status) ? 'cancelling' : run.status}`;
}

export function runStatusLabel(run: Pick<RunSummary, 'status' | 'cancelRequested'>): string {
  if (run.cancelRequested && isActive(run.status)) return 'cancelling…';
  return run.status;
}

export interface RunToast {
  readonly kind: 'success' | 'error' | 'info';
  readonly title: string;
  readonly message: string;
}

/** The sentences of the run toasts, by key, with {{title}}, {{rows}} and {{time}} (the UI passes the catalogue's). */
export type RunToastKey =
  'finished' | 'finishedMessage' | 'failed' | 'failedNoMessage' | 'cancelled' | 'cancelledMessage';
export type RunToastWords = (
  key: RunToastKey,
  values: { title: string; rows: string; time: string; count: number },
) => string;

const RUN_TOAST_ENGLISH: RunToastWords = (key, v) =>
  ({
    finished: `${v.title} finished`,
    finishedMessage: `${v.rows} ${v.count === 1 ? 'row' : 'rows'} written in ${v.time}.`,
    failed: `${v.title} failed`,
    failedNoMessage: 'The run failed without a message.',
    cancelled: `${v.title} cancelled`,
    cancelledMessage: `Stopped by request after ${v.rows} ${v.count === 1 ? 'row' : 'rows'} written.`,
  })[key];

/**
 * What to tell the user when a run has finished (from the run events), or undefined while it is
 * still going. A failure carries the pipeline's own user-safe message.
 */
export function runFinishedToast(
  run: Pick<RunSummary, 'status' | 'rowsWritten' | 'durationMs' | 'error'>,
  pipelineTitle: string,
  locale?: string,
  say: RunToastWords = RUN_TOAST_ENGLISH,
): RunToast | undefined {
  const v = {
    title: pipelineTitle,
    rows: formatCount(run.rowsWritten, locale),
    count: run.rowsWritten,
    time: formatDuration(run.durationMs),
  };
  switch (run.status) {
    case 'succeeded':
      return { kind: 'success', title: say('finished', v), message: say('finishedMessage', v) };
    case 'failed':
      return {
        kind: 'error',
        title: say('failed', v),
        message: run.error?.message ?? say('failedNoMessage', v),
      };
    case 'cancelled':
      return { kind: 'info', title: say('cancelled', v), message: say('cancelledMessage', v) };
    default:
      return undefined;
  }
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

function trimZero(text: string): string {
  return text.endsWith('.0') ? text.slice(0, -2) : text;
}

/** A run's inputs on one line for its history: `keywords: data engineer · candidates: 12 keys`. */
export function formatRunInputs(inputs: Readonly<Record<string, string | number | string[]>> | null): string {
  if (inputs === null) return '—';
  const parts = Object.entries(inputs).map(([name, v]) => {
    const text = Array.isArray(v) ? (v.length <= 3 ? v.join(', ') : `${v.length} keys`) : String(v);
    return `${name}: ${text.length > 60 ? `${text.slice(0, 59)}…` : text}`;
  });
  return parts.length === 0 ? '—' : parts.join(' · ');
}
