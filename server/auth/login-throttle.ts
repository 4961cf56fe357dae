import type { Kysely } from 'kysely';
import type { SessionConfig } from '../config/env.js';
import type { Database } from '../store/database.types.js';

export type ThrottleLimits = Pick<
  SessionConfig,
  'maxFailuresPerAccount' | 'maxFailuresPerIp' | 'failureWindowMs'
>;

/**
 * Login throttling counted from the audit log's failed logins, so every instance sharing the store
 * sees the same count and a restart forgets nothing. Refused (locked-out) attempts are not failures:
 * a lockout ends a window after the failures that caused it, however often the attacker keeps trying.
 *
 * Returns the milliseconds until an attempt is allowed again, or 0 when it is allowed now.
 */
export async function lockedForMs(
  db: Kysely<Database>,
  limits: ThrottleLimits,
  attempt: { email: string; ip: string | null },
  now: number,
): Promise<{ ms: number; scope: 'account' | 'ip' | null }> {
  const windowStart = now - limits.failureWindowMs;
  // A successful login clears the account's count (only someone with the password can do that); the
  // per-address count is never cleared, or an attacker could reset it with an account of their own.
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
  const accountFailures = await db
    .selectFrom('audit_log')
    .select('at')
    .where('action', '=', 'login')
    .where('target', '=', attempt.email)
    .where('outcome', '=', 'failure')
    .where('at', '>', Math.max(windowStart, lastSuccess?.at ?? windowStart))
    .orderBy('at', 'desc')
    .limit(limits.maxFailuresPerAccount)
    .execute();
  const account = untilAllowed(accountFailures, limits.maxFailuresPerAccount, limits.failureWindowMs, now);
  if (account > 0) return { ms: account, scope: 'account' };
  if (attempt.ip === null) return { ms: 0, scope: null };
  const ipFailures = await db
    .selectFrom('audit_log')
    .select('at')
    .where('action', '=', 'login')
    .where('ip', '=', attempt.ip)
    .where('outcome', '=', 'failure')
    .where('at', '>', windowStart)
    .orderBy('at', 'desc')
    .limit(limits.maxFailuresPerIp)
    .execute();
  const ip = untilAllowed(ipFailures, limits.maxFailuresPerIp, limits.failureWindowMs, now);
  return ip > 0 ? { ms: ip, scope: 'ip' } : { ms: 0, scope: null };
}

/** With `max` failures in the window (newest first), attempts resume when the oldest of them leaves it. */
function untilAllowed(failures: { at: number }[], max: number, windowMs: number, now: number): number {
  if (failures.length < max) return 0;
  const oldestCounted = failures[max - 1];
  return oldestCounted ? Math.max(1, oldestCounted.at + windowMs - now) : 0;
}
