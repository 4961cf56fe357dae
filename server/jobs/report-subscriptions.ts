import { randomBytes } from 'node:crypto';
import type { Selectable } from 'kysely';
import type { OrganisationId } from '../policies/tenant.js';
import { DeliveryLog } from '../reports/delivery-log.js';
import type { ReportDeliveriesTable, ReportSubscriptionsTable } from '../store/database.types.js';
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
  /** The deliveries' state (shared with alert notifications). */
  readonly log: DeliveryLog<DeliveryRow>;

  constructor(private readonly store: Store) {
    this.log = new DeliveryLog(store, 'report_deliveries');
  }

  /** One delivery by id (ids from the worker's own queue); its id shape checked first. */
  async delivery(id: string): Promise<DeliveryRow | undefined> {
    return DELIVERY_ID.test(id) ? this.log.get(id) : undefined;
  }

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

  /** An edit (PATCH): what is given changes; the rest stays. */
  async update(
    organisation: OrganisationId,
    id: string,
    changes: Partial<
      Pick<
        SubscriptionRow,
        | 'widget'
        | 'format'
        | 'request'
        | 'schedule'
        | 'time_zone'
        | 'channel'
        | 'target'
        | 'secret'
        | 'next_run_at'
      >
    >,
    now: number,
  ): Promise<void> {
    await this.store.db
      .updateTable('report_subscriptions')
      .set({ ...changes, updated_at: now })
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
}
