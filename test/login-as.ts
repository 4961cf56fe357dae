import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import type { Role } from '../contract/index.js';
import { CLI_CONTEXT } from '../server/audit/audit-log.js';
import type { TestApp } from './app-harness.js';

/** A user signed in to a test app: their cookie, and inject() that sends it. */
export interface SignedIn {
  readonly app: TestApp;
  readonly cookie: string;
  /** The session's CSRF token, for writes sent without inject() (real sockets). */
  readonly csrf: string;
  readonly org: string;
  readonly role: Role;
  readonly email: string;
  inject(options: InjectOptions | string): Promise<LightMyRequestResponse>;
}

export interface LoginAsOptions {
  /** Organisation slug (created if the app's store does not have it yet). */
  readonly org: string;
  readonly role: Role;
  /** Organisation display name when it is created here (default: the slug). */
  readonly orgName?: string;
  /** Default `<role>@<org>.test`: one user per organisation and role. */
  readonly email?: string;
}

export const TEST_PASSWORD = 'correct horse battery staple';

const signedIn = new WeakMap<TestApp, Map<string, Promise<SignedIn>>>();

/**
 * Creates (once per app) an organisation and a member with the role in the app's own metadata
 * store, then signs in the way a browser does — POST /api/v1/session — and returns the session
 * cookie with an inject() that sends it. The same user of the same app is signed in once (argon2
 * costs tens of milliseconds per hash), so tests can ask freely.
 */
export function loginAs(app: TestApp, options: LoginAsOptions): Promise<SignedIn> {
  const email = options.email ?? `${options.role}@${options.org}.test`;
  let byKey = signedIn.get(app);
  if (!byKey) signedIn.set(app, (byKey = new Map()));
  const key = `${options.org}\u0000${email}`;
  let pending = byKey.get(key);
  if (!pending) {
    pending = signIn(app, { ...options, email });
    byKey.set(key, pending);
    // A failed sign-in is not remembered: the next call tries again and reports its own error.
    pending.catch(() => byKey?.delete(key));
  }
  return pending;
}

async function signIn(app: TestApp, options: LoginAsOptions & { email: string }): Promise<SignedIn> {
  const accounts = app.services.accounts;
  const orgs = await accounts.listOrganisations();
  if (!orgs.some((o) => o.slug === options.org))
    await accounts.createOrganisation(options.org, options.orgName ?? options.org, CLI_CONTEXT);
  await accounts.createUser(
    { email: options.email, password: TEST_PASSWORD, organisation: options.org, role: options.role },
    CLI_CONTEXT,
  );
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/session',
    payload: { email: options.email, password: TEST_PASSWORD },
  });
  if (res.statusCode !== 200)
    throw new Error(`login as ${options.email} failed: ${res.statusCode} ${res.body}`);
  const cookie = sessionCookie(res.headers['set-cookie']);
  // Writes authenticated by the cookie must echo the session's CSRF token, as the web app does.
  const csrf = (res.json() as { csrfToken: string }).csrfToken;
  return {
    app,
    cookie,
    csrf,
    org: options.org,
    role: options.role,
    email: options.email,
    inject: (opts) => {
      const o: InjectOptions = typeof opts === 'string' ? { url: opts } : opts;
      const write = o.method !== undefined && !['GET', 'HEAD', 'OPTIONS'].includes(o.method.toUpperCase());
      return app.inject({
        ...o,
        headers: { ...o.headers, cookie, ...(write ? { 'x-csrf-token': csrf } : {}) },
      });
    },
  };
}

/** `name=value` of the first Set-Cookie header. */
export function sessionCookie(setCookie: string | string[] | number | undefined): string {
  const header = Array.isArray(setCookie) ? setCookie[0] : setCookie;
  const cookie = String(header ?? '').split(';')[0] ?? '';
  if (!cookie.includes('=')) throw new Error('the login answer set no cookie');
  return cookie;
}
