import { z } from 'zod';
import { tenantId } from '../../query/plan.js';
import { TrellisError } from '../../errors.js';
import type { RunsService } from '../runs.service.js';
import { Task, type TaskContext } from '../task.js';

export type StartScheduledRunPayload = { readonly pipelineId: string; readonly tick: string };

/** The key of a schedule tick: the same on every instance, so each tick starts one run. */
export function scheduleKey(pipelineId: string, tickIso: string): string {
  return `schedule:${pipelineId}:${tickIso}`;
}

/**
 * Starts the run of one schedule tick. Enqueued by every scheduler with the tick's key, so it runs
 * once however many instances saw the tick; the run carries the key too. A tick that finds the
 * pipeline still running is skipped (logged), not queued: the next tick comes soon enough.
 */
export class StartScheduledRunTask extends Task<StartScheduledRunPayload> {
  readonly name = 'start-scheduled-run';
  protected readonly schema = z
    .object({ pipelineId: z.string().min(1).max(100), tick: z.iso.datetime() })
    .strict();

  constructor(
    private readonly runs: RunsService,
    private readonly onSkip: (pipelineId: string, tick: string) => void,
  ) {
    super();
  }

  protected override defaults() {
    return { attempts: 3, priority: 20, backoffMs: 1_000, timeoutMs: 60_000 };
  }

  async perform(payload: StartScheduledRunPayload, _context: TaskContext): Promise<void> {
    const pipeline = this.runs.pipelines.list().find((p) => p.id === payload.pipelineId);
    if (!pipeline) return; // removed from the project since the tick was enqueued
    try {
      await this.runs.start(
        // The project file names the pipeline's organisation: the operator's word, not a request's.
        tenantId(pipeline.organisation),
        pipeline.id,
        { trigger: 'schedule', requestedBy: null, idempotencyKey: scheduleKey(pipeline.id, payload.tick) },
        null,
      );
    } catch (err) {
      if (err instanceof TrellisError && err.code === 'PIPELINE_ALREADY_RUNNING')
        return this.onSkip(pipeline.id, payload.tick);
      throw err;
    }
  }
}
