import type { Kysely } from 'kysely';
import {
  organisationsOfUser,
  recordAudit,
  recordAuditInOrganisations,
  type ActionContext,
} from '../audit/audit-log.js';
import { TrellisError } from '../errors.js';
import type { Mailer } from '../mail/mailer.js';
import type { ActiveSession } from '../policies/principal.js';
import type { Database } from '../store/database.types.js';
import type { Store } from '../store/store.js';
import { normaliseEmail } from './accounts.service.js';
import { hashNewPassword } from './new-password.js';
import { MAX_PASSWORD_LENGTH, verifyPassword } from './passwords.js';
import { hashSessionToken, isWellFormedToken, newSessionToken } from './session-token.js';
import { revokeCredentials } from './user-changes.js';

/** How long an e-mailed reset link works; it works once. */
export const RESET_TTL_MS = 30 * 60_000;

export interface OwnPasswordLimits {
  /** Wrong current passwords per user, and reset requests per address, within the window. */
  readonly maxFailuresPerAccount: number;
  /** Reset requests per client address within the window. */
  readonly maxFailuresPerIp: number;
  readonly failureWindowMs: number;
}

/** Reset e-mails per address within the window; more are accepted but not sent (same answer). */
export const MAX_RESET_MAILS_PER_ADDRESS = 3;

/**
 * What users do with their own password: change it (the current one required; every other session
 * and API token ends, the current session stays) and "Forgot password?" by e-mail (only with SMTP):
 * the answer is the same for known and unknown addresses, requests are throttled per address and
 * per client, and the link is a single-use, short-lived token stored as its sha256.
 */
export class OwnPasswordService {
  constructor(
    private readonly store: Store,
    private readonly limits: OwnPasswordLimits,
    private readonly mail: { mailer: Mailer; publicOrigin: string } | undefined,
    /** Told when a reset e-mail could not be sent (it is sent after answering, so nothing else would). */
    private readonly onMailError: (error: unknown) => void,
    private readonly now: () => number = Date.now,
  ) {}

  get mailEnabled(): boolean {
    return this.mail !== undefined;
  }

  async change(
    principal: ActiveSession,
    currentPassword: string,
    newPassword: string,
    context: ActionContext,
  ): Promise<{ revokedSessions: number }> {
    const db = this.store.db;
    const startedAt = this.now();
    const failures = await countSince(db, startedAt - this.limits.failureWindowMs, (q) =>
      q
        .where('action', '=', 'user.password_change')
        .where('outcome', '=', 'failure')
        .where('actor', '=', principal.user.id),
    );
    if (failures >= this.limits.maxFailuresPerAccount)
      throw new TrellisError('TOO_MANY_ATTEMPTS', {
        retryAfterSeconds: Math.ceil(this.limits.failureWindowMs / 1000),
        detail: { scope: 'password_change' },
      });
    const user = await db
      .selectFrom('users')
      .select('password_hash')
      .where('id', '=', principal.user.id)
      .executeTakeFirstOrThrow();
    const ok =
      currentPassword.length <= MAX_PASSWORD_LENGTH &&
      (await verifyPassword(user.password_hash, currentPassword));
    if (!ok) {
      await recordAudit(db, this.now(), context, {
        action: 'user.password_change',
        outcome: 'failure',
        target: principal.user.email,
        detail: { reason: 'wrong_password' },
      });
      throw new TrellisError('CURRENT_PASSWORD_WRONG');
    }
    const passwordHash = await hashNewPassword(newPassword);
    return db.transaction().execute(async (trx) => {
      const at = this.now();
      await trx
        .updateTable('users')
        .set({ password_hash: passwordHash })
        .where('id', '=', principal.user.id)
        .execute();
      // Every other session and every API token ends; the session that proved the password stays.
      const sessions = await trx
        .updateTable('sessions')
        .set({ revoked_at: at })
        .where('user_id', '=', principal.user.id)
        .where('id_hash', '!=', principal.idHash)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      await trx
        .updateTable('api_tokens')
        .set({ revoked_at: at })
        .where('user_id', '=', principal.user.id)
        .where('revoked_at', 'is', null)
        .execute();
      await trx
        .updateTable('password_resets')
        .set({ used_at: at })
        .where('user_id', '=', principal.user.id)
        .where('used_at', 'is', null)
        .execute();
      const revokedSessions = Number(sessions.numUpdatedRows);
      await recordAuditInOrganisations(
        trx,
        at,
        context,
        {
          action: 'user.password_change',
          outcome: 'success',
          target: principal.user.email,
          detail: { revokedSessions },
        },
        await organisationsOfUser(trx, principal.user.id),
      );
      return { revokedSessions };
    });
  }

  /**
   * "Forgot password?": the same answer (nothing) for every address. A known, enabled address gets a
   * link by e-mail, sent after answering so the time taken tells nothing either.
   */
  async request(emailInput: string, context: ActionContext): Promise<void> {
    if (!this.mail) throw new TrellisError('MAIL_NOT_CONFIGURED');
    const mail = this.mail;
    const email = normaliseEmail(emailInput).slice(0, 254);
    const db = this.store.db;
    const at = this.now();
    const since = at - this.limits.failureWindowMs;
    if (context.ip !== null) {
      const fromIp = await countSince(db, since, (q) =>
        q.where('action', '=', 'password_reset.request').where('ip', '=', context.ip),
      );
      if (fromIp >= this.limits.maxFailuresPerIp)
        throw new TrellisError('TOO_MANY_ATTEMPTS', {
          retryAfterSeconds: Math.ceil(this.limits.failureWindowMs / 1000),
          detail: { scope: 'password_reset_ip' },
        });
    }
    const forAddress = await countSince(db, since, (q) =>
      q
        .where('action', '=', 'password_reset.request')
        .where('target', '=', email)
        .where('outcome', '=', 'success'),
    );
    const user = await db
      .selectFrom('users')
      .select(['id', 'disabled_at'])
      .where('email', '=', email)
      .executeTakeFirst();
    const throttled = forAddress >= MAX_RESET_MAILS_PER_ADDRESS;
    const token = newSessionToken();
    await db.transaction().execute(async (trx) => {
      const sends = user !== undefined && user.disabled_at === null && !throttled;
      if (sends)
        await trx
          .insertInto('password_resets')
          .values({
            token_hash: hashSessionToken(token),
            user_id: user.id,
            created_at: at,
            expires_at: at + RESET_TTL_MS,
            used_at: null,
          })
          .execute();
      // One row per request (no organisation: who asked is not known to be the account's owner), so
      // the counts above are per request; `sent` is for the operator, never the answer.
      await recordAudit(trx, at, context, {
        action: 'password_reset.request',
        outcome: throttled ? 'locked_out' : 'success',
        target: email,
        detail: { sent: sends },
        organisationId: null,
      });
    });
    if (user === undefined || user.disabled_at !== null || throttled) return;
    void mail.mailer
      .send({
        to: email,
        subject: 'Reset your Trellis password',
        text:
          `Someone (hopefully you) asked to reset the password of ${email} on Trellis.\n\n` +
          `Open this link to choose a new password (it works once, for 30 minutes):\n\n` +
          `${mail.publicOrigin}/reset-password?token=${token}\n\n` +
          `If you did not ask, ignore this e-mail: your password stays as it is.\n`,
      })
      .catch(this.onMailError);
  }

  /** A new password through an e-mailed link: every session and token of the user ends. */
  async confirm(token: string, password: string, context: ActionContext): Promise<void> {
    if (!isWellFormedToken(token)) throw new TrellisError('RESET_LINK_INVALID');
    const passwordHash = await hashNewPassword(password);
    await this.store.db.transaction().execute(async (trx) => {
      const at = this.now();
      const claimed = await trx
        .updateTable('password_resets')
        .set({ used_at: at })
        .where('token_hash', '=', hashSessionToken(token))
        .where('used_at', 'is', null)
        .where('expires_at', '>', at)
        .returning(['user_id'])
        .executeTakeFirst();
      if (!claimed) throw new TrellisError('RESET_LINK_INVALID');
      const user = await trx
        .selectFrom('users')
        .select(['email', 'disabled_at'])
        .where('id', '=', claimed.user_id)
        .executeTakeFirstOrThrow();
      // A disabled account is not opened again by whoever reads its mailbox.
      if (user.disabled_at !== null) throw new TrellisError('RESET_LINK_INVALID');
      await trx
        .updateTable('users')
        .set({ password_hash: passwordHash })
        .where('id', '=', claimed.user_id)
        .execute();
      await trx
        .updateTable('password_resets')
        .set({ used_at: at })
        .where('user_id', '=', claimed.user_id)
        .where('used_at', 'is', null)
        .execute();
      const revokedSessions = await revokeCredentials(trx, claimed.user_id, at);
      await recordAuditInOrganisations(
        trx,
        at,
        { ...context, actor: claimed.user_id },
        {
          action: 'user.password_reset',
          outcome: 'success',
          target: user.email,
          detail: { userId: claimed.user_id, revokedSessions, method: 'email' },
        },
        await organisationsOfUser(trx, claimed.user_id),
      );
    });
  }
}

/** Audit rows since a time (the rows counted are written once per request: requests and failures). */
async function countSince(
  db: Kysely<Database>,
  since: number,
  where: (q: ReturnType<typeof base>) => ReturnType<typeof base>,
): Promise<number> {
  const row = await where(base(db, since)).executeTakeFirstOrThrow();
  return Number(row.n);
}

function base(db: Kysely<Database>, since: number) {
  return db
    .selectFrom('audit_log')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('at', '>', since);
}
