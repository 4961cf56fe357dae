import { z } from 'zod';
import { runInputSpec, runInputsBody } from './run-inputs.js';

/**
 * The jobs API: the project's pipelines, their runs (history, live progress, logs) and the controls
 * (run now, cancel). Pipelines belong to one organisation (the `organisation` key of the pipeline
 * file); a caller sees and runs only their own organisation's. Times are ISO 8601; ids are opaque.
 */

export const runStatus = z.enum(['queued', 'running', 'succeeded', 'failed', 'cancelled']);
export type RunStatus = z.infer<typeof runStatus>;

export const runTrigger = z.enum(['manual', 'schedule', 'cli']);
export type RunTrigger = z.infer<typeof runTrigger>;

/** Where a run is: `done` of `total` units (pages, files or rows; `total` null while unknown). */
export const runProgress = z.object({
  done: z.number().int().nonnegative(),
  total: z.number().int().nonnegative().nullable(),
  unit: z.string(),
  /** Units per second over the run so far; null before the first unit. */
  ratePerSecond: z.number().nonnegative().nullable(),
  /** Seconds left at the current rate; null while the total or the rate is unknown. */
  etaSeconds: z.number().nonnegative().nullable(),
  message: z.string().nullable(),
  /** Enrichment runs: rows that ended `failed` in this run (what "Retry N failed rows" re-runs). */
  failed: z.number().int().nonnegative().optional(),
});
export type RunProgress = z.infer<typeof runProgress>;

export const runError = z.object({ code: z.string(), message: z.string() });
export type RunError = z.infer<typeof runError>;

export const runSummary = z.object({
  id: z.string(),
  pipelineId: z.string(),
  status: runStatus,
  trigger: runTrigger,
  /** The email of who asked for it; null for schedules and the CLI. */
  requestedBy: z.string().nullable(),
  queuedAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  durationMs: z.number().int().nonnegative().nullable(),
  rowsWritten: z.number().int().nonnegative(),
  /** True once a cancel was asked for and the run has not stopped yet. */
  cancelRequested: z.boolean(),
  progress: runProgress,
  error: runError.nullable(),
  /** The inputs it was started with (validated: contract/run-inputs.ts); null when none. */
  inputs: z.record(z.string(), z.union([z.string(), z.number(), z.array(z.string())])).nullable(),
  /** The run whose failed rows this one re-runs (`retryFailedOf`); null for any other run. */
  retryOf: z.string().nullable(),
});
export type RunSummary = z.infer<typeof runSummary>;

/** GET /api/v1/pipelines (dashboards:read): the organisation's pipelines. */
export const pipelineSummary = z.object({
  id: z.string(),
  title: z.string(),
  type: z.enum(['http', 'file', 'enrich']),
  /** The cron expression from the pipeline file, or null when it only runs on demand. */
  schedule: z.string().nullable(),
  nextRunAt: z.string().nullable(),
  /** Dataset ids that read what this pipeline writes (their dashboards show a refresh badge). */
  datasets: z.array(z.string()),
  lastRun: runSummary.nullable(),
  /** The queued or running run, if any. */
  activeRun: runSummary.nullable(),
  /** What a run asks for (the Jobs page's "Run with inputs…" form); empty when nothing. */
  inputs: z.array(runInputSpec),
});
export type PipelineSummary = z.infer<typeof pipelineSummary>;
export const pipelineList = z.object({ pipelines: z.array(pipelineSummary) });
export type PipelineList = z.infer<typeof pipelineList>;

/**
 * POST /api/v1/pipelines/:pipeline/runs (pipelines:run — editors and admins): starts a run (202 with
 * the run). While one is queued or running the answer is 409 PIPELINE_ALREADY_RUNNING, unless
 * `queueIfRunning` asks to queue this one behind it. Never two runs of one pipeline at once.
 */
export const startRunRequest = z
  .object({
    queueIfRunning: z.boolean().optional(),
    /** Values of the pipeline's declared inputs; problems come back as 400 PIPELINE_INPUTS_INVALID with one issue per input. */
    inputs: runInputsBody.optional(),
    /**
     * Re-run only the rows that are `failed` of this finished enrichment run (of the same pipeline
     * and organisation; another's is 404), with its inputs: `inputs` must then be left out.
     */
    retryFailedOf: z.string().min(1).max(100).optional(),
  })
  .strict();
export type StartRunRequest = z.infer<typeof startRunRequest>;

/** GET /api/v1/pipelines/:pipeline/runs?limit=&cursor= (dashboards:read): newest first. */
export const runList = z.object({ runs: z.array(runSummary), nextCursor: z.string().nullable() });
export type RunList = z.infer<typeof runList>;

/** GET /api/v1/runs/:run (dashboards:read). POST /api/v1/runs/:run/cancel (pipelines:run) → 202 run. */

export const runLogLine = z.object({
  seq: z.number().int().nonnegative(),
  at: z.string(),
  level: z.enum(['info', 'warn', 'error']),
  message: z.string(),
});
export type RunLogLine = z.infer<typeof runLogLine>;
/** GET /api/v1/runs/:run/logs?after=SEQ&limit= (dashboards:read): in order, bounded per page. */
export const runLogPage = z.object({ lines: z.array(runLogLine), nextAfter: z.number().int().nullable() });
export type RunLogPage = z.infer<typeof runLogPage>;

/**
 * GET /api/v1/runs/events (dashboards:read): server-sent events for the caller's organisation.
 * `run` carries a RunSummary whenever a run is queued, makes progress (at most a few per second),
 * or finishes; `log` carries a RunLogEvent. The stream is bounded like the dashboard stream.
 */
export const runLogEvent = z.object({ runId: z.string(), line: runLogLine });
export type RunLogEvent = z.infer<typeof runLogEvent>;
