import { buildApp } from '../app.js';
import type { AppConfig } from '../config/env.js';
import type { ProjectProblem } from '../config/project/project.types.js';
import { closeEngines } from '../query/engines/index.js';
import { openStore } from '../store/store.js';
import { demoAdmin, ensureDemoAccounts, mintDemoLink } from '../auth/demo-accounts.js';
import { DevReloadHub } from '../services/dev-reload.service.js';
import { demoRefusal } from './demo.command.js';
import { LiveApp, type Generation } from './dev/live-app.js';
import { watchProject } from './dev/project-watcher.js';
import { loadVerifiedProject, printProblems, type VerifiedProject } from './load-verified-project.js';
import { otherStoreCandidates, storeForProject, strayStoreWarning } from './metadata-location.js';

/** Longest a re-check may take (a server source that does not answer): then it is a problem. */
const CHECK_TIMEOUT_MS = 60_000;

export interface DevIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
}

/**
 * `trellis dev DIR`: the authoring loop. Serves the project like `serve --demo` (demo accounts and a
 * sign-in link when the project has a demo: section; a random session secret unless one is set),
 * watches its files, and on every burst of changes re-checks it as `trellis check` does. A project
 * that checks is built into a new app and swapped in (requests in flight finish on the old one) and
 * open pages are told to refetch; one that does not keeps the last good one serving and the pages show
 * the problems. Returns -1 while serving (the process stays), 1 when it cannot start.
 */
export async function devCommand(dir: string, config: AppConfig, io: DevIo = process): Promise<number> {
  const refusal = demoRefusal(config)?.replace('demo mode', 'trellis dev');
  if (refusal) {
    io.stderr.write(`trellis dev: ${refusal}\n`);
    return 1;
  }
  const storeConfig = storeForProject(config.store, dir);
  const stray = strayStoreWarning(storeConfig, otherStoreCandidates(process.cwd()));
  if (stray) io.stderr.write(`trellis dev: note: ${stray.message}\n`);
  const store = await openStore(storeConfig);
  const hub = new DevReloadHub(config.maxEventStreams);
  const say = (line: string) => io.stdout.write(`${line}\n`);

  const build = async (verified: Extract<VerifiedProject, { ok: true }>): Promise<Generation> => {
    const { project, engines } = verified;
    try {
      if (project.demo) await ensureDemoAccounts(store, project.demo);
      const app = await buildApp({ config, project, engines, store, devReload: hub });
      await app.ready();
      app.services.jobs.watchPublications();
      app.services.jobs.startWorker();
      return { app, engines };
    } catch (err) {
      await closeEngines(engines);
      throw err;
    }
  };

  let live: LiveApp | undefined;
  const report = (problems: readonly ProjectProblem[]) => {
    printProblems(problems, (l) => io.stderr.write(`${l}\n`));
    io.stderr.write(
      live
        ? 'Still serving the last version that checked; waiting for a change…\n'
        : 'Waiting for a change…\n',
    );
  };
  let resolveFirst: () => void = () => undefined;
  const firstStarted = new Promise<void>((resolve) => (resolveFirst = resolve));
  /** One re-check at a time; changes during one make exactly one more. */
  let running: Promise<void> | undefined;
  let again = false;
  const recheck = async (): Promise<void> => {
    const started = performance.now();
    const verified = await verifyWithin(dir, config, CHECK_TIMEOUT_MS);
    if (!verified.ok) {
      hub.failed(verified.problems);
      report(verified.problems);
      return;
    }
    const generation = await build(verified);
    if (!live) {
      live = new LiveApp(generation, config.shutdownGraceMs);
      resolveFirst();
      return;
    }
    const swapped = live.swap(generation);
    hub.swapped();
    const ms = Math.round(performance.now() - started);
    say(`trellis dev: reloaded "${verified.project.title}" in ${ms} ms (version ${hub.status.version})`);
    // Not awaited: the old app drains its in-flight requests (an export may take a while, at most
    // the shutdown grace) while the next save is already being checked.
    swapped.catch((err: unknown) =>
      io.stderr.write(
        `trellis dev: closing the previous version failed: ${err instanceof Error ? err.stack : String(err)}\n`,
      ),
    );
  };
  const schedule = () => {
    if (running) {
      again = true;
      return;
    }
    running = (async () => {
      do {
        again = false;
        try {
          await recheck();
        } catch (err) {
          // A build that throws (not a project problem) leaves the last good app serving.
          io.stderr.write(`trellis dev: reload failed: ${err instanceof Error ? err.stack : String(err)}\n`);
        }
      } while (again);
      running = undefined;
    })();
  };

  const stopWatching = watchProject(dir, schedule, {
    onError: (error) =>
      io.stderr.write(
        `trellis dev: watching ${dir} stopped (${error.message}); restart trellis dev to pick up changes\n`,
      ),
  });
  schedule();
  await running;
  if (!live) {
    say(`trellis dev: ${dir} does not check yet; fix the problems above and it starts`);
    await firstStarted;
  }
  const server = live as LiveApp | undefined;
  if (!server) throw new Error('unreachable: the first generation resolved without an app');
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.server.listen({ port: config.port, host: config.host, backlog: config.listenBacklog }, resolve);
  });
  const addr = server.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.port;
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  const url = config.publicOrigin ?? `http://${host}:${port}`;
  const { project } = server.generation.app.services;
  say(`\n  Trellis dev is serving "${project.title}" at ${url}`);
  say(`  Watching ${dir}: saved changes reload open dashboards (problems show in the page).\n`);
  if (project.demo) {
    const link = await mintDemoLink(store, server.generation.app.services.sessions, project.demo, url);
    say(`  Sign in as ${demoAdmin(project.demo).email} (one-time link, valid 15 minutes):\n\n    ${link}\n`);
    say(`  A new link: trellis demo link ${dir}\n`);
  } else {
    say('  The project has no demo: section: sign in with an account made by `trellis user add`.\n');
  }
  const stop = async () => {
    stopWatching();
    await running;
    await server.close();
    await store.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
  return -1;
}

/** loadVerifiedProject, or a problem when it takes longer than `ms` (its engines closed when it ends). */
async function verifyWithin(dir: string, config: AppConfig, ms: number): Promise<VerifiedProject> {
  const check = loadVerifiedProject(dir, config.environment);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), ms)));
  const result = await Promise.race([check, timeout]);
  clearTimeout(timer);
  if (result !== 'timeout') return result;
  void check.then((late) => (late.ok ? closeEngines(late.engines) : undefined));
  return {
    ok: false,
    problems: [
      { file: 'trellis.yaml', line: 1, message: `checking the project took longer than ${ms / 1000} s` },
    ],
  };
}
