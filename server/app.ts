import fastifySwagger from '@fastify/swagger';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from '@fastify/type-provider-zod';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import type { AppConfig } from './config/env.js';
import type { Project } from './config/project/project.types.js';
import { badUrlHandler, installErrorHandling } from './http/error-handler.js';
import { requestIdGenerator } from './http/request-id.js';
import { installHostCheck } from './http/host-check.js';
import { StreamQuota } from './http/stream-quota.js';
import { TokenBuckets, userRateLimit } from './http/user-rate-limit.js';
import { securityHeaders } from './http/security-headers.js';
import { loggerOptions } from './observability/logger.js';
import { installRequestLog } from './http/request-log.js';
import { Metrics } from './observability/metrics.js';
import { isPermission, type Permission, type RouteConfig } from './policies/permissions.js';
import type { Cache } from './cache/cache.js';
import { CircuitBreakers } from './resilience/circuit-breaker.js';
import { openCache } from './cache/open-cache.js';
import type { Engine } from './query/engine.js';
import { dashboardsRoutes } from './routes/dashboards/dashboards.routes.js';
import { eventsRoutes } from './routes/dashboards/events.routes.js';
import { filtersRoutes } from './routes/dashboards/filters.routes.js';
import { widgetsRoutes } from './routes/dashboards/widgets.routes.js';
import { healthRoutes } from './routes/system/health.routes.js';
import { appShellRoutes } from './routes/app-shell/app-shell.routes.js';
import { DashboardEvents } from './services/dashboard-events.service.js';
import { AccountsService } from './auth/accounts.service.js';
import { SessionsService } from './auth/sessions.service.js';
import { installAuthentication } from './http/authenticate.js';
import { sessionRoutes } from './routes/session/session.routes.js';
import { ApiTokensService } from './auth/api-tokens.service.js';
import { LoginLinksService } from './auth/login-links.service.js';
import { MembersService } from './auth/members.service.js';
import { OwnSessionsService } from './auth/own-sessions.service.js';
import { AuditQueryService } from './audit/audit-query.service.js';
import { membersRoutes } from './routes/admin/members.routes.js';
import { invitationsAdminRoutes } from './routes/admin/invitations.routes.js';
import { invitationRoutes } from './routes/invitations/invitation.routes.js';
import { passwordRoutes } from './routes/session/password.routes.js';
import { InvitationsService } from './auth/invitations.service.js';
import { OwnPasswordService } from './auth/own-password.service.js';
import { smtpMailer } from './mail/mailer.js';
import { auditRoutes } from './routes/audit/audit.routes.js';
import { loginLinkRoutes } from './routes/session/login-link.routes.js';
import { ownSessionsRoutes } from './routes/session/own-sessions.routes.js';
import { tokensRoutes } from './routes/tokens/tokens.routes.js';
import { openStore, type Store } from './store/store.js';
import { QueryRunner } from './services/query-runner.js';
import { JobSystem, type JobSystemOptions } from './jobs/job-system.js';
import type { PipelineRunner } from './jobs/pipeline-contract.js';
import { createPipelineRunner } from './jobs/pipelines/pipeline-runner.js';
import type { Queue } from './jobs/queue.js';
import { jobsRoutes } from './routes/jobs/jobs.routes.js';
import { runEventsRoutes } from './routes/jobs/run-events.routes.js';
import { uploadsRoutes } from './routes/uploads/uploads.routes.js';
import { UploadsService } from './uploads/uploads.service.js';
import { AuditRecorder } from './audit/audit-recorder.js';
import { exportsRoutes } from './routes/dashboards/exports.routes.js';
import { WidgetExports } from './services/widget-export.service.js';
import { ExportJobs } from './services/export-jobs.service.js';
import { ExportFileTask } from './jobs/tasks/export-file.task.js';
import { exportJobsRoutes } from './routes/exports/export-jobs.routes.js';
import { PdfRenderer } from './exports/dashboard-pdf.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    permission?: RouteConfig['permission'];
  }
}

export interface RouteInfo {
  readonly method: string;
  readonly url: string;
  readonly permission: Permission;
}

/** What routes reach: built once per app, passed explicitly (no globals). */
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
  /** Export jobs: large exports written on the worker, kept for download (docs/exports.md). */
  readonly exportJobs: ExportJobs;
  /** The per-user token bucket of the data API (widget data, filter options): a route hook. */
  readonly dataRateLimit: (request: FastifyRequest) => Promise<void>;
  /** Open update streams per user, per kind. */
  readonly streamQuotas: { readonly dashboards: StreamQuota; readonly runs: StreamQuota };
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
  /** Export jobs' progress and cancel-check interval (tests shorten it). */
  readonly exportProgressMs?: number;
}

/** Builds the HTTP app without listening, so tests drive it through inject(). */
export async function buildApp(
  options: BuildAppOptions,
): Promise<FastifyInstance & { services: AppServices }> {
  const { config, project, engines } = options;
  const app = Fastify({
    logger: loggerOptions(config.logLevel),
    // One access-log line per request at most, as TRELLIS_REQUEST_LOG says (installRequestLog).
    disableRequestLogging: true,
    genReqId: requestIdGenerator(config.trustProxy),
    bodyLimit: config.bodyLimit,
    // Headers and whole requests are bounded in time too (slowloris); queries have their own timeout.
    requestTimeout: 60_000,
    connectionTimeout: 60_000,
    return503OnClosing: true,
    routerOptions: { maxParamLength: 200 },
    // Behind a proxy the client address (per-IP login throttling, audit) comes from X-Forwarded-For.
    trustProxy: trustProxy(config.trustProxy),
    // A URL Fastify cannot decode (`/%c0`) gets our error shape and headers, not Fastify's own body.
    frameworkErrors: badUrlHandler(config.publicOrigin),
  }).withTypeProvider<ZodTypeProvider>();
  // Only JSON bodies are documented (415 UNSUPPORTED_MEDIA_TYPE for the rest); Fastify's built-in
  // text/plain parser would hand a string to the JSON schema and answer 400 instead.
  app.removeContentTypeParser('text/plain');
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

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
  const sessions = new SessionsService(store, config.sessions, options.now);
  const runner = new QueryRunner({ project, engines, metrics, cache, breakers, logger: cacheLog });
  const widgetExports = new WidgetExports({
    project,
    engines,
    runner,
    metrics,
    audit: new AuditRecorder(store, options.now),
    ...(options.now ? { now: options.now } : {}),
  });
  const exportTask = new ExportFileTask(config.jobs.jobTimeoutMs);
  const jobs = new JobSystem({
    tasks: [exportTask],
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
    audit: new AuditRecorder(store, options.now),
    dir: config.exports.dir,
    jobRows: config.exports.jobRows,
    keepMs: config.exports.keepMs,
    logger: app.log.child({ component: 'exports' }),
    ...(options.now ? { now: options.now } : {}),
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
  const mailer = config.mail ? smtpMailer(config.mail) : undefined;
  if (mailer) app.addHook('onClose', async () => mailer.close());
  const mail = mailer && config.mail ? { mailer, publicOrigin: config.mail.publicOrigin } : undefined;
  const mailLog = app.log.child({ component: 'mail' });
  const services: AppServices = {
    project,
    engines,
    runner,
    cache,
    events: new DashboardEvents(project, cache, config.maxEventStreams),
    metrics,
    lifecycle: { stopping: false },
    store,
    accounts: new AccountsService(store, options.now),
    sessions,
    members: new MembersService(store, options.now),
    invitations: new InvitationsService(store, mail, options.now),
    ownPassword: new OwnPasswordService(
      store,
      config.sessions,
      mail,
      (error) => mailLog.error({ err: error }, 'password reset e-mail not sent'),
      options.now,
    ),
    ownSessions: new OwnSessionsService(store, sessions, config.sessions, options.now),
    tokens: new ApiTokensService(store, options.now),
    loginLinks: new LoginLinksService(store, sessions, options.now),
    audit: new AuditQueryService(store, options.now),
    jobs,
    uploads: new UploadsService(project, store, config.uploads.tempDir, metrics, options.now),
    routes: [],
    exports: widgetExports,
    exportJobs,
    dataRateLimit: userRateLimit(new TokenBuckets(config.dataRateLimit)),
    streamQuotas: {
      dashboards: new StreamQuota(config.maxStreamsPerUser),
      runs: new StreamQuota(config.maxStreamsPerUser),
    },
  };
  app.decorate('services', services);
  metrics.trackEventStreams(() => services.events.open);
  // A route without a declared permission is a build error, not a silent public endpoint.
  app.addHook('onRoute', (route) => {
    const permission = route.config?.permission;
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (!isPermission(permission))
      throw new Error(`route ${methods.join(',')} ${route.url} declares no permission`);
    for (const method of methods) services.routes.push({ method, url: route.url, permission });
  });

  installErrorHandling(app, metrics);
  // Before authentication: a request for a host this server does not serve (DNS rebinding) stops here.
  installHostCheck(app, config.allowedHosts);
  installRequestLog(app, config.requestLog);
  installAuthentication(app, services, {
    secureCookie: config.sessions.secureCookie,
    secret: config.sessions.secret,
    publicOrigin: config.publicOrigin,
  });
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  app.addHook('onResponse', async (request, reply) => {
    metrics.httpDuration.observe(
      {
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched',
        status: String(reply.statusCode),
      },
      reply.elapsedTime / 1000,
    );
  });
  app.addHook('onSend', async (_request, reply, payload) => {
    securityHeaders(reply, config.publicOrigin);
    // Draining before shutdown: the client's next request opens a new connection, which the load
    // balancer sends elsewhere — instead of a kept-alive one that would be closed under it.
    if (services.lifecycle.stopping) reply.header('connection', 'close');
    return payload;
  });
  app.addHook('onClose', async () => {
    services.lifecycle.stopping = true;
  });
  // Open update streams would hold the shutdown until its grace ran out: end them first.
  app.addHook('preClose', async () => {
    services.events.close();
    jobs.events.close();
  });
  // Running jobs get the worker's grace to reach a checkpoint, before anything closes the store.
  app.addHook('preClose', async () => jobs.stop(config.jobs.shutdownGraceMs));

  await app.register(fastifySwagger, {
    openapi: {
      info: {
        title: 'Trellis API',
        version: '1.0.0',
        description: 'Dashboards, widget data and filter options. Errors: docs/errors.md.',
      },
    },
    transform: jsonSchemaTransform,
  });
  app.get('/api/v1/openapi.json', { config: { permission: 'public' }, schema: { hide: true } }, async () =>
    app.swagger(),
  );

  await app.register(healthRoutes(services));
  await app.register(dashboardsRoutes(services));
  await app.register(widgetsRoutes(services));
  await app.register(filtersRoutes(services));
  await app.register(eventsRoutes(services));
  await app.register(exportsRoutes(services));
  await app.register(exportJobsRoutes(services));
  const presenter = {
    secureCookie: config.sessions.secureCookie,
    secret: config.sessions.secret,
    idleTimeoutSeconds: sessions.idleTimeoutSeconds,
  };
  await app.register(sessionRoutes(services, presenter));
  await app.register(ownSessionsRoutes(services, presenter));
  await app.register(loginLinkRoutes(services, presenter));
  await app.register(tokensRoutes(services));
  await app.register(membersRoutes(services));
  await app.register(invitationsAdminRoutes(services));
  await app.register(invitationRoutes(services));
  await app.register(passwordRoutes(services));
  await app.register(auditRoutes(services));
  await app.register(jobsRoutes(services));
  await app.register(runEventsRoutes(services));
  await app.register(uploadsRoutes(services));
  await appShellRoutes(app, config.webRoot);
  return app as unknown as FastifyInstance & { services: AppServices };
}

/** A hop count as proxy-addr's own rule for numbers (trust the nearest n hops); Fastify's types omit it. */
function trustProxy(
  value: AppConfig['trustProxy'],
): boolean | string[] | ((address: string, hop: number) => boolean) {
  return typeof value === 'number' ? (_address, hop) => hop < value : value;
}

/** This app's own HTTP address once it listens, for the PDF renderer; else undefined. */
function ownAddress(app: FastifyInstance): string | undefined {
  const a = app.server.listening ? app.server.address() : null;
  if (!a || typeof a === 'string') return undefined;
  const host = a.family === 'IPv6' ? `[${a.address}]` : a.address;
  return `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${a.port}`;
}
