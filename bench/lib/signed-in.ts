import { accountFor, mapLimit } from './bench-auth.js';
import { HttpClient } from './http-client.js';
import type { BenchServer } from './with-server.js';

/**
 * Sign-ins in flight at once: argon2 takes ~30 ms of a core per login, and the server has one; a
 * few at a time keeps the queue short (500 viewers sign in within about 20 s).
 */
export const SIGN_IN_CONCURRENCY = 4;

/** One browser-like client (own keep-alive sockets, own cookies) signed in as the `index`-th viewer. */
export async function signedInClient(
  server: BenchServer,
  index: number,
  options: { maxSockets?: number; timeoutMs?: number } = {},
): Promise<HttpClient> {
  const client = new HttpClient(server.url, options);
  try {
    await client.signIn(accountFor(server.accounts.viewers, index));
  } catch (err) {
    client.close();
    throw err;
  }
  return client;
}

/** `count` signed-in clients, signed in a few at a time (see SIGN_IN_CONCURRENCY). */
export function signedInClients(
  server: BenchServer,
  count: number,
  options: { maxSockets?: number; timeoutMs?: number } = {},
): Promise<HttpClient[]> {
  return mapLimit(
    Array.from({ length: count }, (_, i) => i),
    SIGN_IN_CONCURRENCY,
    (i) => signedInClient(server, i, options),
  );
}

/**
 * A viewer API token, as a script or load generator would hold one: made by a signed-in viewer
 * through POST /api/v1/tokens (a cookie-authenticated write, so with the CSRF token). Requests with
 * it need neither a cookie nor a CSRF token, so autocannon can send one fixed set of headers.
 */
export async function viewerToken(server: BenchServer): Promise<string> {
  const client = await signedInClient(server, 0);
  try {
    const reply = await client.post('/api/v1/tokens', { name: 'bench', role: 'viewer', expiresInDays: 1 });
    if (reply.status !== 200 && reply.status !== 201)
      throw new Error(`create API token: ${reply.status} ${reply.body.slice(0, 200)}`);
    return (JSON.parse(reply.body) as { secret: string }).secret;
  } finally {
    client.close();
  }
}
