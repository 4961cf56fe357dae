import fastifySwagger from '@fastify/swagger';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from '@fastify/type-provider-zod';
import Fastify, { type FastifyInstance } from 'fastify';
import type { AppConfig } from './config/env.js';
import type { Project } from './config/project/project.types.js';
import { installErrorHandling } from './http/error-handler.js';
import { requestId } from './http/request-id.js';
import { loggerOptions } from './observability/logger.js';
import { Metrics } from './observability/metrics.js';
import { PERMISSIONS, type Permission, type RouteConfig } from './policies/permissions.js';
import type { Cache } from './cache/cache.js';
import { CircuitBreakers } from './cache/circuit-breaker.js';
import { openCache } from './cache/open-cache.js';
import type { Engine } from './query/engine.js';
import { dashboardsRoutes } from './routes/dashboards/dashboards.routes.js';
import { eventsRoutes } from './routes/dashboards/events.routes.js';
import { filtersRoutes } from './routes/dashboards/filters.routes.js';
import { widgetsRoutes } from './routes/dashboards/widgets.routes.js';
import { healthRoutes } from './routes/system/health.routes.js';
import { appShellRoutes } from './routes/app-shell/app-shell.routes.js';
import { DashboardEvents } from './services/dashboard-events.service.js';
import { QueryRunner } from './services/query-runner.js';

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
  /** Every route with its declared permission (see policies/permissions.ts). */
  readonly routes: RouteInfo[];
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
}

/** Builds the HTTP app without listening, so tests drive it through inject(). */
export async function buildApp(
  options: BuildAppOptions,
): Promise<FastifyInstance & { services: AppServices }> {
  const { config, project, engines } = options;
  const app = Fastify({
    logger: loggerOptions(config.logLevel),
    genReqId: requestId,
    bodyLimit: config.bodyLimit,
    // Headers and whole requests are bounded in time too (slowloris); queries have their own timeout.
    requestTimeout: 60_000,
    connectionTimeout: 60_000,
    return503OnClosing: true,
    routerOptions: { maxParamLength: 200 },
  }).withTypeProvider<ZodTypeProvider>();
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
  const services: AppServices = {
    project,
    engines,
    runner: new QueryRunner({ project, engines, metrics, cache, breakers, logger: cacheLog }),
    cache,
    events: new DashboardEvents(project, cache, config.maxEventStreams),
    metrics,
    lifecycle: { stopping: false },
    routes: [],
  };
  app.decorate('services', services);
  metrics.trackEventStreams(() => services.events.open);
  // A route without a declared permission is a build error, not a silent public endpoint.
  app.addHook('onRoute', (route) => {
    const permission = route.config?.permission;
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (!permission || !PERMISSIONS.includes(permission))
      throw new Error(`route ${methods.join(',')} ${route.url} declares no permission`);
    for (const method of methods) services.routes.push({ method, url: route.url, permission });
  });

  installErrorHandling(app, metrics);
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
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('x-frame-options', 'DENY');
    reply.header(
      'content-security-policy',
      "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    );
    return payload;
  });
  app.addHook('onClose', async () => {
    services.lifecycle.stopping = true;
  });
  // Open update streams would hold the shutdown until its grace ran out: end them first.
  app.addHook('preClose', async () => services.events.close());

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
  await appShellRoutes(app, config.webRoot);
  return app as unknown as FastifyInstance & { services: AppServices };
}
