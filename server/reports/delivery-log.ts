import type { Store } from '../store/store.js';

/**
 * The tables that log one outgoing message each (an alert's notification, a report's delivery). They
 * share the columns this module touches — `status` (pending → sending → sent | failed), `attempts`,
 * `error_code`, `updated_at`, `sent_at` — so one set of statements serves both; the table name comes
 * from this union, never from input.
 */
export type DeliveryLogTable = 'alert_events' | 'report_deliveries';

/** A delivery not touched this long while pending or sending has lost its job: enqueued again. */
export const STALE_DELIVERY_MS = 10 * 60_000;

/** The columns every delivery log row has (what the loop reads). */
export interface DeliveryLogRow {
  readonly id: string;
  readonly status: string;
  readonly updated_at: number;
}

/**
 * The delivery log's state machine, written once for alerts and reports: a row is committed
 * `pending` before its job; `markSending` commits one more attempt before the message leaves;
 * `finish` ends it (only from pending/sending, so a late duplicate job cannot overwrite it).
 */
export class DeliveryLog<Row extends DeliveryLogRow> {
  constructor(
    private readonly store: Store,
    private readonly table: DeliveryLogTable,
  ) {}

  // Both tables have the columns used below with the same types; Kysely types one table at a time,
  // so the statements are typed against one of them (the runtime name is `this.table`).
  private get name(): 'report_deliveries' {
    return this.table as 'report_deliveries';
  }

  async get(id: string): Promise<Row | undefined> {
    const row = await this.store.db.selectFrom(this.name).selectAll().where('id', '=', id).executeTakeFirst();
    return row as Row | undefined;
  }

  /** Rows not finished and not touched for `olderThanMs`: their job may be gone (re-enqueued). */
  async stale(now: number, olderThanMs: number, limit: number): Promise<Row[]> {
    const rows = await this.store.db
      .selectFrom(this.name)
      .selectAll()
      .where('status', 'in', ['pending', 'sending'])
      .where('updated_at', '<', now - olderThanMs)
      .limit(limit)
      .execute();
    return rows as Row[];
  }

  /** pending/sending → sending, one more attempt: committed before the message leaves. */
  async markSending(id: string, now: number): Promise<boolean> {
    const r = await this.store.db
      .updateTable(this.name)
      .set((eb) => ({ status: 'sending', attempts: eb('attempts', '+', 1), updated_at: now }))
      .where('id', '=', id)
      .where('status', 'in', ['pending', 'sending'])
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /** `bytes` only for a table that has the column (report deliveries). */
  async finish(
    id: string,
    status: 'sent' | 'failed',
    detail: { readonly errorCode?: string | null; readonly bytes?: number },
    now: number,
  ): Promise<void> {
    await this.store.db
      .updateTable(this.name)
      .set({
        status,
        error_code: detail.errorCode ?? null,
        updated_at: now,
        ...(detail.bytes !== undefined ? { bytes: detail.bytes } : {}),
        ...(status === 'sent' ? { sent_at: now } : {}),
      })
      .where('id', '=', id)
      .where('status', 'in', ['pending', 'sending'])
      .execute();
  }

  /** A failed attempt that will be retried (the log shows the last error meanwhile). */
  async attemptFailed(id: string, errorCode: string, now: number): Promise<void> {
    await this.store.db
      .updateTable(this.name)
      .set({ error_code: errorCode, updated_at: now })
      .where('id', '=', id)
      .execute();
  }
}
