import type { MyOrganisations, MySession } from '../../contract/admin.schema.js';
import { recordAudit, type ActionContext } from '../audit/audit-log.js';
import { TrellisError } from '../errors.js';
import type { Store } from '../store/store.js';
import type { ActiveSession, SessionsService } from './sessions.service.js';

/** A user with more live sessions than this has a leak somewhere; the list stays bounded. */
export const MAX_SESSIONS_LISTED = 200;
/** Memberships shown in the organisation switcher. */
export const MAX_ORGANISATIONS_LISTED = 500;

/**
 * What a signed-in user does with their own sessions and organisations. Everything is keyed by the
 * caller's user id from the session; another user's session id is SESSION_NOT_FOUND.
 */
export class OwnSessionsService {
  constructor(
    private readonly store: Store,
    private readonly sessions: SessionsService,
    private readonly config: { idleMs: number },
    private readonly now: () => number = Date.now,
  ) {}

  async list(caller: ActiveSession): Promise<MySession[]> {
    const now = this.now();
    const rows = await this.store.db
      .selectFrom('sessions')
      .select(['id_hash', 'public_id', 'created_at', 'last_seen_at', 'expires_at', 'ip', 'user_agent'])
      .where('user_id', '=', caller.user.id)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', now)
      .where('last_seen_at', '>', now - this.config.idleMs)
      .orderBy('last_seen_at', 'desc')
      .limit(MAX_SESSIONS_LISTED)
      .execute();
    return rows.map((r) => ({
      id: r.public_id,
      createdAt: new Date(r.created_at).toISOString(),
      lastSeenAt: new Date(r.last_seen_at).toISOString(),
      expiresAt: new Date(r.expires_at).toISOString(),
      ip: r.ip,
      userAgent: r.user_agent,
      current: r.id_hash === caller.idHash,
    }));
  }

  /** Revokes one of the caller's sessions (the current one too, if they name it): one audit row. */
  async revoke(caller: ActiveSession, publicId: string, context: ActionContext): Promise<void> {
    await this.store.db.transaction().execute(async (trx) => {
      const at = this.now();
      const revoked = await trx
        .updateTable('sessions')
        .set({ revoked_at: at })
        .where('public_id', '=', publicId)
        .where('user_id', '=', caller.user.id)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      if (Number(revoked.numUpdatedRows) === 0) throw new TrellisError('SESSION_NOT_FOUND');
      await recordAudit(trx, at, context, {
        action: 'session.revoke',
        outcome: 'success',
        target: caller.user.email,
        detail: { session: publicId, count: 1 },
      });
    });
  }

  /** "Sign out everywhere else": every live session of the caller but this one, one audit row. */
  async revokeOthers(caller: ActiveSession, context: ActionContext): Promise<number> {
    return this.store.db.transaction().execute(async (trx) => {
      const at = this.now();
      const revoked = await trx
        .updateTable('sessions')
        .set({ revoked_at: at })
        .where('user_id', '=', caller.user.id)
        .where('id_hash', '!=', caller.idHash)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      const count = Number(revoked.numUpdatedRows);
      await recordAudit(trx, at, context, {
        action: 'session.revoke',
        outcome: 'success',
        target: caller.user.email,
        detail: { others: true, count },
      });
      return count;
    });
  }

  async organisations(caller: ActiveSession): Promise<MyOrganisations['organisations']> {
    const rows = await this.store.db
      .selectFrom('memberships')
      .innerJoin('organisations', 'organisations.id', 'memberships.organisation_id')
      .select(['organisations.id', 'organisations.slug', 'organisations.name', 'memberships.role'])
      .where('memberships.user_id', '=', caller.user.id)
      .orderBy('organisations.name')
      .limit(MAX_ORGANISATIONS_LISTED)
      .execute();
    return rows.map((r) => ({ ...r, current: r.id === caller.organisation.id }));
  }

  /**
   * Moves the caller to another of their organisations with a NEW session (the old one is revoked):
   * a session is bound to one tenant for its whole life, so nothing cached for the old tenant
   * under the old session id can be reused.
   */
  async switchOrganisation(
    caller: ActiveSession,
    organisationId: string,
    cookieToken: string | undefined,
    userAgent: string | null,
    context: ActionContext,
  ): Promise<{ token: string; session: ActiveSession }> {
    const target = await this.store.db
      .selectFrom('memberships')
      .innerJoin('organisations', 'organisations.id', 'memberships.organisation_id')
      .select(['organisations.id', 'organisations.slug', 'organisations.name', 'memberships.role'])
      .where('memberships.user_id', '=', caller.user.id)
      .where('memberships.organisation_id', '=', organisationId)
      .executeTakeFirst();
    // Not a member there: the same answer as an organisation that does not exist.
    if (!target)
      throw new TrellisError('FORBIDDEN', { message: 'You are not a member of that organisation.' });
    return this.sessions.open(caller.user, target, context, {
      previousToken: cookieToken,
      userAgent,
      audit: {
        action: 'organisation.switch',
        target: caller.user.email,
        detail: { from: caller.organisation.slug, to: target.slug },
      },
    });
  }
}
