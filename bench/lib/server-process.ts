import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CLI_CONTEXT } from '../../server/audit/audit-log.js';
import { AccountsService } from '../../server/auth/accounts.service.js';
import type { StoreConfig } from '../../server/config/env.js';
import { openStore } from '../../server/store/store.js';
import { TENANTS } from '../data/events-sql.js';
import type { BenchAccount } from './bench-auth.js';
import { serverPrefix } from './cpu-pinning.js';
import { newestProfile, newestProfileFile, summarizeProfile, type ProfileSummary } from './cpu-profile.js';

export const repoRoot = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  ...(import.meta.url.includes('/dist/') ? ['..'] : []),
);

/** A production server (the built bin) in its own process, as users run it. */
export interface ServerProcess {
  readonly url: string;
  readonly pid: number;
  /** Resident memory now. */
  rssMb(): number;
  /** The largest resident memory since the process started (the kernel's high-water mark). */
  peakRssMb(): number;
  /** SIGTERM, wait for exit; with `profile`, the summary of the CPU profile written on exit. */
  stop(): Promise<ProfileSummary | undefined>;
}

export interface StartOptions {
  readonly env?: Record<string, string>;
  readonly nodeArgs?: readonly string[];
  /** Record a V8 CPU profile (node --cpu-prof) for the whole life of the process. */
  readonly profile?: boolean;
  /** Path polled until it answers 200 (default /readyz). */
  readonly readyPath?: string;
  /**
   * Keep the server's SIGTERM drain (TRELLIS_SHUTDOWN_DRAIN, 3 s by default). Off unless asked: no
   * scenario but `shutdown` measures stopping, and the drain would add seconds to every stop.
   */
  readonly drainOnStop?: boolean;
  /**
   * The built checkout whose `bin/trellis.js` runs (default: this one). Another checkout (a baseline
   * of an earlier commit) also seeds its store with its own modules, so its own migrations apply.
   */
  readonly root?: string;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/** Who the bench signs in as: an admin, and viewers spread over organisations. */
export interface SeedPlan {
  /** Organisation of the admin (default `bench`). */
  readonly adminOrganisation: string;
  /** One viewer account per organisation (default `t00`…`t19`, the tenants of the events table). */
  readonly viewerOrganisations: readonly string[];
  /**
   * The accounts' password. Servers that share one store must be given the same one (the second
   * finds the accounts already there); by default each server gets a random one.
   */
  readonly password?: string;
}

export const DEFAULT_SEED: SeedPlan = {
  adminOrganisation: 'bench',
  viewerOrganisations: Array.from({ length: TENANTS }, (_, i) => `t${String(i).padStart(2, '0')}`),
};

export interface SeededAccounts {
  readonly admin: BenchAccount;
  /** Sign clients in round-robin over these (`accountFor`): sessions spread over 20 accounts. */
  readonly viewers: readonly BenchAccount[];
}

/**
 * `node bin/trellis.js serve DIR` in production mode on a random free port, pinned to the server core.
 * Production refuses to start without a session secret and an admin, and dashboards need a signed-in
 * user: unless the caller's env names a metadata store, each server gets a temporary SQLite store,
 * seeded (before it starts) with the plan's organisations and accounts, and a random secret.
 */
export async function startServer(
  projectDir: string,
  options: StartOptions & { seed?: SeedPlan } = {},
): Promise<ServerProcess & { accounts: SeededAccounts }> {
  const env = { ...options.env };
  env.TRELLIS_SESSION_SECRET ??= randomBytes(32).toString('base64url');
  if (!options.drainOnStop) env.TRELLIS_SHUTDOWN_DRAIN ??= '0';
  // A load generator speaks for hundreds of browsers through a few accounts (stampede: 500 requests on
  // one token at once); the per-user data rate limit would measure itself instead of the server.
  env.TRELLIS_DATA_RATE ??= '0';
  let dataDir: string | undefined;
  if (env.TRELLIS_METADATA_URL === undefined && env.TRELLIS_DATA_DIR === undefined) {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'trellis-bench-store-'));
    env.TRELLIS_DATA_DIR = dataDir;
  }
  const root = options.root ?? repoRoot;
  const accounts = await seedAccounts(
    env.TRELLIS_METADATA_URL !== undefined
      ? { kind: 'postgres', url: env.TRELLIS_METADATA_URL }
      : { kind: 'sqlite', file: path.join(path.resolve(env.TRELLIS_DATA_DIR as string), 'meta.sqlite') },
    options.seed ?? DEFAULT_SEED,
    await accountModules(root),
  );
  const server = await startNode([path.join(root, 'bin', 'trellis.js'), 'serve', projectDir], {
    ...options,
    env,
  });
  if (!dataDir) return { ...server, accounts };
  const dir = dataDir;
  return {
    ...server,
    accounts,
    stop: async () => {
      const profile = await server.stop();
      rmSync(dir, { recursive: true, force: true });
      return profile;
    },
  };
}

/** What seeding needs from a checkout: its store (with its own migrations) and accounts service. */
interface AccountModules {
  readonly openStore: typeof openStore;
  readonly AccountsService: typeof AccountsService;
  readonly CLI_CONTEXT: typeof CLI_CONTEXT;
}

/**
 * This checkout's modules, or another built checkout's (its dist/server). An older build is assumed
 * to have the same three names; if it does not, the import or the seeding fails loudly.
 */
async function accountModules(root: string): Promise<AccountModules> {
  if (path.resolve(root) === repoRoot) return { openStore, AccountsService, CLI_CONTEXT };
  const load = (file: string) => import(pathToFileURL(path.join(root, 'dist', 'server', file)).href);
  const [store, accounts, audit] = await Promise.all([
    load('store/store.js'),
    load('auth/accounts.service.js'),
    load('audit/audit-log.js'),
  ]);
  return {
    openStore: store.openStore as typeof openStore,
    AccountsService: accounts.AccountsService as typeof AccountsService,
    CLI_CONTEXT: audit.CLI_CONTEXT as typeof CLI_CONTEXT,
  };
}

/**
 * The plan's organisations and accounts on the store, created where missing (servers sharing a
 * store run this one after the other; what exists is kept, so they must share the password too).
 */
export async function seedAccounts(
  config: StoreConfig,
  plan: SeedPlan,
  modules: AccountModules = { openStore, AccountsService, CLI_CONTEXT },
): Promise<SeededAccounts> {
  const password = plan.password ?? randomBytes(24).toString('base64url');
  const admin: BenchAccount = {
    email: `admin@${plan.adminOrganisation}.bench.example`,
    password,
    organisation: plan.adminOrganisation,
    role: 'admin',
  };
  const viewers: BenchAccount[] = plan.viewerOrganisations.map((organisation) => ({
    email: `viewer@${organisation}.bench.example`,
    password,
    organisation,
    role: 'viewer',
  }));
  const store = await modules.openStore(config);
  try {
    const service = new modules.AccountsService(store);
    const orgs = new Set((await service.listOrganisations()).map((o) => o.slug));
    const users = new Set((await service.listUsers()).map((u) => u.email));
    for (const account of [admin, ...viewers]) {
      if (!orgs.has(account.organisation)) {
        await service.createOrganisation(account.organisation, account.organisation, modules.CLI_CONTEXT);
        orgs.add(account.organisation);
      }
      if (!users.has(account.email)) {
        await service.createUser({ ...account }, modules.CLI_CONTEXT);
        users.add(account.email);
      }
    }
  } finally {
    await store.close();
  }
  return { admin, viewers };
}

/** Any built Node script that listens on $PORT (the bench's hello-world server). */
export async function startNode(
  script: readonly string[],
  options: StartOptions = {},
): Promise<ServerProcess> {
  const port = await freePort();
  const profileDir = options.profile ? mkdtempSync(path.join(os.tmpdir(), 'trellis-prof-')) : undefined;
  const [command, ...prefixArgs] = [...serverPrefix(), process.execPath];
  const child: ChildProcess = spawn(
    command as string,
    [
      ...prefixArgs,
      ...(options.nodeArgs ?? []),
      ...(profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : []),
      ...script,
    ],
    {
      env: {
        ...process.env,
        NODE_ENV: 'production',
        LOG_LEVEL: 'warn',
        PORT: String(port),
        HOST: '127.0.0.1',
        ...options.env,
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${script.join(' ')} exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}${options.readyPath ?? '/readyz'}`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${script.join(' ')} did not become ready within 60 s`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const pid = child.pid ?? 0;
  const statusKb = (field: 'VmRSS' | 'VmHWM') => {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN);
  };
  return {
    url,
    pid,
    rssMb: () => statusKb('VmRSS') / 1024,
    peakRssMb: () => statusKb('VmHWM') / 1024,
    stop: async () => {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
      if (!profileDir) return undefined;
      try {
        // Kept for a closer look (Chrome DevTools, speedscope): bench/results/ is gitignored.
        const file = newestProfileFile(profileDir);
        if (file) {
          const kept = path.join(repoRoot, 'bench', 'results', 'profiles', `server-${pid}.cpuprofile`);
          mkdirSync(path.dirname(kept), { recursive: true });
          copyFileSync(file, kept);
          console.log(`  profile kept: ${path.relative(repoRoot, kept)}`);
        }
        const profile = newestProfile(profileDir);
        return profile ? summarizeProfile(profile) : undefined;
      } finally {
        rmSync(profileDir, { recursive: true, force: true });
      }
    },
  };
}
