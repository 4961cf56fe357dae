import { buildApp } from '../app.js';
import type { AppConfig } from '../config/env.js';
import { closeEngines } from '../query/engines/index.js';
import { openStore } from '../store/store.js';
import { loadVerifiedProject, printProblems } from './load-verified-project.js';

/** `trellis serve DIR`: refuse an invalid project, listen, and shut down gracefully on SIGTERM/SIGINT. */
export async function serveCommand(dir: string, config: AppConfig): Promise<number> {
  const verified = await loadVerifiedProject(dir, config.environment);
  if (!verified.ok) {
    printProblems(verified.problems, (l) => process.stderr.write(`${l}\n`));
    process.stderr.write(
      'Refusing to serve an invalid project. Fix the problems above (trellis check DIR).\n',
    );
    return 1;
  }
  const { project, engines } = verified;
  // The metadata store (users, sessions, audit) is migrated before the first request; with no
  // configuration it is the SQLite file under .trellis/, created on first start.
  const store = await openStore(config.store);
  const app = await buildApp({ config, project, engines, store });
  app.log.info(
    { metadataStore: config.store.kind === 'sqlite' ? config.store.file : 'postgres' },
    'metadata store ready',
  );
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, 'shutting down: no new connections, finishing in-flight requests');
    const force = setTimeout(() => {
      app.log.error({ graceMs: config.shutdownGraceMs }, 'shutdown grace period over; exiting');
      process.exit(1);
    }, config.shutdownGraceMs);
    force.unref();
    await app.close();
    await closeEngines(engines);
    await store.close();
    clearTimeout(force);
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
  const address = await app.listen({ port: config.port, host: config.host });
  app.log.info({ address, project: project.name, dashboards: project.dashboards.size }, 'listening');
  process.stdout.write(
    `\n  Trellis is serving "${project.title}" at ${address.replace('0.0.0.0', '127.0.0.1')}\n\n`,
  );
  return -1; // keep running
}
