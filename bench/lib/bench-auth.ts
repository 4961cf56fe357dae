import type { Role } from '../../contract/index.js';

/** An account the bench seeded on a server's metadata store, with the password it chose. */
export interface BenchAccount {
  readonly email: string;
  readonly password: string;
  readonly organisation: string;
  readonly role: Role;
}

/**
 * The cookies a response sets, by name (the last value of a name wins, as in a browser). Attributes
 * (Path, Max-Age, …) are dropped: the bench sends the cookies back to the one server that set them.
 * A cookie cleared with an empty value is removed.
 */
export function parseSetCookies(
  lines: readonly string[],
  into = new Map<string, string>(),
): Map<string, string> {
  for (const line of lines) {
    const pair = line.split(';', 1)[0] ?? '';
    const eq = pair.indexOf('=');
    if (eq <= 0) continue;
    const name = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    if (value === '') into.delete(name);
    else into.set(name, value);
  }
  return into;
}

/** The `Cookie` request header for a cookie jar, or undefined when it is empty. */
export function cookieHeader(jar: ReadonlyMap<string, string>): string | undefined {
  if (jar.size === 0) return undefined;
  return [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
}

/**
 * `fn` over every item with at most `limit` calls in flight; results in the items' order. Signing
 * in hundreds of viewers at once would queue that many argon2 hashes on the server's one core (and
 * measure the queue), so the bench signs in a few at a time, as a crowd arriving would.
 */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  if (!Number.isInteger(limit) || limit < 1)
    throw new RangeError(`limit must be a whole number ≥ 1: ${limit}`);
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** Round-robin: the account for the `index`-th client, so sessions spread over every account. */
export function accountFor(accounts: readonly BenchAccount[], index: number): BenchAccount {
  if (accounts.length === 0) throw new Error('no bench accounts to sign in with');
  return accounts[index % accounts.length] as BenchAccount;
}
