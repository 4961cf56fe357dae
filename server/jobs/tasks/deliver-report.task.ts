import { z } from 'zod';
import type { JobOptions } from '../queue.js';
import { Task, type TaskContext } from '../task.js';

export type DeliverReportPayload = { readonly deliveryId: string };

/** Sends one delivery of a scheduled report (the report subscriptions service); bound when the app is built. */
export type DeliverReportFn = (deliveryId: string, context: TaskContext) => Promise<void>;

/**
 * One scheduled report delivery, given the id of its `report_deliveries` row (committed before the
 * job). Idempotent: a sent or failed delivery is left alone; see the service for the exactly-once
 * argument. Failures are retried with the queue's backoff (5 tries), then shown as failed.
 */
export class DeliverReportTask extends Task<DeliverReportPayload> {
  readonly name = 'deliver-report';
  protected readonly schema = z.object({ deliveryId: z.string().min(1).max(100) }).strict();
  private executor: DeliverReportFn | undefined;

  constructor(private readonly timeoutMs: number) {
    super();
  }

  protected override defaults(): JobOptions {
    return { attempts: 5, priority: 70, backoffMs: 5_000, timeoutMs: this.timeoutMs };
  }

  bind(executor: DeliverReportFn): void {
    this.executor = executor;
  }

  perform(payload: DeliverReportPayload, context: TaskContext): Promise<void> {
    if (!this.executor) return Promise.reject(new Error('deliver-report: no executor in this process'));
    return this.executor(payload.deliveryId, context);
  }
}
