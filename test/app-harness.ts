import type { FastifyInstance } from 'fastify';
import { buildApp, type AppServices, type BuildAppOptions } from '../server/app.js';
import { defaultConfig, type AppConfig } from '../server/config/env.js';
import { loadProject } from '../server/config/project/load-project.js';
import { formatProblem } from '../server/config/project/project.types.js';
import { closeEngines, openEngines } from '../server/query/engines/index.js';
import type { SignedIn } from './login-as.js';

export type TestApp = FastifyInstance & { services: AppServices };

/** The real app on a real project and real engines, driven through inject(): no ports, no sleeps. */
export async function startApp(
  projectDir: string,
  config: Partial<AppConfig> = {},
  /** A metadata store (owned by the caller) and a clock for the session service. */
  extra: Pick<
    BuildAppOptions,
    'store' | 'now' | 'pipelines' | 'queue' | 'jobTimings' | 'exportProgressMs' | 'webhookResolver'
  > = {},
): Promise<{ app: TestApp; close: () => Promise<void> }> {
  const loaded = await loadProject(projectDir);
  if (!loaded.ok) throw new Error(`invalid test project:\n${loaded.problems.map(formatProblem).join('\n')}`);
  // Property and cache tests send thousands of data requests as one user, which the per-user rate
  // limit would answer 429: off unless a test asks for it (its own tests: server/http/*rate-limit*).
  const appConfig = defaultConfig({
    webRoot: undefined,
    dataRateLimit: { perSecond: 0, burst: 1 },
    ...config,
  });
  const engines = await openEngines(loaded.project.sources, loaded.project.dir, appConfig.environment);
  const app = await buildApp({
    config: appConfig,
    project: loaded.project,
    engines,
    ...extra,
  });
  await app.ready();
  return {
    app,
    close: async () => {
      await app.close();
      await closeEngines(engines);
    },
  };
}

/**
 * POST a widget's data request as a signed-in user (`loginAs`), or anonymously with a bare app
 * (dashboards need a session: that answers UNAUTHENTICATED).
 */
export async function widgetData(
  as: TestApp | SignedIn,
  dashboard: string,
  widget: string,
  body: unknown = { filters: {} },
) {
  const options = {
    method: 'POST' as const,
    url: `/api/v1/dashboards/${dashboard}/widgets/${widget}/data`,
    payload: body as object,
  };
  return 'cookie' in as ? as.inject(options) : as.inject(options);
}

export { loginAs, type SignedIn } from './login-as.js';
