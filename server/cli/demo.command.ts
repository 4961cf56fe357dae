import type { AppConfig } from '../config/env.js';
import { loadProject } from '../config/project/load-project.js';
import { formatProblem } from '../config/project/project.types.js';
import { SessionsService } from '../auth/sessions.service.js';
import { ensureDemoAccounts, mintDemoLink } from '../auth/demo-accounts.js';
import { openStore } from '../store/store.js';
import type { CliIo } from './accounts.command.js';
import { DEMO_USAGE } from './demo-usage.js';
import { otherStoreCandidates, storeForProject, strayStoreWarning } from './metadata-location.js';

/** Why demo mode may not run here, or null. */
export function demoRefusal(config: AppConfig): string | null {
  return config.env === 'production'
    ? 'demo mode is refused under NODE_ENV=production (it signs people in without passwords)'
    : null;
}

/** The address a printed link points at: TRELLIS_PUBLIC_URL, else the listening address. */
export function demoBaseUrl(config: AppConfig): string {
  if (config.publicOrigin) return config.publicOrigin;
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  return `http://${host}:${config.port}`;
}

/** `trellis demo link DIR`: a new link on the same metadata store a running demo server uses. */
export async function demoCommand(argv: string[], config: AppConfig, io: CliIo): Promise<number> {
  const [action, dir] = argv;
  if (action !== 'link' || !dir) {
    io.stderr.write(`trellis demo: missing or unknown arguments\n\n${DEMO_USAGE}`);
    return 2;
  }
  const refusal = demoRefusal(config);
  if (refusal) {
    io.stderr.write(`trellis demo: ${refusal}\n`);
    return 1;
  }
  const loaded = await loadProject(dir);
  if (!loaded.ok) {
    for (const p of loaded.problems) io.stderr.write(`${formatProblem(p)}\n`);
    return 1;
  }
  const demo = loaded.project.demo;
  if (!demo) {
    io.stderr.write(`trellis demo: ${dir}/trellis.yaml has no demo: section\n`);
    return 1;
  }
  const storeConfig = storeForProject(config.store, dir);
  const stray = strayStoreWarning(storeConfig, otherStoreCandidates(process.cwd()));
  if (stray) {
    io.stderr.write(`trellis demo: ${stray.message}\n`);
    return 1;
  }
  const store = await openStore(storeConfig);
  try {
    await ensureDemoAccounts(store, demo);
    const link = await mintDemoLink(
      store,
      new SessionsService(store, config.sessions),
      demo,
      demoBaseUrl(config),
    );
    io.stdout.write(`${link}\n`);
    return 0;
  } finally {
    await store.close();
  }
}
