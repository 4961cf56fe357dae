import type { BlockList } from 'node:net';
import type {
  AlertCreateBody,
  AlertEvent,
  AlertRule,
  AlertUpdateBody,
  AlertUpdated,
  Role,
} from '../../contract/index.js';
import { MAX_ALERTS, pickTitle } from '../../contract/index.js';
import type { Locale } from '../../contract/locale.js';
import type { ActionContext } from '../audit/audit-log.js';
import type { AuditRecorder } from '../audit/audit-recorder.js';
import type { Project } from '../config/project/project.types.js';
import { TrellisError } from '../errors.js';
import {
  AlertRules,
  newAlertId,
  type AlertEventRow,
  type AlertRuleRow,
  type CheckOutcome,
} from '../jobs/alert-rules.js';
import type { Queue } from '../jobs/queue.js';
import type { TaskContext } from '../jobs/task.js';
import type { DeliverAlertTask } from '../jobs/tasks/deliver-alert.task.js';
import type { Mailer } from '../mail/mailer.js';
import type { Metrics } from '../observability/metrics.js';
import { mayAccessExportFile } from '../policies/export-file-policy.js';
import type { OrganisationId } from '../policies/tenant.js';
import { tenantId } from '../query/plan.js';
import { DeliveryChannels } from '../reports/delivery-channels.js';
import { STALE_DELIVERY_MS } from '../reports/delivery-log.js';
import { alertMessage } from '../reports/delivery-messages.js';
import { isOpen, presentDeliveryError, runDelivery } from '../reports/run-delivery.js';
import type { Resolver } from '../reports/webhook-client.js';
import type { Store } from '../store/store.js';
import { getDashboard } from './dashboards.service.js';
import { checkFilterValues } from './filter-values.js';
import { alertSchedule, type AlertSchedule } from './alert-schedule.js';
import { evaluateAlert, formatAlertValue } from './alert-condition.js';
import type { QueryRunner } from './query-runner.js';
import { memberEmail, type MemberCaller } from './member-caller.js';
import { widgetData } from './widget-data.service.js';

/** Who asks: from the session only. */
export type AlertCaller = MemberCaller;

export interface AlertsOptions {
  readonly store: Store;
  readonly project: Project;
  readonly runner: QueryRunner;
  readonly queue: Queue;
  readonly task: DeliverAlertTask;
  readonly audit: AuditRecorder;
  readonly metrics: Metrics;
  /** Outgoing e-mail (undefined: e-mail alerts are refused) and where its links point. */
  readonly mail: { readonly mailer: Mailer; readonly publicOrigin: string } | undefined;
  readonly webhook: { readonly allow: BlockList; readonly resolve?: Resolver; readonly timeoutMs?: number };
  readonly logger: { error(obj: object, msg?: string): void; warn(obj: object, msg?: string): void };
  /** The recipient's saved language (null: never chose; messages are then in English). */
  readonly localeOf: (userId: string) => Promise<Locale | null>;
  readonly now?: () => number;
}
/** Rules checked per poll at most (the rest wait for the next poll, oldest first). */
const CHECKS_PER_POLL = 100;

/**
 * Alerts on KPI widgets (docs/exports.md, "Alerts"). A member's rule names a dashboard's KPI widget
 * by ids with their saved filter values; the worker's poll reads the KPI's value through the normal
 * widget-data path as that member (their role, their organisation's rows), compares it with the
 * condition, and records the check. Only a transition (ok → firing, firing → ok) makes an event, in
 * the same transaction as the state change and keyed `<rule>:<transition number>`; a `deliver-alert`
 * job then sends it (a muted rule's event is recorded as muted and never sent). So a rule still
 * firing sends nothing more, and a worker killed mid-send sends the transition once.
 * Tenant first: every member-facing method takes the caller's organisation; the rule's member and
 * their organisation's admins reach a rule, nobody else.
 */
export class AlertsService {
  readonly table: AlertRules;
  private readonly now: () => number;
  private readonly channels: DeliveryChannels;

  constructor(private readonly options: AlertsOptions) {
    this.table = new AlertRules(options.store);
    this.now = options.now ?? Date.now;
    this.channels = new DeliveryChannels({ mail: options.mail, webhook: options.webhook, now: this.now });
    options.task.bind((id, context) => this.deliver(id, context));
  }

  async create(
    organisation: OrganisationId,
    caller: AlertCaller,
    body: AlertCreateBody,
    context: ActionContext,
  ): Promise<{ alert: AlertRule; webhookSecret: string | null }> {
    sameOrganisation(organisation, caller);
    this.kpiTitle(body.dashboard, body.widget, caller);
    const filters = body.filters ?? {};
    checkFilterValues(getDashboard(this.options.project, body.dashboard, viewerOf(caller)), filters);
    checkThreshold(body.condition, body.threshold);
    const schedule = alertSchedule(body);
    const { target, secret } = this.channels.target(body.channel, body.url, caller.email);
    if ((await this.table.countOwn(organisation, caller.userId)) >= MAX_ALERTS)
      throw new TrellisError('ALERT_LIMIT');
    const now = this.now();
    const row: AlertRuleRow = {
      id: newAlertId(),
      organisation_id: organisation,
      tenant: caller.tenant.slug,
      user_id: caller.userId,
      role: caller.role,
      dashboard: body.dashboard,
      widget: body.widget,
      filters: JSON.stringify(filters),
      condition: body.condition,
      threshold: body.threshold,
      every_minutes: schedule.everyMinutes,
      cron: schedule.cron,
      time_zone: schedule.timeZone,
      channel: body.channel,
      target,
      secret,
      state: 'ok',
      transitions: 0,
      last_value: null,
      last_checked_at: null,
      last_error: null,
      next_check_at: schedule.next(now),
      muted_until: null,
      created_at: now,
      updated_at: now,
    };
    await this.table.create(row);
    await this.options.audit.record(context, {
      action: 'alert.create',
      outcome: 'success',
      target: `${row.dashboard}/${row.widget}`,
      detail: { alert: row.id, condition: row.condition, threshold: row.threshold, channel: row.channel },
    });
    return { alert: this.present(row, caller), webhookSecret: secret };
  }

  /** The caller's own rules (an admin manages others' by id, but lists their own). */
  async list(organisation: OrganisationId, caller: AlertCaller): Promise<AlertRule[]> {
    sameOrganisation(organisation, caller);
    return (await this.table.listOwn(organisation, caller.userId)).map((row) => this.present(row, caller));
  }

  async update(
    organisation: OrganisationId,
    caller: AlertCaller,
    id: string,
    body: AlertUpdateBody,
    context: ActionContext,
  ): Promise<AlertUpdated> {
    const row = await this.visible(organisation, caller, id);
    const condition = body.condition ?? row.condition;
    const threshold = body.threshold ?? Number(row.threshold);
    checkThreshold(condition, threshold);
    const changes: Parameters<AlertRules['update']>[2] = { condition, threshold };
    const now = this.now();
    if (body.everyMinutes !== undefined || body.cron !== undefined || body.timeZone !== undefined) {
      const schedule = alertSchedule({
        ...(body.everyMinutes !== undefined ? { everyMinutes: body.everyMinutes } : {}),
        ...(body.cron !== undefined ? { cron: body.cron } : {}),
        timeZone: body.timeZone ?? row.time_zone,
      });
      Object.assign(changes, {
        every_minutes: schedule.everyMinutes,
        cron: schedule.cron,
        time_zone: schedule.timeZone,
        next_check_at: schedule.next(now),
      });
    }
    if (body.mutedUntil !== undefined)
      changes.muted_until = body.mutedUntil === null ? null : Date.parse(body.mutedUntil);
    // A new channel, or a new webhook URL: checked as when made; a new URL gets a new signing key.
    let secret: string | null = null;
    const channel = body.channel ?? row.channel;
    if (channel !== row.channel || (channel === 'webhook' && body.url !== undefined)) {
      const email =
        channel === 'email'
          ? await memberEmail(this.options.store, row.user_id, caller, 'ALERT_NOT_FOUND')
          : '';
      const next = this.channels.target(channel, body.url, email);
      Object.assign(changes, { channel, target: next.target, secret: next.secret });
      secret = next.secret;
    }
    await this.table.update(organisation, row.id, changes, now);
    await this.options.audit.record(context, {
      action: 'alert.update',
      outcome: 'success',
      target: `${row.dashboard}/${row.widget}`,
      detail: {
        alert: row.id,
        condition,
        threshold,
        ...(body.mutedUntil !== undefined ? { mutedUntil: body.mutedUntil } : {}),
        ...(changes.channel !== undefined ? { channel: changes.channel } : {}),
      },
    });
    const alert = this.present(await this.visible(organisation, caller, id), caller);
    return secret === null ? alert : { ...alert, webhookSecret: secret };
  }

  async remove(
    organisation: OrganisationId,
    caller: AlertCaller,
    id: string,
    context: ActionContext,
  ): Promise<void> {
    const row = await this.visible(organisation, caller, id);
    await this.table.remove(organisation, row.id);
    await this.options.audit.record(context, {
      action: 'alert.delete',
      outcome: 'success',
      target: `${row.dashboard}/${row.widget}`,
      detail: { alert: row.id },
    });
  }

  async history(organisation: OrganisationId, caller: AlertCaller, id: string): Promise<AlertEvent[]> {
    const row = await this.visible(organisation, caller, id);
    return (await this.table.events(organisation, row.id)).map(presentEvent);
  }

  /**
   * The worker's poll: each due rule is checked once (two workers polling at once record one check:
   * compare-and-set), a transition's event is committed with the state, and its notification job
   * enqueued; notifications whose job was lost are enqueued again. Returns the checks recorded.
   */
  async checkDue(): Promise<number> {
    const now = this.now();
    let checked = 0;
    for (const rule of await this.table.due(now, CHECKS_PER_POLL)) {
      const outcome = await this.check(rule, now);
      const { recorded, event } = await this.table.recordCheck(rule, outcome, now);
      if (!recorded) continue;
      checked++;
      if (!event) continue;
      await this.options.audit.record(ruleContext(rule, event.id), {
        action: event.kind === 'fire' ? 'alert.fire' : 'alert.resolve',
        outcome: 'success',
        target: `${rule.dashboard}/${rule.widget}`,
        detail: { alert: rule.id, event: event.id, value: event.value, muted: event.status === 'muted' },
      });
      if (event.status === 'muted') this.options.metrics.alertNotifications.inc({ result: 'muted' });
      else await this.enqueue(event);
    }
    for (const stale of await this.table.log.stale(now, STALE_DELIVERY_MS, 100)) await this.enqueue(stale);
    return checked;
  }

  /** Reads the KPI as the rule's member sees it and decides the next state. */
  private async check(rule: AlertRuleRow, now: number): Promise<CheckOutcome> {
    let next: number;
    try {
      next = scheduleOfRow(rule).next(now);
    } catch (err) {
      // A rule's schedule was checked when saved; one that no longer parses is checked hourly.
      this.options.logger.error({ err, alert: rule.id }, 'alert schedule no longer parses');
      next = now + 3_600_000;
    }
    const muted = rule.muted_until !== null && Number(rule.muted_until) > now;
    const eventStatus = muted ? 'muted' : 'pending';
    let value: number;
    try {
      value = await this.readValue(rule);
    } catch (err) {
      const code = err instanceof TrellisError ? err.code : 'INTERNAL';
      if (!(err instanceof TrellisError))
        this.options.logger.error({ err, alert: rule.id }, 'alert check failed');
      // The state stays as it was: an unreadable value is neither a crossing nor a recovery.
      return { value: null, error: code, state: rule.state, nextCheckAt: next, eventStatus };
    }
    const state = evaluateAlert(
      rule.condition,
      Number(rule.threshold),
      value,
      rule.last_value === null ? null : Number(rule.last_value),
    )
      ? 'firing'
      : 'ok';
    return { value, error: null, state, nextCheckAt: next, eventStatus };
  }

  private async readValue(rule: AlertRuleRow): Promise<number> {
    const filters = JSON.parse(rule.filters) as Record<string, unknown>;
    const viewer = { tenant: tenantId(rule.tenant), role: rule.role as Role, user: rule.user_id };
    // The KPI is still a KPI (the project may have changed since the rule was made).
    this.kpiTitle(rule.dashboard, rule.widget, viewer);
    const { body } = await widgetData(this.options.project, this.options.runner, {
      dashboard: rule.dashboard,
      widget: rule.widget,
      request: { filters },
      viewer,
    });
    const cell = body.rows[0]?.[0];
    const value = typeof cell === 'number' ? cell : typeof cell === 'string' ? Number(cell) : NaN;
    // No rows (nothing matches the filters) reads as 0, as the KPI shows it; anything else is an error.
    if (cell === undefined || cell === null) return 0;
    if (!Number.isFinite(value)) throw new TrellisError('ALERT_WIDGET_NOT_KPI');
    return value;
  }

  private async enqueue(event: AlertEventRow): Promise<void> {
    await this.options.task.enqueue(
      this.options.queue,
      { eventId: event.id },
      { idempotencyKey: `alert:${event.id}:${event.updated_at}` },
    );
  }

  /**
   * One notification on the worker (reports/run-delivery.ts: marked `sending`, sent with the event's
   * id as its Message-ID / `X-Trellis-Delivery`, marked `sent`), in the member's language.
   */
  async deliver(eventId: string, context: TaskContext): Promise<void> {
    const event = await this.table.event(eventId);
    if (!isOpen(event)) return;
    const rule = await this.table.byId(event.rule_id);
    if (!rule) {
      await this.table.log.finish(event.id, 'failed', { errorCode: 'ALERT_NOT_FOUND' }, this.now());
      return;
    }
    const metric = this.options.metrics.alertNotifications;
    await runDelivery({
      log: this.table.log,
      id: event.id,
      context,
      now: this.now,
      logger: this.options.logger,
      what: 'alert notification failed',
      prepare: async () => {
        await this.channels.assertReachable(rule.channel, rule.target);
        return this.message(rule, event, (await this.options.localeOf(rule.user_id)) ?? 'en');
      },
      send: (message) =>
        rule.channel === 'email'
          ? this.channels.sendMail(
              { to: rule.target, ...message, messageId: `<${event.id}@trellis.alerts>` },
              { event: event.id },
            )
          : this.channels.postSigned(
              rule.target,
              rule.secret,
              event.id,
              this.hookBody(rule, event, message.subject),
              context.signal,
            ),
      settled: async (result) => void metric.inc({ result }),
    });
  }

  /** "Alert: Orders is 123, above 100" / "Resolved: Orders is 80, no longer above 100", translated. */
  private message(
    rule: AlertRuleRow,
    event: AlertEventRow,
    locale: Locale,
  ): { subject: string; text: string } {
    const origin = this.channels.publicOrigin;
    return alertMessage(locale, {
      kind: event.kind,
      title: this.titleOf(rule, locale),
      condition: rule.condition,
      value: formatAlertValue(Number(event.value)),
      threshold: formatAlertValue(Number(event.threshold)),
      link: new URL(`/d/${encodeURIComponent(rule.dashboard)}`, origin).toString(),
      manage: new URL('/subscriptions', origin).toString(),
    });
  }

  private hookBody(rule: AlertRuleRow, event: AlertEventRow, summary: string): string {
    return JSON.stringify({
      event: event.id,
      alert: rule.id,
      kind: event.kind,
      dashboard: rule.dashboard,
      widget: rule.widget,
      condition: rule.condition,
      threshold: Number(event.threshold),
      value: Number(event.value),
      at: new Date(Number(event.created_at)).toISOString(),
      summary,
    });
  }

  /** The widget's title, after checking the dashboard is visible and the widget is a KPI. */
  private kpiTitle(
    dashboardId: string,
    widgetId: string,
    who: AlertCaller | { tenant: string; role: Role; user: string },
  ): string {
    const viewer = 'userId' in who ? viewerOf(who) : { ...who, tenant: tenantId(who.tenant) };
    const dashboard = getDashboard(this.options.project, dashboardId, viewer);
    const widget = dashboard.widgets.find((w) => w.id === widgetId);
    if (!widget)
      throw new TrellisError('WIDGET_NOT_FOUND', {
        message: `Dashboard "${dashboard.id}" has no data widget "${widgetId.slice(0, 100)}".`,
      });
    if (widget.type !== 'kpi') throw new TrellisError('ALERT_WIDGET_NOT_KPI');
    return pickTitle(widget.title, 'en') || widget.id;
  }

  /** The title for presenting (the project may have dropped the widget since: its id then). */
  private titleOf(rule: AlertRuleRow, locale: Locale = 'en'): string {
    const widget = this.options.project.dashboards
      .get(rule.dashboard)
      ?.widgets.find((w) => w.id === rule.widget);
    return (widget ? pickTitle(widget.title, locale) : '') || rule.widget;
  }

  private async visible(
    organisation: OrganisationId,
    caller: AlertCaller,
    id: string,
  ): Promise<AlertRuleRow> {
    sameOrganisation(organisation, caller);
    const row = await this.table.find(organisation, id);
    // The same rule as export files and subscriptions: the member who made it, and the admins.
    if (
      !row ||
      !mayAccessExportFile(
        { organisationId: caller.tenant.id, userId: caller.userId, role: caller.role },
        { organisationId: row.organisation_id, requestedBy: row.user_id },
      )
    )
      throw new TrellisError('ALERT_NOT_FOUND');
    return row;
  }

  private present(row: AlertRuleRow, caller: AlertCaller): AlertRule {
    return {
      id: row.id,
      dashboard: row.dashboard,
      widget: row.widget,
      title: this.titleOf(row),
      filters: JSON.parse(row.filters) as Record<string, unknown>,
      condition: row.condition,
      threshold: Number(row.threshold),
      everyMinutes: row.every_minutes === null ? null : Number(row.every_minutes),
      cron: row.cron,
      timeZone: row.time_zone,
      channel: row.channel,
      target: row.target,
      state: row.state,
      lastValue: row.last_value === null ? null : Number(row.last_value),
      lastCheckedAt: iso(row.last_checked_at),
      lastError: row.last_error,
      nextCheckAt: iso(row.next_check_at),
      mutedUntil: iso(row.muted_until),
      mine: row.user_id === caller.userId,
      createdAt: new Date(Number(row.created_at)).toISOString(),
    };
  }
}

function viewerOf(caller: AlertCaller) {
  return { tenant: caller.tenant.slug, role: caller.role, user: caller.userId };
}

function ruleContext(rule: AlertRuleRow, requestId: string): ActionContext {
  return { actor: rule.user_id, ip: null, requestId, organisationId: rule.organisation_id };
}

function checkThreshold(condition: AlertRule['condition'], threshold: number): void {
  if (condition === 'change' && !(threshold > 0))
    throw new TrellisError('VALIDATION_FAILED', {
      message: 'A change alert needs a percentage above 0.',
    });
}

function scheduleOfRow(rule: AlertRuleRow): AlertSchedule {
  return alertSchedule({
    ...(rule.every_minutes !== null ? { everyMinutes: Number(rule.every_minutes) } : {}),
    ...(rule.cron !== null ? { cron: rule.cron } : {}),
    timeZone: rule.time_zone,
  });
}

function sameOrganisation(organisation: OrganisationId, caller: AlertCaller): void {
  if (organisation !== caller.tenant.id) throw new TrellisError('ALERT_NOT_FOUND');
}

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(Number(ms)).toISOString();
}

function presentEvent(row: AlertEventRow): AlertEvent {
  return {
    id: row.id,
    kind: row.kind,
    value: Number(row.value),
    threshold: Number(row.threshold),
    status: row.status,
    attempts: Number(row.attempts),
    error: presentDeliveryError(row.error_code, 'The notification failed.'),
    createdAt: new Date(Number(row.created_at)).toISOString(),
    sentAt: iso(row.sent_at),
  };
}
