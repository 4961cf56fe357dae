import { TrellisError } from '../errors.js';
import type { PipelineRunsTable } from '../store/database.types.js';
import type { PipelineRunContext, PipelineRunResult } from './pipeline-contract.js';
import type { Publications } from './publications.js';
import { JobTimedOut, ReleaseJob, WorkerStopping } from './queue.js';
import { RunJournal } from './run-journal.js';
import type { RunsService } from './runs.service.js';
import { parseInputs, runSummary } from './run-summary.js';
import type { TaskContext } from './task.js';

/** The abort reason of a run its user cancelled. */
export class RunCancelled extends Error {
  constructor() {
    super('the run was cancelled');
    this.name = 'RunCancelled';
  }
}

const HEARTBEAT_MS = 10_000;

export interface RunExecutorOptions {
  readonly runs: RunsService;
  readonly publications: Publications;
  /** How often a running run's cancel flag is read from the store (other processes cancel through it). */
  readonly cancelPollMs?: number;
  readonly onError: (err: unknown) => void;
  /** Told after each write, so the event stream of this process looks at once. */
  readonly onChange?: () => void;
}

/**
 * Performs a run for the run-pipeline task: marks it running, gives the pipeline a context (signal,
 * progress, log, published), and records the outcome. The signal aborts when the run is cancelled
 * (seen within `cancelPollMs`), the job times out, the worker shuts down or loses the job. A
 * shutdown hands the job back (ReleaseJob) with the run queued again, so the next worker resumes it
 * from the pipeline's checkpoint.
 */
export class RunExecutor {
  private readonly active = new Map<string, AbortController>();
  private readonly unsubscribe: () => void;
  private readonly cancelPollMs: number;

  constructor(private readonly options: RunExecutorOptions) {
    this.cancelPollMs = options.cancelPollMs ?? 200;
    this.unsubscribe = options.runs.onCancel((runId) => this.active.get(runId)?.abort(new RunCancelled()));
  }

  close(): void {
    this.unsubscribe();
  }

  async execute(runId: string, task: TaskContext): Promise<void> {
    const { runs } = this.options;
    const run = await this.claim(runId);
    if (!run) return; // finished, cancelled while queued, or waiting behind another run
    const controller = new AbortController();
    const forward = () => controller.abort(task.signal.reason);
    if (task.signal.aborted) forward();
    else task.signal.addEventListener('abort', forward, { once: true });
    this.active.set(runId, controller);
    const watcher = setInterval(() => void this.pollCancel(runId, controller), this.cancelPollMs);
    // Alive: a run left untouched for STALE_RUN_MS is taken for one whose workers all died.
    const alive = setInterval(() => void this.touch(runId), HEARTBEAT_MS);
    const lines = await this.logLines(runId);
    const journal = new RunJournal(
      runs.store,
      runId,
      lines,
      this.options.onError,
      () => this.options.onChange?.(),
      runSummary(run).progress,
      runs.now,
    );
    const resumed = run.started_at !== null && lines > 0;
    journal.log('info', resumed ? `Resumed (attempt ${task.job.attempt}).` : 'Started.');
    if (run.cancel_requested === 1) controller.abort(new RunCancelled());
    const context: PipelineRunContext = {
      runId,
      trigger: run.trigger,
      ...(run.inputs === null ? {} : { inputs: parseInputs(run.inputs) ?? {} }),
      // A retry of a run's failed rows takes only the rows that are `failed` (with that run's inputs).
      ...(run.retry_of ? { rows: 'failed' as const } : {}),
      signal: controller.signal,
      progress: (p) => journal.progress(p),
      log: (level, message) => journal.log(level, message),
      published: (datasets) => this.options.publications.publish(datasets),
    };
    let result: PipelineRunResult | undefined;
    let failure: unknown;
    try {
      result = await runs.pipelines.run(run.pipeline_id, context);
    } catch (err) {
      failure = err;
    } finally {
      clearInterval(watcher);
      clearInterval(alive);
      task.signal.removeEventListener('abort', forward);
      this.active.delete(runId);
    }
    const reason: unknown = controller.signal.aborted ? controller.signal.reason : undefined;
    if (reason instanceof WorkerStopping) {
      journal.log('warn', 'Interrupted by a server shutdown; it resumes from its last checkpoint.');
      await journal.flush();
      await runs.store.db
        .updateTable('pipeline_runs')
        .set((eb) => ({ status: 'queued', version: eb('version', '+', 1), updated_at: runs.now() }))
        .where('id', '=', runId)
        .where('status', '=', 'running')
        .execute();
      this.options.onChange?.();
      throw new ReleaseJob('shutdown');
    }
    if (reason !== undefined && !(reason instanceof RunCancelled) && !(reason instanceof JobTimedOut)) {
      // Lost the job to another worker (lease): that worker records the outcome.
      await journal.flush();
      throw reason instanceof Error ? reason : new Error(String(reason));
    }
    if (reason instanceof RunCancelled) {
      journal.log('warn', 'Cancelled.');
      await journal.flush();
      return runs.finish(runId, {
        status: 'cancelled',
        ...(result ? { rowsWritten: result.rowsWritten } : {}),
      });
    }
    if (reason instanceof JobTimedOut) {
      const err = new TrellisError('JOB_TIMEOUT');
      journal.log('error', `${err.message} (after ${Math.round(reason.timeoutMs / 1000)} s)`);
      await journal.flush();
      return runs.finish(runId, { status: 'failed', error: { code: err.code, message: err.message } });
    }
    if (failure !== undefined || !result) {
      const safe =
        failure instanceof TrellisError ? failure : new TrellisError('PIPELINE_FAILED', { cause: failure });
      if (!(failure instanceof TrellisError)) this.options.onError(failure);
      journal.log('error', `Failed: ${safe.message}`);
      await journal.flush();
      return runs.finish(runId, { status: 'failed', error: { code: safe.code, message: safe.message } });
    }
    journal.log(
      'info',
      result.outcome === 'succeeded'
        ? `Succeeded: ${result.rowsWritten.toLocaleString('en')} rows written.`
        : 'Stopped by the pipeline.',
    );
    await journal.flush();
    await runs.finish(runId, {
      status: result.outcome === 'succeeded' ? 'succeeded' : 'cancelled',
      rowsWritten: result.rowsWritten,
    });
  }

  /** Marks the run running if it is the pipeline's active one; undefined if there is nothing to do. */
  private async claim(runId: string): Promise<PipelineRunsTable | undefined> {
    const { runs } = this.options;
    const now = runs.now();
    const current = await runs.byId(runId);
    if (!current || current.lock_key === null) return undefined;
    if (current.status !== 'queued' && current.status !== 'running') return undefined;
    const r = await runs.store.db
      .updateTable('pipeline_runs')
      .set((eb) => ({
        status: 'running',
        started_at: current.started_at ?? now,
        version: eb('version', '+', 1),
        updated_at: now,
      }))
      .where('id', '=', runId)
      .where('status', 'in', ['queued', 'running'])
      .where('lock_key', 'is not', null)
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) !== 1) return undefined;
    this.options.onChange?.();
    return runs.byId(runId);
  }

  private async logLines(runId: string): Promise<number> {
    const r = await this.options.runs.store.db
      .selectFrom('pipeline_run_logs')
      .select((eb) => eb.fn.max('seq').as('n'))
      .where('run_id', '=', runId)
      .executeTakeFirst();
    return Number(r?.n ?? 0);
  }

  private async touch(runId: string): Promise<void> {
    try {
      await this.options.runs.store.db
        .updateTable('pipeline_runs')
        .set({ updated_at: this.options.runs.now() })
        .where('id', '=', runId)
        .where('status', '=', 'running')
        .execute();
    } catch (err) {
      this.options.onError(err);
    }
  }

  private async pollCancel(runId: string, controller: AbortController): Promise<void> {
    if (controller.signal.aborted) return;
    try {
      const row = await this.options.runs.store.db
        .selectFrom('pipeline_runs')
        .select('cancel_requested')
        .where('id', '=', runId)
        .executeTakeFirst();
      if (row?.cancel_requested === 1) controller.abort(new RunCancelled());
    } catch (err) {
      this.options.onError(err);
    }
  }
}
