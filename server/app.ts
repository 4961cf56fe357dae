import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from '@fastify/type-provider-zod';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import { composeServices, installShutdown, type AppServices, type BuildAppOptions } from './app-services.js';
import type { AppConfig } from './config/env.js';
import { badUrlHandler, installErrorHandling } from './http/error-handler.js';
import { requestIdGenerator } from './http/request-id.js';
import { installHostCheck } from './http/host-check.js';
import { installRequestLog } from './http/request-log.js';
import { installAuthentication } from './http/authenticate.js';
import { installRoutePermissions } from './http/route-permissions.js';
import { responseHeaders } from './http/response-headers.js';
import { httpMetrics } from './http/http-metrics.js';
import { openApi } from './http/openapi.js';
import { loggerOptions } from './observability/logger.js';
import { describeTable } from './query/engines/index.js';
import { dashboardsRoutes } from './routes/dashboards/dashboards.routes.js';
import { eventsRoutes } from './routes/dashboards/events.routes.js';
import { filtersRoutes } from './routes/dashboards/filters.routes.js';
import { widgetsRoutes } from './routes/dashboards/widgets.routes.js';
import { exportsRoutes } from './routes/dashboards/exports.routes.js';
import { healthRoutes } from './routes/system/health.routes.js';
import { appShellRoutes } from './routes/app-shell/app-shell.routes.js';
import { sessionRoutes } from './routes/session/session.routes.js';
import { membersRoutes } from './routes/admin/members.routes.js';
import { invitationsAdminRoutes } from './routes/admin/invitations.routes.js';
import { invitationRoutes } from './routes/invitations/invitation.routes.js';
import { passwordRoutes } from './routes/session/password.routes.js';
import { auditRoutes } from './routes/audit/audit.routes.js';
import { loginLinkRoutes } from './routes/session/login-link.routes.js';
import { ownSessionsRoutes } from './routes/session/own-sessions.routes.js';
import { tokensRoutes } from './routes/tokens/tokens.routes.js';
import { jobsRoutes } from './routes/jobs/jobs.routes.js';
import { runEventsRoutes } from './routes/jobs/run-events.routes.js';
import { uploadsRoutes } from './routes/uploads/uploads.routes.js';
import { presetsRoutes } from './routes/dashboards/presets.routes.js';
import { layoutsRoutes } from './routes/dashboards/layouts.routes.js';
import { devEventsRoutes } from './routes/dev/dev-events.routes.js';
import { exportJobsRoutes } from './routes/exports/export-jobs.routes.js';
import { subscriptionsRoutes } from './routes/subscriptions/subscriptions.routes.js';
import { alertsRoutes } from './routes/alerts/alerts.routes.js';
import { searchRoutes } from './routes/search/search.routes.js';

// The services and the options live in the composition root; re-exported for existing importers.
export type { AppServices, BuildAppOptions } from './app-services.js';
export type { RouteInfo } from './http/route-permissions.js';

/**
 * Builds the HTTP app without listening, so tests drive it through inject(). The order is the
 * request's order: services, the permission registry, errors, Host check, access log,
 * authentication, response headers and metrics, then the routes (each given only what it uses).
 */
export async function buildApp(
  options: BuildAppOptions,
): Promise<FastifyInstance & { services: AppServices }> {
  const { config } = options;
  const app = Fastify({
    logger: loggerOptions(config.logLevel),
    // One access-log line per request at most, as TRELLIS_REQUEST_LOG says (installRequestLog).
    logController: new LogController({ disableRequestLogging: true }),
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

  const services = await composeServices(app, options);
  app.decorate('services', services);
  installRoutePermissions(app, services.routes);
  installErrorHandling(app, services.metrics);
  // Before authentication: a request for a host this server does not serve (DNS rebinding) stops here.
  installHostCheck(app, config.allowedHosts);
  installRequestLog(app, config.requestLog);
  installAuthentication(app, services, {
    secureCookie: config.sessions.secureCookie,
    secret: config.sessions.secret,
    publicOrigin: config.publicOrigin,
  });
  await app.register(responseHeaders, { publicOrigin: config.publicOrigin, lifecycle: services.lifecycle });
  await app.register(httpMetrics, { metrics: services.metrics });
  installShutdown(app, services, config.jobs.shutdownGraceMs);
  // Upload targets get their (empty) view before the first import, so datasets on them answer.
  app.addHook('onReady', async () => {
    const failures = await services.uploads.prepareTargets(async (source, table) => {
      const engine = services.engines.get(source);
      if (!engine) throw new Error(`no engine for source ${source}`);
      return describeTable(engine, table);
    });
    for (const f of failures)
      app.log.error({ err: f.error, target: f.target }, 'upload target could not be prepared');
    // A process killed mid-import left an upload `importing` and files behind: settled in the
    // background (a dead importer's lease frees within seconds), so serving starts at once.
    void services.uploads
      .recover({ actor: null, ip: null, requestId: null })
      .then((r) => {
        for (const f of r.failures)
          app.log.error({ err: f.error, upload: f.upload }, 'upload recovery failed for one upload');
        if (r.settled.length || r.removedFiles.length)
          app.log.warn({ settled: r.settled, removedFiles: r.removedFiles }, 'uploads recovered at start');
      })
      .catch((err: unknown) => app.log.error({ err }, 'upload recovery failed'));
  });
  await app.register(openApi);

  await app.register(healthRoutes(services));
  await app.register(dashboardsRoutes(services));
  await app.register(widgetsRoutes(services));
  await app.register(filtersRoutes(services));
  await app.register(eventsRoutes(services));
  await app.register(exportsRoutes(services));
  await app.register(exportJobsRoutes(services));
  await app.register(subscriptionsRoutes(services));
  await app.register(alertsRoutes(services));
  const presenter = {
    secureCookie: config.sessions.secureCookie,
    secret: config.sessions.secret,
    idleTimeoutSeconds: services.sessions.idleTimeoutSeconds,
    devReload: options.devReload !== undefined,
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
  await app.register(presetsRoutes(services));
  await app.register(layoutsRoutes(services));
  if (options.devReload) await app.register(devEventsRoutes(services, options.devReload));
  await app.register(searchRoutes(services));
  await appShellRoutes(app, config.webRoot);
  return app as unknown as FastifyInstance & { services: AppServices };
}

/** A hop count as proxy-addr's own rule for numbers (trust the nearest n hops); Fastify's types omit it. */
function trustProxy(
  value: AppConfig['trustProxy'],
): boolean | string[] | ((address: string, hop: number) => boolean) {
  return typeof value === 'number' ? (_address, hop) => hop < value : value;
}
