import { randomBytes } from 'node:crypto';
import type { Selectable } from 'kysely';
import type { OrganisationId } from '../policies/tenant.js';
import { DeliveryLog } from '../reports/delivery-log.js';
import type { AlertEventStatus, AlertEventsTable, AlertRulesTable } from '../store/database.types.js';
import type { Store } from '../store/store.js';

export type AlertRuleRow = Selectable<AlertRulesTable>;
export type AlertEventRow = Selectable<AlertEventsTable>;

/** Random ids, checked before any lookup: never a counter another organisation could walk. */
export const ALERT_ID = /^alr_[A-Za-z0-9_-]{22}$/;
export const ALERT_EVENT_ID = /^ale_[A-Za-z0-9_-]{22}$/;
export const newAlertId = () => `alr_${randomBytes(16).toString('base64url')}`;
export const newAlertEventId = () => `ale_${randomBytes(16).toString('base64url')}`;

/** Events listed per rule (newest first). */
export const EVENTS_LISTED = 50;

/** What one check found: the value (or the error that kept it from being read) and the next state. */
export interface CheckOutcome {
  readonly value: number | null;
  readonly error: string | null;
  readonly state: 'ok' | 'firing';
  readonly nextCheckAt: number;
  /** The event's status when the state changes: pending (to send) or muted (recorded only). */
  readonly eventStatus: Extract<AlertEventStatus, 'pending' | 'muted'>;
}

/**
 * The `alert_rules` and `alert_events` tables (docs/exports.md, "Alerts"). Every read by a member
 * names the organisation; the worker's check and delivery read by due time or by id (ids come from
 * its own queue).
 */
export class AlertRules {
  /** The notifications' delivery state (shared with report deliveries). */
  readonly log: DeliveryLog<AlertEventRow>;

  constructor(private readonly store: Store) {
    this.log = new DeliveryLog(store, 'alert_events');
  }

  /** One notification by id (ids from the worker's own queue); its id shape checked first. */
  async event(id: string): Promise<AlertEventRow | undefined> {
    return ALERT_EVENT_ID.test(id) ? this.log.get(id) : undefined;
  }

  async create(row: AlertRuleRow): Promise<void> {
    await this.store.db.insertInto('alert_rules').values(row).execute();
  }

  async find(organisation: OrganisationId, id: string): Promise<AlertRuleRow | undefined> {
    if (!ALERT_ID.test(id)) return undefined;
    return this.store.db
      .selectFrom('alert_rules')
      .selectAll()
      .where('organisation_id', '=', organisation)
      .where('id', '=', id)
      .executeTakeFirst();
  }

  async byId(id: string): Promise<AlertRuleRow | undefined> {
    return this.store.db.selectFrom('alert_rules').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async listOwn(organisation: OrganisationId, user: string): Promise<AlertRuleRow[]> {
    return this.store.db
      .selectFrom('alert_rules')
      .selectAll()
      .where('organisation_id', '=', organisation)
      .where('user_id', '=', user)
      .orderBy('created_at', 'desc')
      .orderBy('id')
      .limit(200)
      .execute();
  }

  async countOwn(organisation: OrganisationId, user: string): Promise<number> {
    const r = await this.store.db
      .selectFrom('alert_rules')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('organisation_id', '=', organisation)
      .where('user_id', '=', user)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  async update(
    organisation: OrganisationId,
    id: string,
    changes: Partial<
      Pick<
        AlertRuleRow,
        | 'condition'
        | 'threshold'
        | 'every_minutes'
        | 'cron'
        | 'time_zone'
        | 'next_check_at'
        | 'muted_until'
        | 'channel'
        | 'target'
        | 'secret'
      >
    >,
    now: number,
  ): Promise<void> {
    await this.store.db
      .updateTable('alert_rules')
      .set({ ...changes, updated_at: now })
      .where('organisation_id', '=', organisation)
      .where('id', '=', id)
      .execute();
  }

  /** Deletes the rule and its history. */
  async remove(organisation: OrganisationId, id: string): Promise<void> {
    await this.store.db.transaction().execute(async (tx) => {
      await tx
        .deleteFrom('alert_events')
        .where('organisation_id', '=', organisation)
        .where('rule_id', '=', id)
        .execute();
      await tx
        .deleteFrom('alert_rules')
        .where('organisation_id', '=', organisation)
        .where('id', '=', id)
        .execute();
    });
  }

  /** Rules whose check has come (oldest first, at most `limit`). */
  async due(now: number, limit: number): Promise<AlertRuleRow[]> {
    return this.store.db
      .selectFrom('alert_rules')
      .selectAll()
      .where('next_check_at', '<=', now)
      .orderBy('next_check_at')
      .limit(limit)
      .execute();
  }

  /**
   * Records one check: the rule's value, state and next check — and, when the state changed, one
   * event row keyed `<rule>:<transition number>` — in one transaction, only if nobody recorded this
   * check first (compare-and-set on `next_check_at` and `transitions`). Returns the new event, if any;
   * `undefined` with `recorded: false` when another worker got there first.
   */
  async recordCheck(
    rule: AlertRuleRow,
    outcome: CheckOutcome,
    now: number,
  ): Promise<{ recorded: boolean; event: AlertEventRow | undefined }> {
    const changed = outcome.state !== rule.state;
    const transitions = Number(rule.transitions) + (changed ? 1 : 0);
    return this.store.db.transaction().execute(async (tx) => {
      const moved = await tx
        .updateTable('alert_rules')
        .set({
          state: outcome.state,
          transitions,
          // A failed read keeps the last value: "change by %" compares with the last one read.
          ...(outcome.value !== null ? { last_value: outcome.value } : {}),
          last_error: outcome.error,
          last_checked_at: now,
          next_check_at: outcome.nextCheckAt,
          updated_at: now,
        })
        .where('id', '=', rule.id)
        .where('next_check_at', '=', Number(rule.next_check_at))
        .where('transitions', '=', Number(rule.transitions))
        .executeTakeFirst();
      if (Number(moved.numUpdatedRows) !== 1) return { recorded: false, event: undefined };
      if (!changed || outcome.value === null) return { recorded: true, event: undefined };
      const key = `${rule.id}:${transitions}`;
      const existing = await tx
        .selectFrom('alert_events')
        .selectAll()
        .where('idempotency_key', '=', key)
        .executeTakeFirst();
      if (existing) return { recorded: true, event: existing };
      const event: AlertEventRow = {
        id: newAlertEventId(),
        rule_id: rule.id,
        organisation_id: rule.organisation_id,
        idempotency_key: key,
        kind: outcome.state === 'firing' ? 'fire' : 'resolve',
        value: outcome.value,
        threshold: Number(rule.threshold),
        status: outcome.eventStatus,
        attempts: 0,
        error_code: null,
        created_at: now,
        updated_at: now,
        sent_at: null,
      };
      await tx.insertInto('alert_events').values(event).execute();
      return { recorded: true, event };
    });
  }

  async events(organisation: OrganisationId, rule: string): Promise<AlertEventRow[]> {
    return this.store.db
      .selectFrom('alert_events')
      .selectAll()
      .where('organisation_id', '=', organisation)
      .where('rule_id', '=', rule)
      .orderBy('created_at', 'desc')
      .orderBy('id')
      .limit(EVENTS_LISTED)
      .execute();
  }
}
