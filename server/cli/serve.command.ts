import { buildApp } from '../app.js';
import type { AppConfig } from '../config/env.js';
import { closeEngines } from '../query/engines/index.js';
import { openStore } from '../store/store.js';
import { AccountsService } from '../auth/accounts.service.js';
import { limitPasswordWork } from '../auth/passwords.js';
import { demoAdmin, ensureDemoAccounts, mintDemoLink } from '../auth/demo-accounts.js';
import { demoRefusal } from './demo.command.js';
import { closeAndExit } from './close-process.js';
import { loadVerifiedProject, printProblems } from './load-verified-project.js';
import { otherStoreCandidates, storeForProject, strayStoreWarning } from './metadata-location.js';
import type { PipelineRunner } from '../jobs/pipeline-contract.js';

/** `all`: web and worker in one process (the default); `web`: HTTP only, jobs run in `trellis worker`. */
export type ServeRole = 'all' | 'web';

export interface ServeOptions {
  readonly demo: boolean;
  readonly role?: ServeRole;
  /** What runs the project's pipelines instead of its `pipelines/*.yaml` (tests). */
  readonly pipelines?: PipelineRunner;
}

export const NO_SECRET_MESSAGE =
  'TRELLIS_SESSION_SECRET is not set: set it to at least 32 bytes of random text, e.g.\n' +
  '  export TRELLIS_SESSION_SECRET="$(openssl rand -base64 48)"\n' +
  '(the same value on every instance), or try the project with `trellis serve --demo DIR`.';

export const NO_ADMIN_MESSAGE =
  'No admin exists yet, and production mode does not start without one. Create one with:\n' +
  '  trellis org add SLUG --name "Organisation name"\n' +
  '  printf \'%s\\n\' "$ADMIN_PASSWORD" | trellis user add --email you@example.com --org SLUG --role admin\n' +
  '(inside the project folder or with --project DIR, and the same TRELLIS_METADATA_URL / TRELLIS_DATA_DIR as the server).';

/**
 * `trellis serve [--demo] DIR`: refuse a missing secret (outside demo mode), an invalid project, or
 * production without an admin; listen, and shut down gracefully on SIGTERM/SIGINT. Demo mode creates
 * the project's demo accounts and prints a one-time sign-in link.
 */
export async function serveCommand(
  dir: string,
  baseConfig: AppConfig,
  options: ServeOptions = { demo: false },
): Promise<number> {
  const role = options.role ?? 'all';
  const fail = (message: string) => {
    process.stderr.write(`trellis serve: ${message}\n`);
    return 1;
  };
  if (options.demo) {
    const refusal = demoRefusal(baseConfig);
    if (refusal) return fail(refusal);
  } else if (!baseConfig.sessions.secretFromEnv) return fail(NO_SECRET_MESSAGE);
  // Demo mode without a configured secret uses the random one made at start (sessions end with it).
  const config = baseConfig;
  const verified = await loadVerifiedProject(dir, config.environment, {
    requireSecrets: config.env === 'production',
  });
  if (!verified.ok) {
    printProblems(verified.problems, (l) => process.stderr.write(`${l}\n`));
    process.stderr.write(
      'Refusing to serve an invalid project. Fix the problems above (trellis check DIR).\n',
    );
    return 1;
  }
  const { project, engines } = verified;
  if (options.demo && !project.demo) {
    await closeEngines(engines);
    return fail(`${dir}/trellis.yaml has no demo: section (organisations and users), needed by --demo`);
  }
  limitPasswordWork(config.passwords);
  // The metadata store (users, sessions, audit) is migrated before the first request; with no
  // configuration it is the SQLite file in the project's .trellis/, created on first start — unless
  // one sits where older versions put it (the working directory), which a new empty store would hide.
  const storeConfig = storeForProject(config.store, dir);
  const stray = strayStoreWarning(storeConfig, otherStoreCandidates(process.cwd()));
  if (stray && !options.demo) {
    await closeEngines(engines);
    return fail(stray.message);
  }
  if (stray) process.stderr.write(`trellis serve: note: ${stray.message}\n`);
  const store = await openStore(storeConfig);
  if (options.demo && project.demo) await ensureDemoAccounts(store, project.demo);
  if (config.env === 'production' && !(await new AccountsService(store).hasActiveAdmin())) {
    await store.close();
    await closeEngines(engines);
    return fail(NO_ADMIN_MESSAGE);
  }
  const app = await buildApp({
    config,
    project,
    engines,
    store,
    ...(options.pipelines ? { pipelines: options.pipelines } : {}),
  });
  // Every web process follows data published by any worker; role `all` also takes jobs.
  app.services.jobs.watchPublications();
  if (role === 'all') app.services.jobs.startWorker();
  app.log.info(
    { metadataStore: storeConfig.kind === 'sqlite' ? storeConfig.file : 'postgres' },
    'metadata store ready',
  );
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    // SIGTERM comes from an orchestrator with a load balancer in front: keep serving while it
    // notices /readyz, closing each connection after its response, then stop. Ctrl-C stops at once.
    const drainMs = signal === 'SIGTERM' ? config.shutdownDrainMs : 0;
    if (drainMs > 0) {
      app.services.lifecycle.stopping = true;
      app.log.info({ signal, drainMs }, 'draining: not ready, closing connections after each response');
      await new Promise((resolve) => setTimeout(resolve, drainMs));
    }
    app.log.info({ signal }, 'shutting down: no new connections, finishing in-flight requests');
    // Running jobs get the worker's grace to reach a checkpoint, requests theirs; then exit anyway.
    const graceMs = config.shutdownGraceMs + (role === 'all' ? config.jobs.shutdownGraceMs : 0);
    await closeAndExit({ app, engines, store }, graceMs);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
  const address = await app.listen({ port: config.port, host: config.host, backlog: config.listenBacklog });
  app.log.info({ address, project: project.name, dashboards: project.dashboards.size, role }, 'listening');
  const url = config.publicOrigin ?? address.replace('0.0.0.0', '127.0.0.1');
  process.stdout.write(`\n  Trellis is serving "${project.title}" at ${url}\n\n`);
  if (options.demo && project.demo) {
    // Like Jupyter's token URL: the way into a demo whose users have no known passwords.
    const link = await mintDemoLink(store, app.services.sessions, project.demo, url);
    process.stdout.write(
      `  Sign in as ${demoAdmin(project.demo).email} (one-time link, valid 15 minutes):\n\n    ${link}\n\n` +
        `  A new link: trellis demo link ${dir}\n\n`,
    );
  }
  return -1; // keep running
}
