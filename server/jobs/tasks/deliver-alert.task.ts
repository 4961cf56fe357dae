import { z } from 'zod';
import type { JobOptions } from '../queue.js';
import { Task, type TaskContext } from '../task.js';

export type DeliverAlertPayload = { readonly eventId: string };

/** Sends one alert notification (the alerts service); bound when the app is built. */
export type DeliverAlertFn = (eventId: string, context: TaskContext) => Promise<void>;

/**
 * One alert notification, given the id of its `alert_events` row (committed with the state change,
 * before the job). Idempotent: a sent or failed notification is left alone; see the alerts service for
 * the exactly-once argument. Failures are retried with the queue's backoff (5 tries), then shown.
 */
export class DeliverAlertTask extends Task<DeliverAlertPayload> {
  readonly name = 'deliver-alert';
  protected readonly schema = z.object({ eventId: z.string().min(1).max(100) }).strict();
  private executor: DeliverAlertFn | undefined;

  constructor(private readonly timeoutMs: number) {
    super();
  }

  protected override defaults(): JobOptions {
    return { attempts: 5, priority: 70, backoffMs: 5_000, timeoutMs: this.timeoutMs };
  }

  bind(executor: DeliverAlertFn): void {
    this.executor = executor;
  }

  perform(payload: DeliverAlertPayload, context: TaskContext): Promise<void> {
    if (!this.executor) return Promise.reject(new Error('deliver-alert: no executor in this process'));
    return this.executor(payload.eventId, context);
  }
}
