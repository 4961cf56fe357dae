import { randomBytes } from 'node:crypto';
import type { SessionConfig } from '../config/env.js';
import { recordAudit, type ActionContext } from '../audit/audit-log.js';
import { TrellisError } from '../errors.js';
import type { Role } from '../store/database.types.js';
import type { Store } from '../store/store.js';
import { compiledLookup } from '../store/compiled-lookup.js';
import { normaliseEmail } from './accounts.service.js';
import { lockedForMs } from './login-throttle.js';
import { dummyPasswordHash, MAX_PASSWORD_LENGTH, verifyPassword } from './passwords.js';
import { hashSessionToken, isWellFormedToken, newSessionToken } from './session-token.js';
import type { ActiveSession } from '../policies/principal.js';

/** A live session as requests see it (the type lives in policies/, the lower layer). */
export type { ActiveSession } from '../policies/principal.js';

/**
 * Server-side sessions: the browser holds a random 256-bit token, the store holds its sha256 with
 * the user, organisation and times. Every request re-reads the row, so a revocation (logout, user
 * disabled) takes effect on the next request on every instance sharing the store.
 */
export class SessionsService {
  /** last_seen_at is written at most this often per session, not on every request. */
  private readonly touchEveryMs: number;
  /** The per-request lookup, compiled once (see compiled-lookup.ts). */
  private readonly findSession: ReturnType<typeof sessionLookup>;

  constructor(
    private readonly store: Store,
    private readonly config: SessionConfig,
    /** Injected by tests to move time instead of sleeping. */
    private readonly now: () => number = Date.now,
  ) {
    this.touchEveryMs = Math.min(60_000, Math.floor(config.idleMs / 10));
    this.findSession = sessionLookup(store);
  }

  get idleTimeoutSeconds(): number {
    return Math.floor(this.config.idleMs / 1000);
  }

  /**
   * Checks the password and opens a new session (a new token every time: rotation at login, so a
   * token planted before login is worthless after it). `previousToken`, if any, is revoked.
   * Every failure is the same INVALID_CREDENTIALS and costs one argon2 verification.
   */
  async login(
    emailInput: string,
    password: string,
    context: ActionContext,
    previousToken?: string,
    userAgent: string | null = null,
    /**
     * The nonce of a valid device cookie for this e-mail (http/device-cookie.ts), or a function
     * finding it for the normalised e-mail; a known device is not subject to the account lock.
     */
    device: ((email: string) => string | null) | null = null,
  ): Promise<{ token: string; session: ActiveSession }> {
    const email = normaliseEmail(emailInput).slice(0, 254);
    const db = this.store.db;
    const startedAt = this.now();
    const deviceNonce = device ? device(email) : null;
    const locked = await lockedForMs(
      db,
      this.config,
      { email, ip: context.ip, device: deviceNonce },
      startedAt,
    );
    if (locked.ms > 0) {
      // The password is not even checked: a right one during lockout must look like a wrong one.
      await recordAudit(db, startedAt, context, {
        action: 'login',
        outcome: 'locked_out',
        target: email,
        detail: { scope: locked.scope },
      });
      throw new TrellisError('TOO_MANY_ATTEMPTS', {
        retryAfterSeconds: Math.ceil(locked.ms / 1000),
        detail: { scope: locked.scope },
      });
    }

    const user = await db
      .selectFrom('users')
      .select(['id', 'email', 'password_hash', 'disabled_at'])
      .where('email', '=', email)
      .executeTakeFirst();
    // The same work whether or not the account exists, so timing tells nothing about which do.
    const passwordOk =
      password.length <= MAX_PASSWORD_LENGTH &&
      (await verifyPassword(user?.password_hash ?? (await dummyPasswordHash()), password));
    const membership = user
      ? await db
          .selectFrom('memberships')
          .innerJoin('organisations', 'organisations.id', 'memberships.organisation_id')
          .select(['organisations.id', 'organisations.slug', 'organisations.name', 'memberships.role'])
          .where('memberships.user_id', '=', user.id)
          // The oldest membership is the home organisation until switching organisations exists.
          .orderBy('memberships.created_at')
          .orderBy('organisations.slug')
          .limit(1)
          .executeTakeFirst()
      : undefined;
    const reason = !user
      ? 'unknown_user'
      : !passwordOk
        ? 'wrong_password'
        : user.disabled_at !== null
          ? 'disabled'
          : !membership
            ? 'no_membership'
            : null;
    const at = this.now();
    if (reason !== null || !user || !membership) {
      await recordAudit(db, at, context, {
        action: 'login',
        outcome: 'failure',
        target: email,
        // The device, when known, so its own failures can make it untrusted again (login-throttle.ts).
        detail: { reason: reason ?? 'unknown', ...(deviceNonce ? { device: deviceNonce } : {}) },
        // The account's organisation, when there is one, so its admins see attacks on it.
        organisationId: membership?.id ?? null,
      });
      throw new TrellisError('INVALID_CREDENTIALS', { detail: { reason } });
    }

    return this.open(
      { id: user.id, email: user.email },
      { id: membership.id, slug: membership.slug, name: membership.name, role: membership.role },
      { ...context, actor: user.id },
      {
        previousToken,
        userAgent,
        audit: {
          action: 'login',
          target: email,
          detail: { organisation: membership.slug, role: membership.role },
        },
      },
    );
  }

  /**
   * A new session for a user in one organisation, revoking `previousToken` (rotation: at login, at an
   * organisation switch) and writing its one audit row, all in one transaction.
   */
  async open(
    user: { id: string; email: string },
    organisation: { id: string; slug: string; name: string; role: Role },
    context: ActionContext,
    options: {
      previousToken?: string | undefined;
      userAgent: string | null;
      audit: { action: 'login' | 'organisation.switch'; target: string; detail: Record<string, string> };
    },
  ): Promise<{ token: string; session: ActiveSession }> {
    const at = this.now();
    const token = newSessionToken();
    const session: ActiveSession = {
      idHash: hashSessionToken(token),
      user,
      organisation: { id: organisation.id, slug: organisation.slug, name: organisation.name },
      role: organisation.role,
      createdAt: at,
      lastSeenAt: at,
      expiresAt: at + this.config.absoluteMs,
    };
    const { previousToken } = options;
    await this.store.db.transaction().execute(async (trx) => {
      if (previousToken !== undefined && isWellFormedToken(previousToken))
        await trx
          .updateTable('sessions')
          .set({ revoked_at: at })
          .where('id_hash', '=', hashSessionToken(previousToken))
          .where('revoked_at', 'is', null)
          .execute();
      await trx
        .insertInto('sessions')
        .values({
          id_hash: session.idHash,
          user_id: user.id,
          organisation_id: organisation.id,
          created_at: at,
          last_seen_at: at,
          expires_at: session.expiresAt,
          revoked_at: null,
          ip: context.ip,
          user_agent: options.userAgent === null ? null : options.userAgent.slice(0, 300),
          public_id: randomBytes(12).toString('base64url'),
        })
        .execute();
      await recordAudit(trx, at, context, {
        action: options.audit.action,
        outcome: 'success',
        target: options.audit.target,
        detail: options.audit.detail,
        organisationId: organisation.id,
      });
    });
    return { token, session };
  }

  /** The live session for a cookie token, or undefined when it is unknown, revoked or expired. */
  async resolve(token: string): Promise<ActiveSession | undefined> {
    if (!isWellFormedToken(token)) return undefined;
    const idHash = hashSessionToken(token);
    const row = await this.findSession(idHash);
    if (!row) return undefined;
    const now = this.now();
    if (
      row.revoked_at !== null ||
      row.disabled_at !== null ||
      now >= row.expires_at ||
      now - row.last_seen_at >= this.config.idleMs
    )
      return undefined;
    let lastSeenAt = row.last_seen_at;
    if (now - lastSeenAt >= this.touchEveryMs) {
      lastSeenAt = now;
      await this.store.db
        .updateTable('sessions')
        .set({ last_seen_at: now })
        .where('id_hash', '=', idHash)
        .where('revoked_at', 'is', null)
        .execute();
    }
    return {
      idHash,
      user: { id: row.user_id, email: row.email },
      organisation: { id: row.organisation_id, slug: row.slug, name: row.name },
      role: row.role,
      createdAt: row.created_at,
      lastSeenAt,
      expiresAt: row.expires_at,
    };
  }

  /** Revokes the session of this token, if it is live. Logging out twice is not an error. */
  async logout(token: string | undefined, context: ActionContext): Promise<boolean> {
    if (token === undefined || !isWellFormedToken(token)) return false;
    const at = this.now();
    return this.store.db.transaction().execute(async (trx) => {
      const revoked = await trx
        .updateTable('sessions')
        .set({ revoked_at: at })
        .where('id_hash', '=', hashSessionToken(token))
        .where('revoked_at', 'is', null)
        .returning(['user_id'])
        .executeTakeFirst();
      if (!revoked) return false;
      await recordAudit(
        trx,
        at,
        { ...context, actor: revoked.user_id },
        {
          action: 'logout',
          outcome: 'success',
          target: revoked.user_id,
        },
      );
      return true;
    });
  }
}

/** The session row of a token hash with its user, membership and organisation, compiled once. */
function sessionLookup(store: Store) {
  return compiledLookup(store.db, (idHash) =>
    store.db
      .selectFrom('sessions')
      .innerJoin('users', 'users.id', 'sessions.user_id')
      // A membership removed since login ends the session too.
      .innerJoin('memberships', (join) =>
        join
          .onRef('memberships.user_id', '=', 'sessions.user_id')
          .onRef('memberships.organisation_id', '=', 'sessions.organisation_id'),
      )
      .innerJoin('organisations', 'organisations.id', 'sessions.organisation_id')
      .select([
        'sessions.created_at',
        'sessions.last_seen_at',
        'sessions.expires_at',
        'sessions.revoked_at',
        'users.id as user_id',
        'users.email',
        'users.disabled_at',
        'organisations.id as organisation_id',
        'organisations.slug',
        'organisations.name',
        'memberships.role',
      ])
      .where('sessions.id_hash', '=', idHash),
  );
}
