import { sql, type Kysely, type Migration } from 'kysely';
import type { StoreDialect } from '../store.js';

/**
 * Scheduled reports (docs/exports.md, "Scheduled reports"): a member's subscription to a dashboard
 * (its filters, a cron schedule in their time zone, PDF or CSV, e-mail or webhook) and one delivery
 * row per schedule tick. The delivery row is committed before anything is sent, keyed by
 * `<subscription>:<tick>` (unique), so a tick seen by two schedulers or a worker killed mid-send
 * never makes a second delivery; its id is the e-mail's Message-ID and the webhook's delivery header.
 * 0011 is taken by another branch.
 */
export function reportSubscriptionsMigration(_dialect: StoreDialect): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('report_subscriptions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('organisation_id', 'text', (c) => c.notNull())
        /** The organisation's slug: the tenant predicate of the report's rows. */
        .addColumn('tenant', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text', (c) => c.notNull())
        /** The subscriber's role when they subscribed: which dashboards the report may read. */
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('dashboard', 'text', (c) => c.notNull())
        /** CSV: the widget whose rows are sent; PDF: empty (the whole dashboard). */
        .addColumn('widget', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('format', 'text', (c) => c.notNull().check(sql`format in ('pdf', 'csv')`))
        /**
         * The saved filters as JSON: `{ "query": "?status=COMPLETED" }` (PDF: the filter part of the
         * dashboard's address) or `{ "filters": {…} }` (CSV) — ids and values, never SQL.
         */
        .addColumn('request', 'text', (c) => c.notNull())
        .addColumn('schedule', 'text', (c) => c.notNull())
        .addColumn('time_zone', 'text', (c) => c.notNull())
        .addColumn('channel', 'text', (c) => c.notNull().check(sql`channel in ('email', 'webhook')`))
        /** The e-mail address or the webhook URL (checked when saved and again on every delivery). */
        .addColumn('target', 'text', (c) => c.notNull())
        /** The webhook's HMAC key (shown once, when the subscription is made). */
        .addColumn('secret', 'text')
        .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('active', 'paused')`))
        .addColumn('next_run_at', 'bigint')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('report_subscriptions_org_idx')
        .on('report_subscriptions')
        .columns(['organisation_id', 'user_id'])
        .execute();
      await db.schema
        .createIndex('report_subscriptions_due_idx')
        .on('report_subscriptions')
        .columns(['status', 'next_run_at'])
        .execute();
      await db.schema
        .createTable('report_deliveries')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('subscription_id', 'text', (c) => c.notNull())
        .addColumn('organisation_id', 'text', (c) => c.notNull())
        /** `<subscription>:<tick ISO>`: one delivery per tick, whoever sees it first. */
        .addColumn('idempotency_key', 'text', (c) => c.notNull().unique())
        .addColumn('tick', 'bigint', (c) => c.notNull())
        .addColumn('status', 'text', (c) =>
          c.notNull().check(sql`status in ('pending', 'sending', 'sent', 'failed')`),
        )
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('error_code', 'text')
        .addColumn('bytes', 'bigint')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addColumn('sent_at', 'bigint')
        .execute();
      await db.schema
        .createIndex('report_deliveries_sub_idx')
        .on('report_deliveries')
        .columns(['subscription_id', 'created_at'])
        .execute();
      await db.schema
        .createIndex('report_deliveries_status_idx')
        .on('report_deliveries')
        .columns(['status', 'updated_at'])
        .execute();
    },
  };
}
