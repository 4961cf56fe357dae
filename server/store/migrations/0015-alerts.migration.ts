import { sql, type Kysely, type Migration } from 'kysely';
import type { StoreDialect } from '../store.js';

/**
 * Alerts on KPI widgets (docs/exports.md, "Alerts"): a member's rule on a dashboard's KPI widget (by
 * ids, with their saved filter values), its condition, schedule, channel and muting, the state the
 * last check left (ok or firing, the value), and one event per transition. The event row doubles as
 * the notification's delivery: committed in the same transaction as the state change, keyed by
 * `<rule>:<transition number>` (unique), before anything is sent — so a check seen by two workers
 * or a worker killed mid-send never notifies twice.
 */
export function alertsMigration(_dialect: StoreDialect): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('alert_rules')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('organisation_id', 'text', (c) => c.notNull())
        /** The organisation's slug: the tenant predicate of the KPI's rows. */
        .addColumn('tenant', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text', (c) => c.notNull())
        /** The member's role when they made the rule: which dashboards the check may read. */
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('dashboard', 'text', (c) => c.notNull())
        .addColumn('widget', 'text', (c) => c.notNull())
        /** The saved filter values as JSON (filter id → value): ids and values, never SQL. */
        .addColumn('filters', 'text', (c) => c.notNull())
        .addColumn('condition', 'text', (c) =>
          c.notNull().check(sql`condition in ('above', 'below', 'change')`),
        )
        .addColumn('threshold', 'double precision', (c) => c.notNull())
        /** Interval schedules: minutes between checks; cron schedules: null. */
        .addColumn('every_minutes', 'integer')
        .addColumn('cron', 'text')
        .addColumn('time_zone', 'text', (c) => c.notNull())
        .addColumn('channel', 'text', (c) => c.notNull().check(sql`channel in ('email', 'webhook')`))
        .addColumn('target', 'text', (c) => c.notNull())
        .addColumn('secret', 'text')
        .addColumn('state', 'text', (c) => c.notNull().check(sql`state in ('ok', 'firing')`))
        /** Transitions so far: the next one's event is keyed `<rule>:<transitions + 1>`. */
        .addColumn('transitions', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('last_value', 'double precision')
        .addColumn('last_checked_at', 'bigint')
        .addColumn('last_error', 'text')
        .addColumn('next_check_at', 'bigint', (c) => c.notNull())
        .addColumn('muted_until', 'bigint')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('alert_rules_org_idx')
        .on('alert_rules')
        .columns(['organisation_id', 'user_id'])
        .execute();
      await db.schema
        .createIndex('alert_rules_due_idx')
        .on('alert_rules')
        .columns(['next_check_at'])
        .execute();
      await db.schema
        .createTable('alert_events')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('rule_id', 'text', (c) => c.notNull())
        .addColumn('organisation_id', 'text', (c) => c.notNull())
        /** `<rule>:<transition number>`: one notification per transition, whoever sees it first. */
        .addColumn('idempotency_key', 'text', (c) => c.notNull().unique())
        .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('fire', 'resolve')`))
        .addColumn('value', 'double precision', (c) => c.notNull())
        .addColumn('threshold', 'double precision', (c) => c.notNull())
        .addColumn('status', 'text', (c) =>
          c.notNull().check(sql`status in ('pending', 'sending', 'sent', 'failed', 'muted')`),
        )
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('error_code', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addColumn('sent_at', 'bigint')
        .execute();
      await db.schema
        .createIndex('alert_events_rule_idx')
        .on('alert_events')
        .columns(['rule_id', 'created_at'])
        .execute();
      await db.schema
        .createIndex('alert_events_status_idx')
        .on('alert_events')
        .columns(['status', 'updated_at'])
        .execute();
    },
  };
}
