import { randomBytes } from 'node:crypto';
import type { Selectable } from 'kysely';
import type { OrganisationId } from '../policies/tenant.js';
import type {
  ReportDeliveriesTable,
  ReportDeliveryStatus,
  ReportSubscriptionsTable,
} from '../store/database.types.js';
import type { Store } from '../store/store.js';

export type SubscriptionRow = Selectable<ReportSubscriptionsTable>;
export type DeliveryRow = Selectable<ReportDeliveriesTable>;

/** Random ids, checked before any lookup: never a counter another organisation could walk. */
export const SUBSCRIPTION_ID = /^sub_[A-Za-z0-9_-]{22}$/;
export const DELIVERY_ID = /^dlv_[A-Za-z0-9_-]{22}$/;
export const newSubscriptionId = () => `sub_${randomBytes(16).toString('base64url')}`;
export const newDeliveryId = () => `dlv_${randomBytes(16).toString('base64url')}`;

/** Deliveries listed per subscription (newest first). */
export const DELIVERIES_LISTED = 50;

/**
 * The `report_subscriptions` and `report_deliveries` tables (docs/exports.md, "Scheduled reports").
 * Every read by a member names the organisation; the scheduler and the worker read by id or by due
 * time (ids come from their own queue).
 */
export class ReportSubscriptions {
  constructor(private readonly store: Store) {}

  async create(row: SubscriptionRow): Promise<void> {
    await this.store.db.insertInto('report_subscriptions').values(row).execute();
  }

  async find(organisation: OrganisationId, id: string): Promise<SubscriptionRow | undefined> {
    if (!SUBSCRIPTION_ID.test(id)) return undefined;
    return this.store.db
      .selectFrom('report_subscriptions')
      .selectAll()
      .where('organisation_id', '=', organisation)
      .where('id', '=', id)
      .executeTakeFirst();
  }

  async byId(id: string): Promise<SubscriptionRow | undefined> {
    return this.store.db
      .selectFrom('report_subscriptions')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
  }

  /** `user` undefined: the organisation's (admins). */
  async list(organisation: OrganisationId, user: string | undefined): Promise<SubscriptionRow[]> {
    let q = this.store.db
      .selectFrom('report_subscriptions')
      .selectAll()
      .where('organisation_id', '=', organisation);
    if (user !== undefined) q = q.where('user_id', '=', user);
    return q.orderBy('created_at', 'desc').orderBy('id').limit(200).execute();
  }

  async countOwn(organisation: OrganisationId, user: string): Promise<number> {
    const r = await this.store.db
      .selectFrom('report_subscriptions')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('organisation_id', '=', organisation)
      .where('user_id', '=', user)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  async setStatus(
    organisation: OrganisationId,
    id: string,
    status: 'active' | 'paused',
    nextRunAt: number | null,
    now: number,
  ): Promise<void> {
    await this.store.db
      .updateTable('report_subscriptions')
      .set({ status, next_run_at: nextRunAt, updated_at: now })
      .where('organisation_id', '=', organisation)
      .where('id', '=', id)
      .execute();
  }

  /** Deletes the subscription and its delivery log. */
  async remove(organisation: OrganisationId, id: string): Promise<void> {
    await this.store.db.transaction().execute(async (tx) => {
      await tx
        .deleteFrom('report_deliveries')
        .where('organisation_id', '=', organisation)
        .where('subscription_id', '=', id)
        .execute();
      await tx
        .deleteFrom('report_subscriptions')
        .where('organisation_id', '=', organisation)
        .where('id', '=', id)
        .execute();
    });
  }

  /** Active subscriptions whose tick has come (oldest first, at most `limit`). */
  async due(now: number, limit: number): Promise<SubscriptionRow[]> {
    return this.store.db
      .selectFrom('report_subscriptions')
      .selectAll()
      .where('status', '=', 'active')
      .where('next_run_at', '<=', now)
      .orderBy('next_run_at')
      .limit(limit)
      .execute();
  }

  /**
   * One tick of a subscription → one delivery row, committed before anything is sent, and the
   * subscription moved on to its next tick — in one transaction, only if nobody moved it first
   * (compare-and-set on `next_run_at`). The delivery, new or already there, is returned.
   */
  async claimTick(
    sub: SubscriptionRow,
    nextRunAt: number | null,
    now: number,
  ): Promise<DeliveryRow | undefined> {
    const tick = Number(sub.next_run_at);
    const key = `${sub.id}:${new Date(tick).toISOString()}`;
    return this.store.db.transaction().execute(async (tx) => {
      const moved = await tx
        .updateTable('report_subscriptions')
        .set({ next_run_at: nextRunAt, updated_at: now })
        .where('id', '=', sub.id)
        .where('status', '=', 'active')
        .where('next_run_at', '=', tick)
        .executeTakeFirst();
      if (Number(moved.numUpdatedRows) !== 1) return undefined;
      const existing = await tx
        .selectFrom('report_deliveries')
        .selectAll()
        .where('idempotency_key', '=', key)
        .executeTakeFirst();
      if (existing) return existing;
      const row: DeliveryRow = {
        id: newDeliveryId(),
        subscription_id: sub.id,
        organisation_id: sub.organisation_id,
        idempotency_key: key,
        tick,
        status: 'pending',
        attempts: 0,
        error_code: null,
        bytes: null,
        created_at: now,
        updated_at: now,
        sent_at: null,
      };
      await tx.insertInto('report_deliveries').values(row).execute();
      return row;
    });
  }

  async delivery(id: string): Promise<DeliveryRow | undefined> {
    if (!DELIVERY_ID.test(id)) return undefined;
    return this.store.db.selectFrom('report_deliveries').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async deliveries(organisation: OrganisationId, subscription: string): Promise<DeliveryRow[]> {
    return this.store.db
      .selectFrom('report_deliveries')
      .selectAll()
      .where('organisation_id', '=', organisation)
      .where('subscription_id', '=', subscription)
      .orderBy('created_at', 'desc')
      .orderBy('id')
      .limit(DELIVERIES_LISTED)
      .execute();
  }

  /** Deliveries not finished and not touched for `olderThanMs`: their job may be gone (re-enqueued). */
  async stale(now: number, olderThanMs: number, limit: number): Promise<DeliveryRow[]> {
    return this.store.db
      .selectFrom('report_deliveries')
      .selectAll()
      .where('status', 'in', ['pending', 'sending'])
      .where('updated_at', '<', now - olderThanMs)
      .limit(limit)
      .execute();
  }

  /** pending/sending → sending, one more attempt: committed before the message leaves. */
  async markSending(id: string, now: number): Promise<boolean> {
    const r = await this.store.db
      .updateTable('report_deliveries')
      .set((eb) => ({ status: 'sending', attempts: eb('attempts', '+', 1), updated_at: now }))
      .where('id', '=', id)
      .where('status', 'in', ['pending', 'sending'])
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async finish(
    id: string,
    status: Extract<ReportDeliveryStatus, 'sent' | 'failed'>,
    detail: { errorCode?: string | null; bytes?: number | null },
    now: number,
  ): Promise<void> {
    await this.store.db
      .updateTable('report_deliveries')
      .set({
        status,
        error_code: detail.errorCode ?? null,
        bytes: detail.bytes ?? null,
        updated_at: now,
        ...(status === 'sent' ? { sent_at: now } : {}),
      })
      .where('id', '=', id)
      .where('status', 'in', ['pending', 'sending'])
      .execute();
  }

  /** Records a failed attempt that will be retried (the log shows the last error meanwhile). */
  async attemptFailed(id: string, errorCode: string, now: number): Promise<void> {
    await this.store.db
      .updateTable('report_deliveries')
      .set({ error_code: errorCode, updated_at: now })
      .where('id', '=', id)
      .execute();
  }
}
