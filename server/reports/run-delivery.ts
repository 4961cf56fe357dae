import { ERROR_CATALOGUE, TrellisError, type ErrorCode } from '../errors.js';
import { ReleaseJob, WorkerStopping } from '../jobs/queue.js';
import type { TaskContext } from '../jobs/task.js';
import type { DeliveryLog, DeliveryLogRow } from './delivery-log.js';

/** How an attempt ended: sent, failed for good, or failed and to be retried by the queue. */
export type DeliveryResult = 'sent' | 'failed' | 'retry';

export interface DeliverySteps<Prepared> {
  readonly log: DeliveryLog<DeliveryLogRow>;
  readonly id: string;
  readonly context: TaskContext;
  readonly now: () => number;
  readonly logger: { warn(obj: object, msg?: string): void };
  /** What failed, for the log line ("alert notification failed"). */
  readonly what: string;
  /** Everything before the message may leave (target checks, rendering): nothing is committed yet. */
  prepare(): Promise<Prepared>;
  /** Sends the message (after `sending` is committed). */
  send(prepared: Prepared): Promise<void>;
  /** The report's size, recorded with `sent`. */
  bytes?(prepared: Prepared): number;
  /** Metrics and audit of the outcome (after the row is updated). */
  settled(result: DeliveryResult, errorCode: string | null, prepared: Prepared | undefined): Promise<void>;
}

/**
 * One delivery attempt on the worker, the same for alerts and reports. The row is marked `sending`
 * (committed), the message goes out carrying the row's id (Message-ID / `X-Trellis-Delivery`), and
 * the row is marked `sent`. A worker killed before the SMTP server's final reply leaves a row the
 * next attempt sends again — the server never accepted the first — so the recipient gets one
 * message. A refusal (status < 500) or the last attempt ends the row `failed`; anything else is
 * recorded and rethrown for the queue's backoff; a stopping worker releases the job untouched.
 */
export async function runDelivery<Prepared>(steps: DeliverySteps<Prepared>): Promise<void> {
  const { log, id, context, now } = steps;
  let prepared: Prepared | undefined;
  try {
    prepared = await steps.prepare();
    if (!(await log.markSending(id, now()))) return;
    await steps.send(prepared);
    await log.finish(id, 'sent', steps.bytes ? { bytes: steps.bytes(prepared) } : {}, now());
    await steps.settled('sent', null, prepared);
  } catch (err) {
    const reason: unknown = context.signal.reason;
    if (context.signal.aborted && reason instanceof WorkerStopping)
      throw new ReleaseJob('the worker is stopping');
    const code: string = err instanceof TrellisError ? err.code : 'INTERNAL';
    // A refusal (gone, address forbidden, file too large) will not change on a retry.
    const final =
      (err instanceof TrellisError && err.status < 500) || context.job.attempt >= context.job.maxAttempts;
    if (!final) {
      await log.attemptFailed(id, code, now());
      await steps.settled('retry', code, prepared);
      throw err;
    }
    steps.logger.warn({ err, delivery: id }, steps.what);
    await log.finish(id, 'failed', { errorCode: code }, now());
    await steps.settled('failed', code, prepared);
  }
}

/** Whether a logged row still has a message to send (pending, or sending when a worker died). */
export function isOpen(row: DeliveryLogRow | undefined): row is DeliveryLogRow {
  return row !== undefined && (row.status === 'pending' || row.status === 'sending');
}

/** A logged error code as the member sees it: the catalogue's user-safe message. */
export function presentDeliveryError(
  code: string | null,
  fallback: string,
): { code: string; message: string } | null {
  if (!code) return null;
  return {
    code,
    message: code in ERROR_CATALOGUE ? ERROR_CATALOGUE[code as ErrorCode].message : fallback,
  };
}
