import type { TestApp } from './app-harness.js';

/** A signed-in caller as tests drive it: the session cookie and the CSRF header to send with writes. */
export interface SignedIn {
  readonly cookie: string;
  readonly csrf: string;
  /** Headers for a GET (cookie) and for a write (cookie + x-csrf-token). */
  readonly read: Record<string, string>;
  readonly write: Record<string, string>;
  readonly userId: string;
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
  return fromResponse(r.headers['set-cookie'], r.json() as { csrfToken: string; user: { id: string } });
}

/** The caller of a response that set a new session (login, organisation switch). */
export function fromResponse(
  setCookie: string | string[] | number | undefined,
  body: { csrfToken: string; user: { id: string } },
): SignedIn {
  const first = Array.isArray(setCookie) ? setCookie[0] : setCookie;
  const cookie = String(first ?? '').split(';')[0] ?? '';
  return {
    cookie,
    csrf: body.csrfToken,
    read: { cookie },
    write: { cookie, 'x-csrf-token': body.csrfToken },
    userId: body.user.id,
  };
}
