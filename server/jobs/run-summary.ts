import type { RunLogLine, RunProgress, RunSummary } from '../../contract/jobs.schema.js';
import type { PipelineRunLogsTable, PipelineRunsTable } from '../store/database.types.js';

/** What the `progress` column holds: the contract's RunProgress. */
export const EMPTY_PROGRESS: RunProgress = {
  done: 0,
  total: null,
  unit: 'pages',
  ratePerSecond: null,
  etaSeconds: null,
  message: null,
};

const iso = (ms: number | null) => (ms === null ? null : new Date(Number(ms)).toISOString());

/** A runs row as the API shows it. */
export function runSummary(row: PipelineRunsTable): RunSummary {
  const started = row.started_at === null ? null : Number(row.started_at);
  const finished = row.finished_at === null ? null : Number(row.finished_at);
  return {
    id: row.id,
    pipelineId: row.pipeline_id,
    status: row.status,
    trigger: row.trigger,
    requestedBy: row.requested_by,
    queuedAt: iso(row.queued_at) ?? '',
    startedAt: iso(started),
    finishedAt: iso(finished),
    durationMs: started !== null && finished !== null ? Math.max(0, finished - started) : null,
    rowsWritten: Number(row.rows_written),
    cancelRequested: row.cancel_requested === 1 && (row.status === 'queued' || row.status === 'running'),
    progress: parseProgress(row.progress),
    error: row.error_code === null ? null : { code: row.error_code, message: row.error_message ?? '' },
    inputs: parseInputs(row.inputs),
    retryOf: row.retry_of ?? null,
  };
}

/** The stored inputs (validated JSON written by RunsService.start), or null. */
export function parseInputs(
  text: string | null | undefined,
): Record<string, string | number | string[]> | null {
  if (text === null || text === undefined) return null;
  try {
    const v = JSON.parse(text) as unknown;
    return v !== null && typeof v === 'object' && !Array.isArray(v)
      ? (v as Record<string, string | number | string[]>)
      : null;
  } catch {
    // Written only by the server from validated values; a damaged one shows as none.
    return null;
  }
}

function parseProgress(text: string): RunProgress {
  try {
    return { ...EMPTY_PROGRESS, ...(JSON.parse(text) as Partial<RunProgress>) };
  } catch {
    // A progress value is advisory; a damaged one shows as none rather than failing the page.
    return EMPTY_PROGRESS;
  }
}

export function logLine(row: Pick<PipelineRunLogsTable, 'seq' | 'at' | 'level' | 'message'>): RunLogLine {
  return { seq: row.seq, at: iso(Number(row.at)) ?? '', level: row.level, message: row.message };
}
