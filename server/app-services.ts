import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppConfig } from './config/env.js';
import type { Project } from './config/project/project.types.js';
import { StreamQuota } from './http/stream-quota.js';
import { TokenBuckets, userRateLimit } from './http/user-rate-limit.js';
import { Metrics } from './observability/metrics.js';
import type { Permission } from './policies/permissions.js';
import type { Cache } from './cache/cache.js';
import { CircuitBreakers } from './resilience/circuit-breaker.js';
import { openCache } from './cache/open-cache.js';
import type { Engine } from './query/engine.js';
import { DashboardEvents } from './services/dashboard-events.service.js';
import { AccountsService } from './auth/accounts.service.js';
import { SessionsService } from './auth/sessions.service.js';
import { ApiTokensService } from './auth/api-tokens.service.js';
import { LoginLinksService } from './auth/login-links.service.js';
import { MembersService } from './auth/members.service.js';
import { OwnSessionsService } from './auth/own-sessions.service.js';
import { UserSettingsService } from './auth/user-settings.service.js';
import { AuditQueryService } from './audit/audit-query.service.js';
import { InvitationsService } from './auth/invitations.service.js';
import { OwnPasswordService } from './auth/own-password.service.js';
import { smtpMailer } from './mail/mailer.js';
import { openStore, type Store } from './store/store.js';
import { QueryRunner } from './services/query-runner.js';
import { JobSystem, type JobSystemOptions } from './jobs/job-system.js';
import type { PipelineRunner } from './jobs/pipeline-contract.js';
import { createPipelineRunner } from './jobs/pipelines/pipeline-runner.js';
import { openCoordination } from './jobs/coordination/open-coordination.js';
import type { Queue } from './jobs/queue.js';
import { UploadsService } from './uploads/uploads.service.js';
import { AuditRecorder } from './audit/audit-recorder.js';
import { WidgetExports } from './services/widget-export.service.js';
import { PresetsService } from './services/presets.service.js';
import { LayoutsService } from './services/layouts.service.js';
import type { DevReloadHub } from './services/dev-reload.service.js';
import { ExportJobs } from './services/export-jobs.service.js';
import { PdfRenderer } from './exports/dashboard-pdf.js';
import { ExportFileTask } from './jobs/tasks/export-file.task.js';
import { ImportUploadTask } from './jobs/tasks/import-upload.task.js';
import { DeliverReportTask } from './jobs/tasks/deliver-report.task.js';
import { ReportSubscriptionsService } from './services/report-subscriptions.service.js';
import { DeliverAlertTask } from './jobs/tasks/deliver-alert.task.js';
import { AlertsService } from './services/alerts.service.js';
import { presetFiltersFrom } from './services/subscription-presets.js';
import { parseAllowList } from './reports/webhook-address.js';
import type { Resolver } from './reports/webhook-client.js';

/**
 * The composition root: every service the app holds, built once per app and passed explicitly (no
 * globals). Each route module takes only the part it uses (`type Deps = Pick<AppServices, …>` at
 * its top), so a route's dependencies are read off its first lines and a test can hand it just those.
 */

export interface RouteInfo {
  readonly method: string;
  readonly url: string;
  readonly permission: Permission;
}

export interface AppServices {
  readonly project: Project;
  readonly engines: ReadonlyMap<string, Engine>;
  readonly runner: QueryRunner;
  readonly cache: Cache;
  readonly events: DashboardEvents;
  readonly metrics: Metrics;
  readonly lifecycle: { stopping: boolean };
  readonly store: Store;
  readonly accounts: AccountsService;
  readonly sessions: SessionsService;
  readonly members: MembersService;
  readonly invitations: InvitationsService;
  readonly ownPassword: OwnPasswordService;
  readonly ownSessions: OwnSessionsService;
  /** The person's own settings across organisations (language). */
  readonly userSettings: UserSettingsService;
  readonly tokens: ApiTokensService;
  readonly loginLinks: LoginLinksService;
  readonly audit: AuditQueryService;
  /** Queue, runs, run events, publications; the worker starts only when asked (serve, worker). */
  readonly jobs: JobSystem;
  /** Upload targets and received files (docs/uploads.md). */
  readonly uploads: UploadsService;
  /** Every route with its declared permission (see policies/permissions.ts). */
  readonly routes: RouteInfo[];
  /** Widget exports (docs/exports.md). */
  readonly exports: WidgetExports;
  /** The per-user token bucket of the data API (widget data, filter options): a route hook. */
  readonly dataRateLimit: (request: FastifyRequest) => Promise<void>;
  /** Open update streams per user, per kind. */
  readonly streamQuotas: { readonly dashboards: StreamQuota; readonly runs: StreamQuota };
  /** Export jobs: large exports written on the worker, kept for download (docs/exports.md). */
  readonly exportJobs: ExportJobs;
  /** Saved filter presets and per-user dashboard settings (docs/dashboards.md). */
  readonly presets: PresetsService;
  /** Each user's own layout of a dashboard (docs/dashboards.md). */
  readonly layouts: LayoutsService;
  /** Scheduled reports: subscriptions, their deliveries (docs/exports.md). */
  readonly subscriptions: ReportSubscriptionsService;
  /** Alerts on KPI widgets: rules, their checks and notifications (docs/exports.md). */
  readonly alerts: AlertsService;
}

export interface BuildAppOptions {
  readonly config: AppConfig;
  readonly project: Project;
  readonly engines: ReadonlyMap<string, Engine>;
  /**
   * A cache to use instead of opening the configured one (tests share one between apps to play two
   * instances). The caller then owns it and closes it; otherwise the app closes its own.
   */
  readonly cache?: Cache;
  /**
   * The metadata store (users, sessions, audit), migrated; the caller owns and closes it. `serve`
   * opens the configured one. Without it the app opens a private in-memory SQLite store, so apps
   * built by tests and tools that never sign in need no files.
   */
  readonly store?: Store;
  /** The clock of the session service; tests move it instead of sleeping. */
  readonly now?: () => number;
  /** What runs the project's pipelines (default: the project's `pipelines/*.yaml`). */
  readonly pipelines?: PipelineRunner;
  /** A job queue to use instead of opening the configured one (the caller closes it). */
  readonly queue?: Queue;
  /** Shorter job-system timings for tests. */
  readonly jobTimings?: JobSystemOptions['timings'];
  /** `trellis dev` only: project-change events for open pages (GET /api/v1/dev/events). */
  readonly devReload?: DevReloadHub;
  /** Export jobs' progress and cancel-check interval (tests shorten it). */
  readonly exportProgressMs?: number;
  /** Webhook name resolution (tests point names at their receivers; default: the system's). */
  readonly webhookResolver?: Resolver;
}

/**
 * Builds every service of one app. What the app opened itself (cache, store, mailer) it closes on
 * the app's close; what the caller passed in, the caller closes. Streams end and running jobs reach a
 * checkpoint before anything closes (preClose).
 */
export async function composeServices(app: FastifyInstance, options: BuildAppOptions): Promise<AppServices> {
  const { config, project, engines, now } = options;
  const metrics = new Metrics();
  const cacheLog = app.log.child({ component: 'cache' });
  const cache =
    options.cache ??
    (await openCache(config.cache, config.cache.namespace ?? project.name, cacheLog, metrics.cache));
  if (!options.cache) app.addHook('onClose', async () => cache.close());
  const breakers = new CircuitBreakers({
    failureThreshold: config.breaker.failureThreshold,
    coolDownMs: config.breaker.coolDownMs,
    onStateChange: (source, from, to) => {
      metrics.setCircuitState(source, to);
      const level = to === 'open' ? 'warn' : 'info';
      app.log[level]({ source, from, to }, `source circuit ${to}`);
    },
  });
  for (const source of engines.keys()) metrics.setCircuitState(source, 'closed');
  const store = options.store ?? (await openStore({ kind: 'memory' }));
  if (!options.store) app.addHook('onClose', async () => store.close());
  const sessions = new SessionsService(store, config.sessions, now);
  const runner = new QueryRunner({ project, engines, metrics, cache, breakers, logger: cacheLog });
  const widgetExports = new WidgetExports({
    project,
    engines,
    runner,
    metrics,
    audit: new AuditRecorder(store, now),
    ...(now ? { now } : {}),
  });
  // Named rate limits and locks: in Redis when TRELLIS_REDIS_URL is set, else in the metadata store.
  const coordination = await openCoordination(store, config.jobs.redisUrl);
  app.addHook('onClose', async () => coordination.close());
  const exportTask = new ExportFileTask(config.jobs.jobTimeoutMs);
  const reportTask = new DeliverReportTask(config.jobs.jobTimeoutMs);
  const alertTask = new DeliverAlertTask(config.jobs.jobTimeoutMs);
  const importTask = new ImportUploadTask(config.jobs.jobTimeoutMs);
  const jobs = await JobSystem.open({
    tasks: [exportTask, reportTask, alertTask, importTask],
    // Due scheduled reports become deliveries and due alert rules are checked (both services exist
    // by the time the worker starts).
    polls: [
      { everyMs: config.reports.pollMs, run: async () => void (await subscriptions.enqueueDue()) },
      { everyMs: config.reports.pollMs, run: async () => void (await alerts.checkDue()) },
    ],
    // The worker's housekeeping deletes expired export files (exportJobs exists by the time it runs).
    housekeeping: async () => {
      await exportJobs.sweep();
    },
    config: config.jobs,
    store,
    project,
    engines,
    invalidate: (datasets) => runner.invalidate(datasets),
    pipelines:
      options.pipelines ??
      createPipelineRunner({
        project,
        environment: config.environment,
        logger: app.log.child({ component: 'pipelines' }),
        ingest: config.ingest,
        coordination,
      }),
    ...(options.queue ? { queue: options.queue } : {}),
    ...(options.jobTimings ? { timings: options.jobTimings } : {}),
    namespace: config.cache.namespace ?? project.name,
    maxEventStreams: config.maxEventStreams,
    logger: app.log.child({ component: 'jobs' }),
  });
  const exportJobs = new ExportJobs({
    store,
    queue: jobs.queue,
    task: exportTask,
    exports: widgetExports,
    audit: new AuditRecorder(store, now),
    dir: config.exports.dir,
    jobRows: config.exports.jobRows,
    keepMs: config.exports.keepMs,
    logger: app.log.child({ component: 'exports' }),
    ...(now ? { now } : {}),
    ...(options.exportProgressMs ? { progressMs: options.exportProgressMs } : {}),
    pdf: {
      renderer: new PdfRenderer({
        executablePath: config.pdf.chromium,
        pool: config.pdf.pool,
        timeoutMs: config.pdf.timeoutMs,
      }),
      // The worker's Chromium opens the web app: configured, or this process's own listener.
      baseUrl: () => config.pdf.baseUrl ?? ownAddress(app) ?? `http://127.0.0.1:${config.port}`,
      secret: config.sessions.secret,
    },
  });
  // Outgoing e-mail only with SMTP settings; links in it are built from TRELLIS_PUBLIC_URL.
  const mailer = config.mail ? await smtpMailer(config.mail) : undefined;
  if (mailer) app.addHook('onClose', async () => mailer.close());
  const mail = mailer && config.mail ? { mailer, publicOrigin: config.mail.publicOrigin } : undefined;
  const mailLog = app.log.child({ component: 'mail' });
  const presets = new PresetsService(store, now);
  // Alert and report messages are written in the recipient's saved language.
  const userSettings = new UserSettingsService(store, now);
  const subscriptions = new ReportSubscriptionsService({
    store,
    queue: jobs.queue,
    task: reportTask,
    exports: widgetExports,
    renderPdf: (request) => exportJobs.renderDashboard(request),
    audit: new AuditRecorder(store, now),
    metrics,
    mail,
    webhook: {
      allow: parseAllowList(config.reports.webhookAllow),
      ...(options.webhookResolver ? { resolve: options.webhookResolver } : {}),
    },
    maxBytes: config.reports.maxBytes,
    logger: app.log.child({ component: 'reports' }),
    presetFilters: presetFiltersFrom(project, presets),
    localeOf: (user) => userSettings.locale(user),
    ...(now ? { now } : {}),
  });
  const alerts = new AlertsService({
    store,
    project,
    runner,
    queue: jobs.queue,
    task: alertTask,
    audit: new AuditRecorder(store, now),
    metrics,
    mail,
    webhook: {
      allow: parseAllowList(config.reports.webhookAllow),
      ...(options.webhookResolver ? { resolve: options.webhookResolver } : {}),
    },
    logger: app.log.child({ component: 'alerts' }),
    localeOf: (user) => userSettings.locale(user),
    ...(now ? { now } : {}),
  });
  // Imports run on a worker (the import-upload task); the file lies in the shared upload folder.
  const uploads = new UploadsService(project, store, config.uploads.tempDir, metrics, now, {
    publish: (datasets) => jobs.publications.publish(datasets),
    ingest: config.ingest,
    locks: coordination.locks,
    lockTtlMs: config.jobs.leaseMs,
    environment: config.environment,
    queue: {
      enqueue: (payload) =>
        importTask.enqueue(jobs.queue, payload, { idempotencyKey: `upload-import:${payload.uploadId}` }),
      state: async (job) => (await jobs.queue.getJob(job))?.status,
    },
  });
  importTask.bind((payload, context) => uploads.runImport(payload, context.job));
  const services: AppServices = {
    project,
    engines,
    runner,
    cache,
    events: new DashboardEvents(project, cache, config.maxEventStreams),
    metrics,
    lifecycle: { stopping: false },
    store,
    accounts: new AccountsService(store, now),
    sessions,
    members: new MembersService(store, now),
    invitations: new InvitationsService(store, mail, now),
    ownPassword: new OwnPasswordService(
      store,
      config.sessions,
      mail,
      (error) => mailLog.error({ err: error }, 'password reset e-mail not sent'),
      now,
    ),
    ownSessions: new OwnSessionsService(store, sessions, config.sessions, now),
    userSettings,
    tokens: new ApiTokensService(store, now),
    loginLinks: new LoginLinksService(store, sessions, now),
    audit: new AuditQueryService(store, now),
    jobs,
    uploads,
    routes: [],
    exports: widgetExports,
    exportJobs,
    dataRateLimit: userRateLimit(new TokenBuckets(config.dataRateLimit)),
    streamQuotas: {
      dashboards: new StreamQuota(config.maxStreamsPerUser),
      runs: new StreamQuota(config.maxStreamsPerUser),
    },
    presets,
    layouts: new LayoutsService(store, now),
    subscriptions,
    alerts,
  };
  metrics.trackEventStreams(() => services.events.open);
  return services;
}

/**
 * The app's shutdown order: the draining flag first (responses ask clients to reconnect elsewhere),
 * then open update streams end — they would hold the shutdown until its grace ran out — and running
 * jobs get the worker's grace to reach a checkpoint, before anything closes the store.
 */
export function installShutdown(app: FastifyInstance, services: AppServices, shutdownGraceMs: number): void {
  app.addHook('onClose', async () => {
    services.lifecycle.stopping = true;
  });
  app.addHook('preClose', async () => {
    services.events.close();
    services.jobs.events.close();
  });
  app.addHook('preClose', async () => services.jobs.stop(shutdownGraceMs));
}

/** This app's own HTTP address once it listens, for the PDF renderer; else undefined. */
function ownAddress(app: FastifyInstance): string | undefined {
  const a = app.server.listening ? app.server.address() : null;
  if (!a || typeof a === 'string') return undefined;
  const host = a.family === 'IPv6' ? `[${a.address}]` : a.address;
  return `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${a.port}`;
}
