import { buildApp } from '../app.js';
import type { AppConfig } from '../config/env.js';
import type { PipelineRunner } from '../jobs/pipeline-contract.js';
import { openStore } from '../store/store.js';
import { closeAndExit } from './close-process.js';
import { loadVerifiedProject, printProblems } from './load-verified-project.js';
import { otherStoreCandidates, storeForProject, strayStoreWarning } from './metadata-location.js';
import { closeEngines } from '../query/engines/index.js';

/**
 * `trellis worker DIR`: the worker role alone. It builds the same services as `serve` (the app is
 * never listened on) so a run publishes and invalidates exactly as it would in `serve`, takes jobs
 * and runs the scheduler. SIGTERM/SIGINT: stop taking jobs, abort running runs with reason shutdown
 * (they stop at their next checkpoint and go back to the queue), exit within the worker's grace.
 */
export async function workerCommand(
  dir: string,
  config: AppConfig,
  options: { pipelines?: PipelineRunner } = {},
): Promise<number> {
  const verified = await loadVerifiedProject(dir, config.environment, {
    requireSecrets: config.env === 'production',
  });
  if (!verified.ok) {
    printProblems(verified.problems, (l) => process.stderr.write(`${l}\n`));
    process.stderr.write(
      'Refusing to run jobs for an invalid project. Fix the problems above (trellis check DIR).\n',
    );
    return 1;
  }
  const { project, engines } = verified;
  const storeConfig = storeForProject(config.store, dir);
  const stray = strayStoreWarning(storeConfig, otherStoreCandidates(process.cwd()));
  if (stray) {
    await closeEngines(engines);
    process.stderr.write(`trellis worker: ${stray.message}\n`);
    return 1;
  }
  const store = await openStore(storeConfig);
  const app = await buildApp({
    config,
    project,
    engines,
    store,
    ...(options.pipelines ? { pipelines: options.pipelines } : {}),
  });
  await app.ready();
  app.services.jobs.startWorker();
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, 'worker shutting down: no new jobs, running ones stop at their next checkpoint');
    await closeAndExit({ app, engines, store }, config.jobs.shutdownGraceMs);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
  const { queue } = app.services.jobs;
  process.stdout.write(
    `\n  Trellis worker is running jobs for "${project.title}" (queue: ${queue.kind}, concurrency ${config.jobs.concurrency})\n\n`,
  );
  return -1; // keep running
}
