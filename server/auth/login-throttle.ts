import type { Kysely } from 'kysely';
import type { SessionConfig } from '../config/env.js';
import type { Database } from '../store/database.types.js';

export type ThrottleLimits = Pick<
  SessionConfig,
  'maxFailuresPerAccount' | 'maxFailuresPerIp' | 'failureWindowMs'
>;

/** Failures of one account from one address that cost nothing; each one after doubles the delay. */
export const FREE_FAILURES_PER_ACCOUNT_AND_IP = 3;
const FIRST_DELAY_MS = 1_000;

export type LockScope = 'account' | 'ip' | 'account_ip' | 'device';

/**
 * Login throttling (OWASP's "account lockout" with its denial-of-service answer), counted from the
 * audit log's failed logins, so every instance sharing the store sees the same count and a restart
 * forgets nothing. Refused (locked-out) attempts are not failures.
 *
 * - Per address: `maxFailuresPerIp` failures from one address in the window (any accounts) lock it.
 * - Per account and address: after FREE_FAILURES_PER_ACCOUNT_AND_IP failures, each further attempt
 *   from that address waits 1 s, 2 s, 4 s… (up to the window) after the latest failure.
 * - Per account, untrusted clients only: `maxFailuresPerAccount` failures in the window lock the
 *   account for clients without a device cookie of it — so guessing from many addresses still stops.
 * - A known device (a device cookie from an earlier successful sign-in to this account, checked by
 *   the caller) is not subject to the account lock: an attacker elsewhere cannot lock the owner out.
 *   Its own failures count against it: `maxFailuresPerAccount` of them and it is untrusted again.
 *
 * Returns the milliseconds until an attempt is allowed again (0: allowed now) and which rule said so.
 */
export async function lockedForMs(
  db: Kysely<Database>,
  limits: ThrottleLimits,
  attempt: { email: string; ip: string | null; device: string | null },
  now: number,
): Promise<{ ms: number; scope: LockScope | null }> {
  const windowStart = now - limits.failureWindowMs;
  if (attempt.ip !== null) {
    // Never cleared by a success, or an attacker could reset it with an account of their own.
    const ipFailures = await failures(db, windowStart, limits.maxFailuresPerIp, (q) =>
      q.where('ip', '=', attempt.ip),
    );
    const ip = untilAllowed(ipFailures, limits.maxFailuresPerIp, limits.failureWindowMs, now);
    if (ip > 0) return { ms: ip, scope: 'ip' };
  }
  // A successful login clears the account's counts (only someone with the password can do that).
  const lastSuccess = await db
    .selectFrom('audit_log')
    .select('at')
    .where('action', '=', 'login')
    .where('target', '=', attempt.email)
    .where('outcome', '=', 'success')
    .where('at', '>', windowStart)
    .orderBy('at', 'desc')
    .limit(1)
    .executeTakeFirst();
  const since = Math.max(windowStart, lastSuccess?.at ?? windowStart);

  if (attempt.ip !== null) {
    const mine = await failures(db, since, 64, (q) =>
      q.where('target', '=', attempt.email).where('ip', '=', attempt.ip),
    );
    const latest = mine[0];
    if (latest && mine.length >= FREE_FAILURES_PER_ACCOUNT_AND_IP) {
      const doublings = Math.min(30, mine.length - FREE_FAILURES_PER_ACCOUNT_AND_IP);
      const delay = Math.min(limits.failureWindowMs, FIRST_DELAY_MS * 2 ** doublings);
      if (latest.at + delay > now) return { ms: latest.at + delay - now, scope: 'account_ip' };
    }
  }

  if (attempt.device !== null) {
    // The device's nonce is hex from a cookie whose HMAC the caller checked: safe in a LIKE pattern.
    const device = attempt.device;
    const deviceFailures = await failures(db, since, limits.maxFailuresPerAccount, (q) =>
      q.where('target', '=', attempt.email).where('detail', 'like', `%"device":"${device}"%`),
    );
    if (deviceFailures.length < limits.maxFailuresPerAccount) return { ms: 0, scope: null };
    // A device that failed as often as an attacker is treated as one: the account lock applies.
  }

  const accountFailures = await failures(db, since, limits.maxFailuresPerAccount, (q) =>
    q.where('target', '=', attempt.email),
  );
  const account = untilAllowed(accountFailures, limits.maxFailuresPerAccount, limits.failureWindowMs, now);
  if (account > 0) return { ms: account, scope: attempt.device === null ? 'account' : 'device' };
  return { ms: 0, scope: null };
}

type AuditQuery = ReturnType<typeof baseQuery>;

function baseQuery(db: Kysely<Database>, since: number) {
  return db
    .selectFrom('audit_log')
    .select('at')
    .where('action', '=', 'login')
    .where('outcome', '=', 'failure')
    .where('at', '>', since);
}

/** Failed logins after `since` matching `narrow`, newest first, at most `limit`. */
function failures(
  db: Kysely<Database>,
  since: number,
  limit: number,
  narrow: (q: AuditQuery) => AuditQuery,
): Promise<{ at: number }[]> {
  return narrow(baseQuery(db, since)).orderBy('at', 'desc').limit(limit).execute();
}

/** With `max` failures in the window (newest first), attempts resume when the oldest of them leaves it. */
function untilAllowed(failures: { at: number }[], max: number, windowMs: number, now: number): number {
  if (failures.length < max) return 0;
  const oldestCounted = failures[max - 1];
  return oldestCounted ? Math.max(1, oldestCounted.at + windowMs - now) : 0;
}
