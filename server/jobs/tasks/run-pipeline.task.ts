import { z } from 'zod';
import type { JobOptions } from '../queue.js';
import { Task, type TaskContext } from '../task.js';

export type RunPipelinePayload = { readonly runId: string };

/** Performs a run (the executor); the runs service binds it when the worker starts. */
export type RunExecutorFn = (runId: string, context: TaskContext) => Promise<void>;

/**
 * Runs one pipeline run, given its id only (the run row holds everything else). Idempotent: a run
 * already finished is left alone, a run interrupted by a dead worker is resumed (the pipeline picks
 * up from its own checkpoint), a run released by a shutdown goes back to the queue untouched.
 * Attempts are generous because a killed worker uses one up; pipeline failures end the run instead
 * of retrying it (the pipeline retries its own requests).
 */
export class RunPipelineTask extends Task<RunPipelinePayload> {
  readonly name = 'run-pipeline';
  protected readonly schema = z.object({ runId: z.string().min(1).max(100) }).strict();
  private executor: RunExecutorFn | undefined;
  private timeoutMs = 6 * 3_600_000;

  protected override defaults(): JobOptions {
    return { attempts: 10, priority: 50, backoffMs: 2_000, timeoutMs: this.timeoutMs };
  }

  bind(executor: RunExecutorFn): void {
    this.executor = executor;
  }

  /** The longest a run may take (TRELLIS_JOB_TIMEOUT); past it the run fails with JOB_TIMEOUT. */
  setTimeout(timeoutMs: number): void {
    this.timeoutMs = timeoutMs;
  }

  perform(payload: RunPipelinePayload, context: TaskContext): Promise<void> {
    if (!this.executor) return Promise.reject(new Error('run-pipeline: no executor in this process'));
    return this.executor(payload.runId, context);
  }
}
