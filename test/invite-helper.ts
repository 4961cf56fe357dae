import type { TestApp } from './app-harness.js';
import type { SignedIn } from './session-helper.js';

/** The token of an invitation link path (`/invite?token=…`), as the no-SMTP answer gives it. */
export function tokenOfLink(linkPath: string | null): string {
  const token = new URL(linkPath ?? '', 'http://x').searchParams.get('token');
  if (!token) throw new Error(`no token in ${String(linkPath)}`);
  return token;
}

/** An admin invites `email`; answers the invitation link's token (the app has no SMTP). */
export async function invite(
  app: TestApp,
  admin: SignedIn,
  email: string,
  role: 'viewer' | 'editor' | 'admin',
): Promise<string> {
  const r = await app.inject({
    method: 'POST',
    url: '/api/v1/admin/invitations',
    headers: admin.write,
    payload: { email, role },
  });
  if (r.statusCode !== 201) throw new Error(`invite of ${email} failed: ${r.statusCode} ${r.body}`);
  return tokenOfLink((r.json() as { linkPath: string | null }).linkPath);
}

/**
 * A new member the way one joins now: invited by `admin`, then the new account set up through the
 * link with the person's own password. Answers the new user's id.
 */
export async function inviteNewMember(
  app: TestApp,
  admin: SignedIn,
  email: string,
  role: 'viewer' | 'editor' | 'admin',
  password: string,
): Promise<{ email: string; userId: string }> {
  const token = await invite(app, admin, email, role);
  const r = await app.inject({
    method: 'POST',
    url: '/api/v1/invitations/register',
    payload: { token, password },
  });
  if (r.statusCode !== 201) throw new Error(`register of ${email} failed: ${r.statusCode} ${r.body}`);
  const user = await app.services.store.db
    .selectFrom('users')
    .select('id')
    .where('email', '=', email.toLowerCase())
    .executeTakeFirstOrThrow();
  return { email: email.toLowerCase(), userId: user.id };
}

/** An existing user (signed in) accepts an invitation `admin` sends to their address. */
export async function inviteExistingMember(
  app: TestApp,
  admin: SignedIn,
  email: string,
  member: SignedIn,
  role: 'viewer' | 'editor' | 'admin',
): Promise<void> {
  const token = await invite(app, admin, email, role);
  const r = await app.inject({
    method: 'POST',
    url: '/api/v1/invitations/accept',
    headers: member.write,
    payload: { token },
  });
  if (r.statusCode !== 200) throw new Error(`accept by ${email} failed: ${r.statusCode} ${r.body}`);
}
