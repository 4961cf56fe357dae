import { randomBytes } from 'node:crypto';
import { isIP, type BlockList } from 'node:net';
import type { AlertCreateBody, AlertEvent, AlertRule, AlertUpdateBody, Role } from '../../contract/index.js';
import { MAX_ALERTS, pickTitle } from '../../contract/index.js';
import type { ActionContext } from '../audit/audit-log.js';
import type { AuditRecorder } from '../audit/audit-recorder.js';
import type { Project } from '../config/project/project.types.js';
import { ERROR_CATALOGUE, TrellisError, type ErrorCode } from '../errors.js';
import {
  AlertRules,
  newAlertId,
  type AlertEventRow,
  type AlertRuleRow,
  type CheckOutcome,
} from '../jobs/alert-rules.js';
import type { Queue } from '../jobs/queue.js';
import { ReleaseJob, WorkerStopping } from '../jobs/queue.js';
import type { TaskContext } from '../jobs/task.js';
import type { DeliverAlertTask } from '../jobs/tasks/deliver-alert.task.js';
import type { Mailer } from '../mail/mailer.js';
import type { Metrics } from '../observability/metrics.js';
import { mayAccessExportFile } from '../policies/export-file-policy.js';
import type { OrganisationId, Tenant } from '../policies/tenant.js';
import { tenantId } from '../query/plan.js';
import { mayConnect } from '../reports/webhook-address.js';
import {
  assertWebhookAllowed,
  checkWebhookUrl,
  postWebhook,
  signWebhook,
  type Resolver,
  type WebhookClientOptions,
} from '../reports/webhook-client.js';
import type { Store } from '../store/store.js';
import { getDashboard } from './dashboards.service.js';
import { checkFilterValues } from './filter-values.js';
import { alertSchedule, type AlertSchedule } from './alert-schedule.js';
import { evaluateAlert, formatAlertValue } from './alert-condition.js';
import type { QueryRunner } from './query-runner.js';
import { widgetData } from './widget-data.service.js';

/** Who asks: from the session only. */
export interface AlertCaller {
  readonly tenant: Tenant;
  readonly userId: string;
  readonly role: Role;
  readonly email: string;
}

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
  readonly now?: () => number;
}

/** A notification untouched this long while pending or sending has lost its job: enqueued again. */
const STALE_MS = 10 * 60_000;
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

  constructor(private readonly options: AlertsOptions) {
    this.table = new AlertRules(options.store);
    this.now = options.now ?? Date.now;
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
    let target: string;
    let secret: string | null = null;
    if (body.channel === 'email') {
      if (!this.options.mail) throw new TrellisError('REPORT_MAIL_UNAVAILABLE');
      target = caller.email;
    } else {
      target = this.checkUrl(body.url);
      secret = randomBytes(32).toString('base64url');
    }
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
  ): Promise<AlertRule> {
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
      },
    });
    return this.present(await this.visible(organisation, caller, id), caller);
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
    for (const stale of await this.table.stale(now, STALE_MS, 100)) await this.enqueue(stale);
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
   * One notification on the worker. A sent or failed one is left alone. Otherwise the row is marked
   * `sending` (committed), the message goes out with the event's id as its Message-ID /
   * `X-Trellis-Delivery`, and the row is marked `sent` — the same argument as report deliveries.
   */
  async deliver(eventId: string, context: TaskContext): Promise<void> {
    const event = await this.table.event(eventId);
    if (!event || (event.status !== 'pending' && event.status !== 'sending')) return;
    const rule = await this.table.byId(event.rule_id);
    if (!rule) {
      await this.table.finish(event.id, 'failed', 'ALERT_NOT_FOUND', this.now());
      return;
    }
    try {
      if (rule.channel === 'webhook') await assertWebhookAllowed(rule.target, this.webhookOptions());
      if (!(await this.table.markSending(event.id, this.now()))) return;
      const message = this.message(rule, event);
      if (rule.channel === 'email') await this.sendMail(rule, event, message);
      else await this.postHook(rule, event, message.subject, context.signal);
      await this.table.finish(event.id, 'sent', null, this.now());
      this.options.metrics.alertNotifications.inc({ result: 'sent' });
    } catch (err) {
      const reason: unknown = context.signal.reason;
      if (context.signal.aborted && reason instanceof WorkerStopping)
        throw new ReleaseJob('the worker is stopping');
      const code: string = err instanceof TrellisError ? err.code : 'INTERNAL';
      const final =
        (err instanceof TrellisError && err.status < 500) || context.job.attempt >= context.job.maxAttempts;
      if (!final) {
        await this.table.attemptFailed(event.id, code, this.now());
        this.options.metrics.alertNotifications.inc({ result: 'retry' });
        throw err;
      }
      this.options.logger.warn({ err, event: event.id }, 'alert notification failed');
      await this.table.finish(event.id, 'failed', code, this.now());
      this.options.metrics.alertNotifications.inc({ result: 'failed' });
    }
  }

  /** "Alert: Orders is 123, above 100" / "Resolved: Orders is 80 (above 100)". */
  private message(rule: AlertRuleRow, event: AlertEventRow): { subject: string; text: string } {
    const title = this.titleOf(rule);
    const value = formatAlertValue(Number(event.value));
    const threshold = formatAlertValue(Number(event.threshold));
    const condition =
      rule.condition === 'above'
        ? `above ${threshold}`
        : rule.condition === 'below'
          ? `below ${threshold}`
          : `changed by ${threshold}% or more`;
    const subject =
      event.kind === 'fire'
        ? `Alert: ${title} is ${value}, ${condition}`
        : `Resolved: ${title} is ${value}, no longer ${condition}`;
    const origin = this.options.mail?.publicOrigin ?? 'http://localhost/';
    const link = new URL(`/d/${encodeURIComponent(rule.dashboard)}`, origin).toString();
    const manage = new URL('/subscriptions', origin).toString();
    return {
      subject,
      text: `${subject}.\n\nDashboard: ${link}\nManage your alerts: ${manage}\n`,
    };
  }

  private async sendMail(
    rule: AlertRuleRow,
    event: AlertEventRow,
    message: { subject: string; text: string },
  ): Promise<void> {
    const mail = this.options.mail;
    if (!mail) throw new TrellisError('REPORT_MAIL_UNAVAILABLE');
    try {
      await mail.mailer.send({
        to: rule.target,
        subject: message.subject,
        text: message.text,
        messageId: `<${event.id}@trellis.alerts>`,
      });
    } catch (err) {
      throw new TrellisError('MAIL_FAILED', { cause: err, detail: { event: event.id } });
    }
  }

  private async postHook(
    rule: AlertRuleRow,
    event: AlertEventRow,
    summary: string,
    signal: AbortSignal,
  ): Promise<void> {
    const body = JSON.stringify({
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
    const timestamp = Math.floor(this.now() / 1000);
    const result = await postWebhook(
      rule.target,
      body,
      {
        'x-trellis-delivery': event.id,
        'x-trellis-timestamp': String(timestamp),
        'x-trellis-signature': signWebhook(rule.secret ?? '', timestamp, body),
      },
      this.webhookOptions(),
      signal,
    );
    if (result.status < 200 || result.status >= 300)
      throw new TrellisError('WEBHOOK_FAILED', { detail: { status: result.status } });
  }

  private checkUrl(text: string | undefined): string {
    if (!text) throw new TrellisError('WEBHOOK_URL_FORBIDDEN', { detail: { why: 'no url' } });
    const url = checkWebhookUrl(text);
    // A literal address is judged now; a name again after DNS on every delivery (names change).
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (isIP(host) !== 0 && !mayConnect(host, this.options.webhook.allow))
      throw new TrellisError('WEBHOOK_URL_FORBIDDEN', { detail: { why: 'special address', host } });
    return url.toString();
  }

  private webhookOptions(): WebhookClientOptions {
    const { webhook } = this.options;
    return {
      allow: webhook.allow,
      ...(webhook.resolve ? { resolve: webhook.resolve } : {}),
      ...(webhook.timeoutMs ? { timeoutMs: webhook.timeoutMs } : {}),
    };
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
  private titleOf(rule: AlertRuleRow): string {
    const widget = this.options.project.dashboards
      .get(rule.dashboard)
      ?.widgets.find((w) => w.id === rule.widget);
    return (widget ? pickTitle(widget.title, 'en') : '') || rule.widget;
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
  const code = row.error_code;
  return {
    id: row.id,
    kind: row.kind,
    value: Number(row.value),
    threshold: Number(row.threshold),
    status: row.status,
    attempts: Number(row.attempts),
    error: code
      ? {
          code,
          message:
            code in ERROR_CATALOGUE ? ERROR_CATALOGUE[code as ErrorCode].message : 'The notification failed.',
        }
      : null,
    createdAt: new Date(Number(row.created_at)).toISOString(),
    sentAt: iso(row.sent_at),
  };
}
