import type { RunTrigger } from '../../contract/jobs.schema.js';
import type { RunInputSpec, RunInputValues } from '../../contract/run-inputs.js';

/**
 * The seam between the job system (queue, runs, schedules, mutex, progress) and the pipelines
 * (what a run does: fetch, map, write, checkpoint, publish). The job system only knows this
 * interface; `jobs/pipelines/` implements it for the project's `pipelines/*.yaml`.
 */

export interface PipelineInfo {
  readonly id: string;
  readonly title: string;
  readonly type: 'http' | 'file' | 'enrich';
  /** The organisation slug the pipeline belongs to: only its members see and run it. */
  readonly organisation: string;
  /** Cron expression (5 fields, UTC) or null. */
  readonly schedule: string | null;
  /** Dataset ids that read the tables this pipeline writes. */
  readonly datasets: readonly string[];
  /** What a run asks for (`inputs:` of the file), in file order; empty: nothing. */
  readonly inputs?: readonly RunInputSpec[];
}

export interface PipelineProgress {
  readonly done: number;
  readonly total?: number | null;
  /** What `done` counts: 'pages', 'files', 'rows'. */
  readonly unit: string;
  readonly message?: string;
  /** Enrichment: the rows that ended `failed` in this run so far. */
  readonly failed?: number;
}

export interface PipelineRunContext {
  readonly runId: string;
  readonly trigger: RunTrigger;
  /** Enrich pipelines: which rows this run takes instead of the file's `enrich.rows` (re-run the failed ones). */
  readonly rows?: 'pending' | 'failed' | 'all';
  /** The run's inputs as started (validated against the pipeline's `inputs:`; checked again by the runner). */
  readonly inputs?: RunInputValues;
  /**
   * Fires when the run is cancelled or the worker shuts down. Pipelines check it between pages
   * (after a checkpoint) and stop promptly; a cancel must take effect within a second.
   */
  readonly signal: AbortSignal;
  /** Called as work advances; the job system throttles what it stores and pushes. */
  progress(progress: PipelineProgress): void;
  log(level: 'info' | 'warn' | 'error', message: string): void;
  /**
   * Called after data became visible to the server (a checkpointed publish or the final one), with
   * the datasets that read it: the job system invalidates them and tells the web processes.
   */
  published(datasets: readonly string[]): Promise<void>;
}

export interface PipelineRunResult {
  readonly outcome: 'succeeded' | 'cancelled';
  readonly rowsWritten: number;
}

/**
 * What the job system runs. `run` resolves with the outcome, or rejects with an AppError
 * (PIPELINE_FAILED and friends) whose message is safe to show to the organisation's members.
 * A run that is interrupted (crash, kill) and started again resumes from its last checkpoint.
 */
export interface PipelineRunner {
  list(): readonly PipelineInfo[];
  run(pipelineId: string, context: PipelineRunContext): Promise<PipelineRunResult>;
}

/** A project without pipelines. */
export const NO_PIPELINES: PipelineRunner = {
  list: () => [],
  run: (pipelineId) => Promise.reject(new Error(`No pipeline "${pipelineId}" in this project.`)),
};
