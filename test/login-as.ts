import type { Role } from '../contract/index.js';
import { CLI_CONTEXT } from '../server/audit/audit-log.js';
import type { TestApp } from './app-harness.js';
import { signIn, type SignedIn } from './session-helper.js';

export { sessionCookie, type SignedIn } from './session-helper.js';

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
    pending = createAndSignIn(app, { ...options, email });
    byKey.set(key, pending);
    // A failed sign-in is not remembered: the next call tries again and reports its own error.
    pending.catch(() => byKey?.delete(key));
  }
  return pending;
}

async function createAndSignIn(app: TestApp, options: LoginAsOptions & { email: string }): Promise<SignedIn> {
  const accounts = app.services.accounts;
  const orgs = await accounts.listOrganisations();
  if (!orgs.some((o) => o.slug === options.org))
    await accounts.createOrganisation(options.org, options.orgName ?? options.org, CLI_CONTEXT);
  await accounts.createUser(
    { email: options.email, password: TEST_PASSWORD, organisation: options.org, role: options.role },
    CLI_CONTEXT,
  );
  return signIn(app, options.email, TEST_PASSWORD);
}
