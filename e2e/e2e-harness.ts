import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import type { Role } from '../contract/index.js';
import { buildApp, type AppServices } from '../server/app.js';
import { defaultConfig, type AppConfig } from '../server/config/env.js';
import { loadProject } from '../server/config/project/load-project.js';
import type { Engine } from '../server/query/engine.js';
import { closeEngines, openEngines } from '../server/query/engines/index.js';
import { CLI_CONTEXT } from '../server/audit/audit-log.js';
import { CLINICAL_TRIALS_ORGANISATIONS } from '../examples/clinical-trials/generator/organisations.js';
import { VM_INVENTORY_ORGANISATIONS } from '../examples/vm-inventory/generator/organisations.js';
import { sessionCookie } from '../test/login-as.js';
import { createMiniProject } from '../test/mini-project.js';

/** Shared set-up of the browser tests: the server in-process, the built app, a fresh Chromium. */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const resultsDir = path.join(repoRoot, 'test-results');
export const CHROMIUM_PATH = process.env.TRELLIS_CHROMIUM ?? '/usr/bin/chromium';
const webRoot = path.join(repoRoot, 'dist', 'web');

/**
 * Whether the browser tests can run here. Without Chromium they fail under CI=true (a skipped
 * browser suite must never pass as green there) and are skipped elsewhere, saying so loudly once.
 */
export function chromiumAvailable(): boolean {
  if (existsSync(CHROMIUM_PATH)) return true;
  const why = `Chromium not found at ${CHROMIUM_PATH}`;
  if (process.env.CI === 'true')
    throw new Error(`${why}: the browser tests cannot run. Install it with: apt-get install -y chromium`);
  console.warn(
    `\n!!! SKIPPING the browser tests: ${why}. Enable them with \`apt-get install -y chromium\` (as root), ` +
      'or point TRELLIS_CHROMIUM at a Chromium binary.\n',
  );
  return false;
}

/** Builds the web app when dist/web is missing or older than any file under web/. */
export function ensureWebBuild(): void {
  const index = path.join(webRoot, 'index.html');
  const built = existsSync(index) ? statSync(index).mtimeMs : 0;
  if (built && newestMtime(path.join(repoRoot, 'web')) <= built) return;
  const r = spawnSync(process.execPath, [path.join(repoRoot, 'scripts', 'build.mjs'), 'web'], {
    cwd: repoRoot,
    stdio: 'inherit',
  });
  if (r.status !== 0) throw new Error('building the web app failed; see the output above');
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(p));
    else newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

export interface RunningServer {
  readonly baseUrl: string;
  /** The signed-in demo user's session cookie (`name=value`), from POST /api/v1/session. */
  readonly cookie: string;
  /** The session's CSRF token (the readable `trellis_csrf` cookie the web app echoes on writes). */
  readonly csrf: string;
  /** fetch() of a server path as the signed-in user. */
  fetch(pathname: string, init?: RequestInit): Promise<Response>;
  /** What a pipeline or upload does after changing data: bump the datasets' versions. */
  invalidate(datasets: readonly string[]): Promise<void>;
  /** Adds a member of the demo organisation as the operator's CLI does (admins invite; see accounts.md). */
  addMember(email: string, password: string, role: 'viewer' | 'editor' | 'admin'): Promise<void>;
  /** A member of another organisation (created if new), for tenant-boundary checks in the browser. */
  addOutsider(email: string, password: string, organisation: string): Promise<void>;
  /** Signs in another member, as the login page would. */
  signIn(email: string, password: string): Promise<{ cookie: string; csrf: string }>;
  close(): Promise<void>;
}

export interface StartServerOptions {
  /** Serve this copy of the example instead (a pipeline run rewrites the project's data folder). */
  readonly projectDir?: string;
  /** The server's environment snapshot: `url_env` of sources and pipelines (CTGOV_BASE_URL). */
  readonly environment?: Readonly<Record<string, string>>;
  /** A job worker in this process (pipelines, upload imports), as `trellis serve` does. */
  readonly jobs?: boolean;
  /** Settings over the defaults (export jobs' row threshold and folder). */
  readonly config?: Partial<AppConfig>;
  /** The server's clock (scheduled reports: a test moves it to a subscription's next tick). */
  readonly now?: () => number;
}

/**
 * The real server on an example project (default clinical-trials) on a free port of 127.0.0.1, with
 * an environment of its own: a source's `server_url_env` is unset, so DuckDB examples use their file.
 */
export async function startServer(
  example = 'clinical-trials',
  options: StartServerOptions = {},
): Promise<RunningServer> {
  const projectDir = options.projectDir ?? path.join(repoRoot, 'examples', example);
  const dataDir = path.join(projectDir, 'data');
  if (!existsSync(dataDir) || !readdirSync(dataDir).some((f) => f.endsWith('.duckdb')))
    throw new Error(
      `examples/${example}/data has no generated database: run \`npm test\` (or \`node scripts/setup.mjs test\`) to generate it`,
    );
  const loaded = await loadProject(projectDir);
  if (!loaded.ok) throw new Error(`example project is invalid: ${JSON.stringify(loaded.problems)}`);
  const base = defaultConfig({ webRoot, ...options.config });
  const config = options.environment
    ? { ...base, environment: { ...base.environment, ...options.environment } }
    : base;
  const engines: Map<string, Engine> = await openEngines(
    loaded.project.sources,
    loaded.project.dir,
    config.environment,
  );
  let app: FastifyInstance & { services: AppServices };
  try {
    app = await buildApp({
      config,
      project: loaded.project,
      engines,
      ...(options.now ? { now: options.now } : {}),
    });
    if (options.jobs) {
      app.services.jobs.watchPublications();
      app.services.jobs.startWorker();
    }
  } catch (err) {
    await closeEngines(engines);
    throw err;
  }
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  let cookie: string;
  let csrf: string;
  const organisation = DEMO_ORGANISATIONS[example] ?? { slug: 'demo', name: 'Demo' };
  try {
    ({ cookie, csrf } = await signInDemoUser(app, address, organisation));
  } catch (err) {
    await app.close();
    await closeEngines(engines);
    throw err;
  }
  return {
    baseUrl: address,
    cookie,
    csrf,
    fetch: (pathname, init = {}) =>
      fetch(`${address}${pathname}`, {
        ...init,
        headers: { ...(init.headers as object), cookie, 'x-csrf-token': csrf },
      }),
    invalidate: (datasets) => app.services.runner.invalidate(datasets),
    async addMember(email, password, role) {
      await app.services.accounts.createUser(
        { email, password, organisation: organisation.slug, role },
        CLI_CONTEXT,
      );
    },
    async addOutsider(email, password, slug) {
      const orgs = await app.services.accounts.listOrganisations();
      if (!orgs.some((o) => o.slug === slug))
        await app.services.accounts.createOrganisation(slug, slug, CLI_CONTEXT);
      await app.services.accounts.createUser(
        { email, password, organisation: slug, role: 'admin' },
        CLI_CONTEXT,
      );
    },
    signIn: (email, password) => signIn(address, email, password),
    async close() {
      await app.close();
      await closeEngines(engines);
    },
  };
}

/** The organisation the browser tests sign in to: each example's first demo organisation. */
const DEMO_ORGANISATIONS: Record<string, { slug: string; name: string }> = {
  'clinical-trials': CLINICAL_TRIALS_ORGANISATIONS[0],
  'vm-inventory': VM_INVENTORY_ORGANISATIONS[0],
  // The sourcing example's pipelines belong to sourcex (examples/sourcing/trellis.yaml's demo).
  sourcing: { slug: 'sourcex', name: 'SourcingX' },
};
const E2E_EMAIL = 'e2e@example.test';
/** The password of every account the browser tests make. */
export const E2E_PASSWORD = 'correct horse battery staple';

/**
 * Creates the organisation and an admin member in the app's store, then signs in through the API as
 * the web app does, returning the session cookie (the login page is the web app's; tests go around it).
 */
async function signInDemoUser(
  app: FastifyInstance & { services: AppServices },
  baseUrl: string,
  org: { slug: string; name: string },
): Promise<{ cookie: string; csrf: string }> {
  await app.services.accounts.createOrganisation(org.slug, org.name, CLI_CONTEXT);
  await app.services.accounts.createUser(
    { email: E2E_EMAIL, password: E2E_PASSWORD, organisation: org.slug, role: 'admin' },
    CLI_CONTEXT,
  );
  return signIn(baseUrl, E2E_EMAIL, E2E_PASSWORD);
}

async function signIn(
  baseUrl: string,
  email: string,
  password: string,
): Promise<{ cookie: string; csrf: string }> {
  const res = await fetch(`${baseUrl}/api/v1/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (res.status !== 200) throw new Error(`e2e sign-in failed: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { csrfToken: string };
  return { cookie: sessionCookie(res.headers.get('set-cookie') ?? undefined), csrf: body.csrfToken };
}

export interface Browser {
  readonly context: BrowserContext;
  close(): Promise<void>;
}

/**
 * Chromium with a fresh profile, HOME and XDG folders in a temp directory, so nothing from the
 * machine's own browser state leaks in; given a server, signed in to it as its demo user. Light scheme and reduced motion: screenshots are taken
 * of finished charts, not of animations.
 */
export async function launchBrowser(
  signedInTo?: Pick<RunningServer, 'baseUrl' | 'cookie' | 'csrf'>,
): Promise<Browser> {
  const home = mkdtempSync(path.join(tmpdir(), 'trellis-e2e-'));
  const env = {
    ...process.env,
    HOME: home,
    XDG_CONFIG_HOME: path.join(home, '.config'),
    XDG_CACHE_HOME: path.join(home, '.cache'),
    XDG_DATA_HOME: path.join(home, '.local', 'share'),
  };
  const context = await chromium.launchPersistentContext(path.join(home, 'profile'), {
    executablePath: CHROMIUM_PATH,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    env,
    viewport: { width: 1280, height: 900 },
    colorScheme: 'light',
    reducedMotion: 'reduce',
    locale: 'en-US',
  });
  if (signedInTo) {
    // The session cookie of the server's demo user, for that origin only (as a login would set it).
    const [name = '', value = ''] = signedInTo.cookie.split(/=(.*)/s);
    await context.addCookies([
      { name, value, url: signedInTo.baseUrl, httpOnly: true, sameSite: 'Lax' },
      // Its readable twin, which the web app echoes in x-csrf-token on writes (server/http/csrf.ts).
      { name: 'trellis_csrf', value: signedInTo.csrf, url: signedInTo.baseUrl, sameSite: 'Lax' },
    ]);
  }
  return {
    context,
    async close() {
      await context.close();
      rmSync(home, { recursive: true, force: true });
    },
  };
}

/** A full-page screenshot in the light and the dark scheme: test-results/<name>-light.png, -dark.png. */
export async function screenshotBothSchemes(page: Page, name: string): Promise<void> {
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.screenshot({ path: path.join(resultsDir, `${name}-${scheme}.png`), fullPage: true });
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

export interface AccountsServer {
  readonly app: FastifyInstance & { services: AppServices };
  readonly baseUrl: string;
  close(): Promise<void>;
}

/**
 * The small test project (test/mini-project.ts) served on a port with a private in-memory metadata
 * store holding the given organisations and members, made as the operator makes them (the CLI's
 * context): for browser tests about accounts, not data — nothing needs generated example data.
 */
export async function startAccountsServer(setup: {
  readonly organisations: readonly (readonly [slug: string, name: string])[];
  readonly members: readonly {
    readonly email: string;
    readonly password: string;
    readonly organisation: string;
    readonly role: Role;
  }[];
}): Promise<AccountsServer> {
  mkdirSync(resultsDir, { recursive: true });
  ensureWebBuild();
  const mini = await createMiniProject();
  const loaded = await loadProject(mini.dir);
  if (!loaded.ok) throw new Error(`test project is invalid: ${JSON.stringify(loaded.problems)}`);
  const config = defaultConfig({ webRoot: path.join(repoRoot, 'dist', 'web') });
  const engines = await openEngines(loaded.project.sources, loaded.project.dir, config.environment);
  const close = async () => {
    await app?.close();
    await closeEngines(engines);
  };
  let app: (FastifyInstance & { services: AppServices }) | undefined;
  try {
    app = await buildApp({ config, project: loaded.project, engines });
    const baseUrl = await app.listen({ port: 0, host: '127.0.0.1' });
    const { accounts } = app.services;
    for (const [slug, name] of setup.organisations)
      await accounts.createOrganisation(slug, name, CLI_CONTEXT);
    for (const member of setup.members) await accounts.createUser(member, CLI_CONTEXT);
    return { app, baseUrl, close };
  } catch (err) {
    await close();
    throw err;
  }
}

let axeSource: string | undefined;

/**
 * axe-core in the page: the ids and targets of serious and critical violations (none is the bar on
 * every page). The app's CSP forbids inline scripts, so the source runs through evaluate (outside CSP).
 */
export async function axeSerious(page: Page): Promise<string[]> {
  axeSource ??= readFileSync(path.join(repoRoot, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
  await page.evaluate(axeSource);
  return page.evaluate(async () => {
    type AxeResults = { violations: { id: string; impact: string | null; nodes: { target: unknown[] }[] }[] };
    const axe = (globalThis as unknown as { axe: { run(): Promise<AxeResults> } }).axe;
    const r = await axe.run();
    return r.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id}: ${v.nodes.map((n) => JSON.stringify(n.target)).join(' ')}`);
  });
}

/** What `openAudited` found: the open page and axe's serious/critical violations per colour scheme. */
export interface AuditedPage {
  readonly page: Page;
  readonly serious: Readonly<Record<'light' | 'dark', readonly string[]>>;
}

/**
 * The one way the browser tests open a page and check its accessibility: a page in a browser signed
 * in to the server (launchBrowser(server), or signed out with a bare launchBrowser()), opened at
 * `pathname`, left to settle (`ready`: the page's own wait, e.g. waitForDashboard), then axe in the
 * light and the dark scheme. Page errors are collected in `errors` when given.
 */
export async function openAudited(
  browser: Browser,
  url: string,
  options: {
    ready?: (page: Page) => Promise<unknown>;
    errors?: string[];
    schemes?: readonly ('light' | 'dark')[];
  } = {},
): Promise<AuditedPage> {
  const page = await browser.context.newPage();
  if (options.errors) page.on('pageerror', (err) => options.errors?.push(err.message));
  await page.goto(url);
  await (options.ready ?? settle)(page);
  const serious: Record<'light' | 'dark', string[]> = { light: [], dark: [] };
  for (const scheme of options.schemes ?? (['light', 'dark'] as const)) {
    await page.emulateMedia({ colorScheme: scheme });
    serious[scheme] = await axeSerious(page);
  }
  await page.emulateMedia({ colorScheme: 'light' });
  return { page, serious };
}

/** A page has settled when its main landmark or heading is there and nothing in it says it is busy. */
async function settle(page: Page): Promise<void> {
  await page.locator('main, [role="main"], h1, h2').first().waitFor({ timeout: 30_000 });
  await page.waitForFunction(() => !document.querySelector('[aria-busy="true"]'), undefined, {
    timeout: 30_000,
  });
}
