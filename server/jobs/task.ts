import type { z } from 'zod';
import type {
  EnqueueResult,
  JobContext,
  JobHandler,
  JobOptions,
  JobPayload,
  Queue,
  QueuedJob,
} from './queue.js';

/**
 * The base of every background task (docs/jobs.md): one file per task in tasks/, each with a
 * name, a zod schema for its payload (ids, not rows), default job options, and `perform`. Enqueueing
 * goes through the task, so a payload is checked before it is stored; running parses it again, so a
 * job written by an older version fails clearly instead of half-working.
 */
export abstract class Task<P extends JobPayload> {
  abstract readonly name: string;
  protected abstract readonly schema: z.ZodType<P>;
  /** Defaults for every job of this task; `enqueue` may override them per job. */
  protected defaults(): JobOptions {
    return {};
  }

  abstract perform(payload: P, context: TaskContext): Promise<void>;

  enqueue(queue: Queue, payload: P, options: JobOptions = {}): Promise<EnqueueResult> {
    return queue.enqueue(this.name, this.schema.parse(payload), { ...this.defaults(), ...options });
  }

  /** Parses the stored payload and performs the task. */
  run(job: QueuedJob, context: JobContext): Promise<void> {
    const parsed = this.schema.safeParse(job.payload);
    if (!parsed.success)
      return Promise.reject(
        new Error(`job ${job.id} (${this.name}): payload does not fit: ${parsed.error.message}`),
      );
    return this.perform(parsed.data, { ...context, job });
  }
}

export interface TaskContext extends JobContext {
  readonly job: QueuedJob;
}

/** One handler for a worker: dispatches each job to its task by name. */
export function taskHandler(tasks: readonly Task<JobPayload>[]): JobHandler {
  const byName = new Map(tasks.map((t) => [t.name, t]));
  if (byName.size !== tasks.length) throw new Error('two tasks share a name');
  return (job, context) => {
    const task = byName.get(job.name);
    if (!task) return Promise.reject(new Error(`no task named "${job.name}" (job ${job.id})`));
    return task.run(job, context);
  };
}
