import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import type { Role, SessionInfo } from '../contract/index.js';
import type { TestApp } from './app-harness.js';

/**
 * A user signed in to a test app, as tests drive it — the one type for every signed-in caller, from
 * loginAs (test/login-as.ts) or signIn here: the session cookie, the CSRF token to send with writes,
 * who and where the session is, and inject() that sends the right headers.
 */
export interface SignedIn {
  readonly app: TestApp;
  readonly userId: string;
  readonly email: string;
  /** The session's organisation (slug) and role there. */
  readonly org: string;
  readonly role: Role;
  readonly cookie: string;
  /** The session's CSRF token, for writes sent without inject() (real sockets). */
  readonly csrf: string;
  /** Headers for a GET (cookie) and for a write (cookie + x-csrf-token). */
  readonly read: Record<string, string>;
  readonly write: Record<string, string>;
  /** app.inject() with the cookie, and the CSRF token on writes, as the web app sends them. */
  inject(options: InjectOptions | string): Promise<LightMyRequestResponse>;
}

export async function signIn(
  app: TestApp,
  email: string,
  password: string,
  options: { remoteAddress?: string; userAgent?: string } = {},
): Promise<SignedIn> {
  const r = await app.inject({
    method: 'POST',
    url: '/api/v1/session',
    payload: { email, password },
    remoteAddress: options.remoteAddress ?? '127.0.0.1',
    headers: options.userAgent ? { 'user-agent': options.userAgent } : {},
  });
  if (r.statusCode !== 200) throw new Error(`sign-in of ${email} failed: ${r.statusCode} ${r.body}`);
  return fromResponse(app, r.headers['set-cookie'], r.json() as SessionInfo);
}

/** The caller of a response that set a new session (login, organisation switch). */
export function fromResponse(
  app: TestApp,
  setCookie: string | string[] | number | undefined,
  body: SessionInfo,
): SignedIn {
  const cookie = sessionCookie(setCookie);
  const write = { cookie, 'x-csrf-token': body.csrfToken };
  return {
    app,
    userId: body.user.id,
    email: body.user.email,
    org: body.organisation.slug,
    role: body.role,
    cookie,
    csrf: body.csrfToken,
    read: { cookie },
    write,
    inject: (opts) => {
      const o: InjectOptions = typeof opts === 'string' ? { url: opts } : opts;
      const unsafe = o.method !== undefined && !['GET', 'HEAD', 'OPTIONS'].includes(o.method.toUpperCase());
      return app.inject({ ...o, headers: { ...o.headers, ...(unsafe ? write : { cookie }) } });
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
