import type { BlockList } from 'node:net';
import type {
  ReportDelivery,
  Role,
  Subscription,
  SubscriptionCreateBody,
  SubscriptionCreated,
  SubscriptionUpdateBody,
} from '../../contract/index.js';
import { MAX_SUBSCRIPTIONS } from '../../contract/index.js';
import type { Locale } from '../../contract/locale.js';
import type { ActionContext } from '../audit/audit-log.js';
import type { AuditRecorder } from '../audit/audit-recorder.js';
import { TrellisError } from '../errors.js';
import type { Queue } from '../jobs/queue.js';
import {
  ReportSubscriptions,
  newSubscriptionId,
  type DeliveryRow,
  type SubscriptionRow,
} from '../jobs/report-subscriptions.js';
import type { TaskContext } from '../jobs/task.js';
import type { DeliverReportTask } from '../jobs/tasks/deliver-report.task.js';
import { parseZonedCron, type ZonedCron } from '../jobs/zoned-cron.js';
import type { Mailer } from '../mail/mailer.js';
import type { Metrics } from '../observability/metrics.js';
import { exportListScope, mayAccessExportFile } from '../policies/export-file-policy.js';
import type { OrganisationId } from '../policies/tenant.js';
import { tenantId } from '../query/plan.js';
import { DeliveryChannels } from '../reports/delivery-channels.js';
import { STALE_DELIVERY_MS } from '../reports/delivery-log.js';
import { reportMessage } from '../reports/delivery-messages.js';
import { isOpen, presentDeliveryError, runDelivery } from '../reports/run-delivery.js';
import type { Resolver } from '../reports/webhook-client.js';
import type { Store } from '../store/store.js';
import type { DashboardRenderRequest } from './export-jobs.service.js';
import { memberEmail, type MemberCaller } from './member-caller.js';
import type { PresetFilters, PresetRequest } from './subscription-presets.js';
import type { Viewer } from './viewer.js';
import type { WidgetExports } from './widget-export.service.js';

/** Who asks: from the session only. */
export type SubscriptionCaller = MemberCaller;

export interface ReportSubscriptionsOptions {
  readonly store: Store;
  readonly queue: Queue;
  readonly task: DeliverReportTask;
  readonly exports: WidgetExports;
  /** Prints a dashboard for a member (ExportJobs.renderDashboard: Chromium, render credential). */
  readonly renderPdf: (request: DashboardRenderRequest) => Promise<Buffer>;
  readonly audit: AuditRecorder;
  readonly metrics: Metrics;
  /** Outgoing e-mail (undefined: e-mail subscriptions are refused) and where its links point. */
  readonly mail: { readonly mailer: Mailer; readonly publicOrigin: string } | undefined;
  readonly webhook: { readonly allow: BlockList; readonly resolve?: Resolver; readonly timeoutMs?: number };
  /** A report's file at most. */
  readonly maxBytes: number;
  readonly logger: { error(obj: object, msg?: string): void; warn(obj: object, msg?: string): void };
  /** A saved preset's filters as `caller` may see them now (subscription-presets.ts); PRESET_NOT_FOUND else. */
  readonly presetFilters: PresetFilters;
  /** The recipient's saved language (null: never chose; messages are then in English). */
  readonly localeOf: (userId: string) => Promise<Locale | null>;
  readonly now?: () => number;
}

/** A schedule may not tick more often than this (a report is a Chromium render or a full export). */
export const MIN_INTERVAL_MS = 15 * 60_000;

interface SavedRequest {
  readonly query?: string;
  readonly filters?: Record<string, unknown>;
  /** A saved preset whose filters are read at every delivery (instead of `query` / `filters`). */
  readonly preset?: string;
}

/**
 * Scheduled reports (docs/exports.md): a member subscribes to a dashboard with its filters, a cron
 * schedule in their time zone, PDF or CSV, by e-mail or signed webhook. The worker's poll turns each
 * due tick into one delivery row (committed before anything is sent, keyed `<subscription>:<tick>`)
 * and a `deliver-report` job; the job renders the file as the subscriber sees it, sends it, and logs
 * the outcome. Tenant first: every member-facing method takes the caller's organisation and finds
 * nothing of another's; the subscriber and the organisation's admins see a subscription, no one else.
 */
export class ReportSubscriptionsService {
  readonly table: ReportSubscriptions;
  private readonly now: () => number;
  private readonly channels: DeliveryChannels;

  constructor(private readonly options: ReportSubscriptionsOptions) {
    this.table = new ReportSubscriptions(options.store);
    this.now = options.now ?? Date.now;
    this.channels = new DeliveryChannels({ mail: options.mail, webhook: options.webhook, now: this.now });
    options.task.bind((id, context) => this.deliver(id, context));
  }

  async create(
    organisation: OrganisationId,
    caller: SubscriptionCaller,
    body: SubscriptionCreateBody,
    context: ActionContext,
  ): Promise<SubscriptionCreated> {
    sameOrganisation(organisation, caller);
    const viewer = { tenant: caller.tenant.slug, role: caller.role, user: caller.userId };
    const { request, cron } = await this.checked(organisation, viewer, body);
    const { target, secret } = this.channels.target(body.channel, body.url, caller.email);
    if ((await this.table.countOwn(organisation, caller.userId)) >= MAX_SUBSCRIPTIONS)
      throw new TrellisError('SUBSCRIPTION_LIMIT');
    const now = this.now();
    const row: SubscriptionRow = {
      id: newSubscriptionId(),
      organisation_id: organisation,
      tenant: caller.tenant.slug,
      user_id: caller.userId,
      role: caller.role,
      dashboard: body.dashboard,
      widget: body.format === 'csv' ? (body.widget ?? '') : '',
      format: body.format,
      request: JSON.stringify(request),
      schedule: body.schedule,
      time_zone: body.timeZone,
      channel: body.channel,
      target,
      secret,
      status: 'active',
      next_run_at: cron.next(now),
      created_at: now,
      updated_at: now,
    };
    await this.table.create(row);
    await this.options.audit.record(context, {
      action: 'subscription.create',
      outcome: 'success',
      target: row.dashboard,
      detail: { subscription: row.id, format: row.format, channel: row.channel, schedule: row.schedule },
    });
    return { subscription: present(row, caller, undefined), webhookSecret: secret };
  }

  /**
   * An edit: what the body names changes, the rest stays, and the result passes the same checks as a
   * new subscription — as the subscriber sees the dashboard (an admin editing a member's checks the
   * member's view). A new schedule starts from now; a new webhook URL gets a new signing secret
   * (answered this once); e-mail goes to the subscriber's own address.
   */
  async update(
    organisation: OrganisationId,
    caller: SubscriptionCaller,
    id: string,
    body: SubscriptionUpdateBody,
    context: ActionContext,
  ): Promise<SubscriptionCreated> {
    const row = await this.visible(organisation, caller, id);
    const own = row.user_id === caller.userId;
    const viewer = own
      ? { tenant: caller.tenant.slug, role: caller.role, user: caller.userId }
      : { tenant: tenantId(row.tenant), role: row.role as Role, user: row.user_id };
    const saved = JSON.parse(row.request) as SavedRequest;
    const format = body.format ?? row.format;
    // New filters replace the saved ones as a whole (a preset, or the format's own query/filters).
    const given = body.preset !== undefined || body.query !== undefined || body.filters !== undefined;
    const merged: SubscriptionCreateBody = {
      dashboard: row.dashboard,
      format,
      schedule: body.schedule ?? row.schedule,
      timeZone: body.timeZone ?? row.time_zone,
      channel: body.channel ?? row.channel,
      ...(format === 'csv' && (body.widget ?? row.widget) ? { widget: body.widget ?? row.widget } : {}),
      ...(given
        ? {
            ...(body.preset !== undefined ? { preset: body.preset } : {}),
            ...(body.query !== undefined ? { query: body.query } : {}),
            ...(body.filters !== undefined ? { filters: body.filters } : {}),
          }
        : saved.preset !== undefined
          ? { preset: saved.preset }
          : format === 'pdf'
            ? { query: saved.query ?? '' }
            : { filters: saved.filters ?? {} }),
      ...(body.url !== undefined ? { url: body.url } : {}),
    };
    const { request, cron } = await this.checked(organisation, viewer, merged);
    const now = this.now();
    const changes: Parameters<ReportSubscriptions['update']>[2] = {
      format,
      widget: format === 'csv' ? (merged.widget ?? '') : '',
      request: JSON.stringify(request),
      schedule: merged.schedule,
      time_zone: merged.timeZone,
    };
    if (row.status === 'active' && (merged.schedule !== row.schedule || merged.timeZone !== row.time_zone))
      changes.next_run_at = cron.next(now);
    let secret: string | null = null;
    if (merged.channel !== row.channel || (merged.channel === 'webhook' && body.url !== undefined)) {
      const email =
        merged.channel === 'email'
          ? await memberEmail(this.options.store, row.user_id, caller, 'SUBSCRIPTION_NOT_FOUND')
          : '';
      const next = this.channels.target(merged.channel, merged.url, email);
      Object.assign(changes, { channel: merged.channel, target: next.target, secret: next.secret });
      secret = next.secret;
    }
    await this.table.update(organisation, row.id, changes, now);
    await this.options.audit.record(context, {
      action: 'subscription.update',
      outcome: 'success',
      target: row.dashboard,
      detail: {
        subscription: row.id,
        changed: Object.keys(body).sort().join(','),
        format,
        channel: merged.channel,
        schedule: merged.schedule,
      },
    });
    const after = await this.visible(organisation, caller, id);
    const [last] = await this.table.deliveries(organisation, id);
    return { subscription: present(after, caller, last), webhookSecret: secret };
  }

  /**
   * A new or edited subscription's checks, the same as a download now (dashboard visible, downloads
   * allowed, filters) and again on every delivery (the project or the member's role may change);
   * returns what is saved and the schedule.
   */
  private async checked(
    organisation: OrganisationId,
    viewer: Viewer & { readonly user: string },
    body: SubscriptionCreateBody,
  ): Promise<{ request: SavedRequest; cron: ZonedCron }> {
    let request: SavedRequest;
    if (body.preset !== undefined) {
      if (body.filters !== undefined || body.query !== undefined)
        throw new TrellisError('VALIDATION_FAILED', {
          message: 'A report takes either a saved preset or its own filters, not both.',
        });
      // Visible to the subscriber now (theirs or shared in their organisation), or a 404 as for no preset.
      const preset = await this.options.presetFilters(organisation, viewer, body.dashboard, body.preset);
      await this.checkRequest(body, viewer, preset);
      request = { preset: body.preset };
    } else if (body.format === 'pdf') {
      const query = body.query ?? '';
      this.options.exports.checkDashboardPdf(body.dashboard, viewer, query);
      request = { query };
    } else {
      await this.checkRequest(body, viewer, { query: '', filters: body.filters ?? {} });
      request = { filters: body.filters ?? {} };
    }
    return { request, cron: scheduleOf(body.schedule, body.timeZone) };
  }

  async list(organisation: OrganisationId, caller: SubscriptionCaller): Promise<Subscription[]> {
    sameOrganisation(organisation, caller);
    const rows = await this.table.list(organisation, exportListScope(policyCaller(caller)).requester);
    const out: Subscription[] = [];
    for (const row of rows) {
      const [last] = await this.table.deliveries(organisation, row.id);
      out.push(present(row, caller, last));
    }
    return out;
  }

  async setActive(
    organisation: OrganisationId,
    caller: SubscriptionCaller,
    id: string,
    active: boolean,
    context: ActionContext,
  ): Promise<Subscription> {
    const row = await this.visible(organisation, caller, id);
    const now = this.now();
    // Resuming starts from now: ticks missed while paused are not sent late.
    const next = active ? scheduleOf(row.schedule, row.time_zone).next(now) : null;
    await this.table.setStatus(organisation, row.id, active ? 'active' : 'paused', next, now);
    await this.options.audit.record(context, {
      action: active ? 'subscription.resume' : 'subscription.pause',
      outcome: 'success',
      target: row.dashboard,
      detail: { subscription: row.id },
    });
    const after = await this.visible(organisation, caller, id);
    const [last] = await this.table.deliveries(organisation, id);
    return present(after, caller, last);
  }

  async remove(
    organisation: OrganisationId,
    caller: SubscriptionCaller,
    id: string,
    context: ActionContext,
  ): Promise<void> {
    const row = await this.visible(organisation, caller, id);
    await this.table.remove(organisation, row.id);
    await this.options.audit.record(context, {
      action: 'subscription.delete',
      outcome: 'success',
      target: row.dashboard,
      detail: { subscription: row.id },
    });
  }

  async deliveries(
    organisation: OrganisationId,
    caller: SubscriptionCaller,
    id: string,
  ): Promise<ReportDelivery[]> {
    const row = await this.visible(organisation, caller, id);
    return (await this.table.deliveries(organisation, row.id)).map(presentDelivery);
  }

  /**
   * The worker's poll: each due tick becomes one delivery row and one job (both keyed, so two
   * workers polling at once, or a poll after a crash between the two, still make one delivery).
   * Deliveries whose job was lost are enqueued again.
   */
  async enqueueDue(): Promise<number> {
    const now = this.now();
    let made = 0;
    for (const sub of await this.table.due(now, 100)) {
      let next: number | null;
      try {
        next = scheduleOf(sub.schedule, sub.time_zone).next(now);
      } catch (err) {
        this.options.logger.error({ err, subscription: sub.id }, 'subscription schedule no longer parses');
        next = null;
      }
      const delivery = await this.table.claimTick(sub, next, now);
      if (!delivery) continue;
      await this.enqueue(delivery);
      made++;
    }
    for (const stale of await this.table.log.stale(now, STALE_DELIVERY_MS, 100)) await this.enqueue(stale);
    return made;
  }

  private async enqueue(delivery: DeliveryRow): Promise<void> {
    await this.options.task.enqueue(
      this.options.queue,
      { deliveryId: delivery.id },
      { idempotencyKey: `report:${delivery.id}:${delivery.updated_at}` },
    );
  }

  /**
   * One delivery on the worker (reports/run-delivery.ts): the file is rendered as the subscriber sees
   * the dashboard now, the row marked `sending`, the message sent with the delivery's id as its
   * Message-ID / `X-Trellis-Delivery` in the subscriber's language, the row marked `sent`.
   */
  async deliver(deliveryId: string, context: TaskContext): Promise<void> {
    const delivery = await this.table.delivery(deliveryId);
    if (!isOpen(delivery)) return;
    const sub = await this.table.byId(delivery.subscription_id);
    if (!sub) {
      await this.table.log.finish(delivery.id, 'failed', { errorCode: 'SUBSCRIPTION_NOT_FOUND' }, this.now());
      return;
    }
    const audit: ActionContext = {
      actor: sub.user_id,
      ip: null,
      requestId: delivery.id,
      organisationId: sub.organisation_id,
    };
    await runDelivery({
      log: this.table.log,
      id: delivery.id,
      context,
      now: this.now,
      logger: this.options.logger,
      what: 'report delivery failed',
      prepare: async () => {
        // A target it may not reach (a name now resolving to loopback) fails before any rendering.
        await this.channels.assertReachable(sub.channel, sub.target);
        return this.render(sub, delivery, context.signal);
      },
      send: async (file) =>
        sub.channel === 'email'
          ? this.sendMail(sub, delivery, file)
          : this.channels.postSigned(
              sub.target,
              sub.secret,
              delivery.id,
              hookBody(sub, delivery, file),
              context.signal,
            ),
      bytes: (file) => file.content.length,
      settled: async (result, error, file) => {
        this.options.metrics.reportDeliveries.inc({ channel: sub.channel, result });
        if (result === 'retry') return;
        const detail = { subscription: sub.id, delivery: delivery.id, channel: sub.channel };
        await this.options.audit.record(audit, {
          action: 'report.deliver',
          outcome: result === 'sent' ? 'success' : 'failure',
          target: sub.dashboard,
          detail:
            result === 'sent' ? { ...detail, bytes: file?.content.length ?? null } : { ...detail, error },
        });
      },
    });
  }

  /** A preset's request checked as a download now: the PDF's filter query, or the CSV's count. */
  private async checkRequest(
    body: Pick<SubscriptionCreateBody, 'dashboard' | 'format' | 'widget'>,
    viewer: Viewer & { readonly user: string },
    preset: PresetRequest,
  ): Promise<void> {
    if (body.format === 'pdf') {
      this.options.exports.checkDashboardPdf(body.dashboard, viewer, preset.query);
      return;
    }
    if (!body.widget)
      throw new TrellisError('VALIDATION_FAILED', {
        message: 'A CSV report names the widget whose rows it sends.',
      });
    await this.options.exports.count({
      dashboard: body.dashboard,
      widget: body.widget,
      format: 'csv',
      filters: preset.filters,
      viewer,
    });
  }

  /** The request a delivery renders: a preset's filters as they are now (the subscriber's view of it). */
  private async resolved(sub: SubscriptionRow, request: SavedRequest): Promise<SavedRequest> {
    if (request.preset === undefined) return request;
    const viewer = { tenant: tenantId(sub.tenant), role: sub.role as Role, user: sub.user_id };
    const preset = await this.options.presetFilters(
      sub.organisation_id as OrganisationId,
      viewer,
      sub.dashboard,
      request.preset,
    );
    return { query: preset.query, filters: preset.filters };
  }

  /** The report's file, as the subscriber sees the dashboard now; at most `maxBytes`. */
  private async render(
    sub: SubscriptionRow,
    delivery: DeliveryRow,
    signal: AbortSignal,
  ): Promise<ReportFile> {
    const request = await this.resolved(sub, JSON.parse(sub.request) as SavedRequest);
    const day = new Date(Number(delivery.tick)).toISOString().slice(0, 10);
    const safe = sub.dashboard.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 80) || 'dashboard';
    const role = sub.role as Role;
    if (sub.format === 'pdf') {
      const content = await this.options.renderPdf({
        organisationId: sub.organisation_id,
        tenant: sub.tenant,
        userId: sub.user_id,
        email: sub.channel === 'email' ? sub.target : '',
        organisationName: sub.tenant,
        role,
        dashboard: sub.dashboard,
        query: request.query ?? '',
        paper: 'A4',
        orientation: 'portrait',
        signal,
      });
      if (content.length > this.options.maxBytes)
        throw new TrellisError('REPORT_TOO_LARGE', { detail: { bytes: content.length } });
      return { filename: `${safe}-${day}.pdf`, contentType: 'application/pdf', content };
    }
    const file = await this.options.exports.open({
      dashboard: sub.dashboard,
      widget: sub.widget,
      format: 'csv',
      filters: request.filters ?? {},
      viewer: { tenant: tenantId(sub.tenant), role, user: sub.user_id },
      context: { actor: sub.user_id, ip: null, requestId: delivery.id, organisationId: sub.organisation_id },
      signal,
    });
    const chunks: Buffer[] = [];
    let bytes = 0;
    for await (const chunk of file.body) {
      const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
      bytes += b.length;
      if (bytes > this.options.maxBytes) {
        file.body.destroy();
        throw new TrellisError('REPORT_TOO_LARGE', { detail: { bytes } });
      }
      chunks.push(b);
    }
    return { filename: file.fileName, contentType: 'text/csv', content: Buffer.concat(chunks) };
  }

  private async sendMail(sub: SubscriptionRow, delivery: DeliveryRow, file: ReportFile): Promise<void> {
    const origin = this.channels.publicOrigin;
    const message = reportMessage((await this.options.localeOf(sub.user_id)) ?? 'en', {
      dashboard: sub.dashboard,
      when: new Date(Number(delivery.tick)).toISOString().replace('T', ' ').slice(0, 16),
      file: file.filename,
      link: new URL(`/d/${encodeURIComponent(sub.dashboard)}`, origin).toString(),
      manage: new URL('/subscriptions', origin).toString(),
    });
    await this.channels.sendMail(
      { to: sub.target, ...message, attachments: [file], messageId: `<${delivery.id}@trellis.reports>` },
      { delivery: delivery.id },
    );
  }

  private async visible(
    organisation: OrganisationId,
    caller: SubscriptionCaller,
    id: string,
  ): Promise<SubscriptionRow> {
    sameOrganisation(organisation, caller);
    const row = await this.table.find(organisation, id);
    // The same rule as export files: the member who made it, and the organisation's admins.
    if (
      !row ||
      !mayAccessExportFile(policyCaller(caller), {
        organisationId: row.organisation_id,
        requestedBy: row.user_id,
      })
    )
      throw new TrellisError('SUBSCRIPTION_NOT_FOUND');
    return row;
  }
}

interface ReportFile {
  readonly filename: string;
  readonly contentType: string;
  readonly content: Buffer;
}

function hookBody(sub: SubscriptionRow, delivery: DeliveryRow, file: ReportFile): string {
  return JSON.stringify({
    delivery: delivery.id,
    subscription: sub.id,
    dashboard: sub.dashboard,
    widget: sub.widget || null,
    tick: new Date(Number(delivery.tick)).toISOString(),
    format: sub.format,
    fileName: file.filename,
    contentType: file.contentType,
    contentBase64: file.content.toString('base64'),
  });
}

function sameOrganisation(organisation: OrganisationId, caller: SubscriptionCaller): void {
  if (organisation !== caller.tenant.id) throw new TrellisError('SUBSCRIPTION_NOT_FOUND');
}

function scheduleOf(schedule: string, timeZone: string): ZonedCron {
  let cron: ZonedCron;
  try {
    cron = parseZonedCron(schedule, timeZone);
  } catch (err) {
    throw new TrellisError('SCHEDULE_INVALID', { message: `${(err as Error).message}.`, cause: err });
  }
  // Bounded: a report is a Chromium render or a whole export, so not every minute.
  let t = cron.next(Date.UTC(2026, 0, 5));
  for (let i = 0; i < 50 && t !== null; i++) {
    const n = cron.next(t);
    if (n !== null && n - t < MIN_INTERVAL_MS)
      throw new TrellisError('SCHEDULE_INVALID', {
        message: 'A report may be sent at most every 15 minutes.',
      });
    t = n;
  }
  return cron;
}

function policyCaller(caller: SubscriptionCaller) {
  return { organisationId: caller.tenant.id, userId: caller.userId, role: caller.role };
}

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(Number(ms)).toISOString();
}

function presentDelivery(row: DeliveryRow): ReportDelivery {
  return {
    id: row.id,
    tick: new Date(Number(row.tick)).toISOString(),
    status: row.status,
    attempts: Number(row.attempts),
    error: presentDeliveryError(row.error_code, 'The delivery failed.'),
    bytes: row.bytes === null ? null : Number(row.bytes),
    createdAt: new Date(Number(row.created_at)).toISOString(),
    sentAt: iso(row.sent_at),
  };
}

function present(
  row: SubscriptionRow,
  caller: SubscriptionCaller,
  last: DeliveryRow | undefined,
): Subscription {
  const request = JSON.parse(row.request) as SavedRequest;
  return {
    id: row.id,
    dashboard: row.dashboard,
    widget: row.widget || null,
    format: row.format,
    query: request.query ?? null,
    filters: request.filters ?? null,
    preset: request.preset ?? null,
    schedule: row.schedule,
    timeZone: row.time_zone,
    channel: row.channel,
    target: row.target,
    status: row.status,
    nextRunAt: iso(row.next_run_at),
    mine: row.user_id === caller.userId,
    lastDelivery: last ? presentDelivery(last) : null,
    createdAt: new Date(Number(row.created_at)).toISOString(),
  };
}
