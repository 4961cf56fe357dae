import { randomBytes } from 'node:crypto';
import type { ActionContext } from '../audit/audit-log.js';
import { TrellisError } from '../errors.js';
import type { Store } from '../store/store.js';
import { hashSessionToken, isWellFormedToken } from './session-token.js';
import type { ActiveSession, SessionsService } from './sessions.service.js';

/** How long a printed sign-in link works; it works once. */
export const LINK_TTL_MS = 15 * 60_000;

/**
 * One-time sign-in links (demo mode, like Jupyter's token URL): a random 256-bit token, stored as its
 * sha256, exchanged once for a session of the user it names. Using it is claimed with a conditional
 * update, so two instances (or two clicks) cannot both redeem one link.
 */
export class LoginLinksService {
  constructor(
    private readonly store: Store,
    private readonly sessions: SessionsService,
    private readonly now: () => number = Date.now,
  ) {}

  /** A fresh link token for this user in this organisation (by slug). */
  async mint(email: string, organisationSlug: string): Promise<string> {
    const row = await this.store.db
      .selectFrom('memberships')
      .innerJoin('users', 'users.id', 'memberships.user_id')
      .innerJoin('organisations', 'organisations.id', 'memberships.organisation_id')
      .select(['users.id as user_id', 'organisations.id as organisation_id'])
      .where('users.email', '=', email.trim().toLowerCase())
      .where('organisations.slug', '=', organisationSlug)
      .executeTakeFirst();
    if (!row) throw new Error(`${email} is not a member of ${organisationSlug}`);
    const token = randomBytes(32).toString('base64url');
    const at = this.now();
    await this.store.db
      .insertInto('login_links')
      .values({
        token_hash: hashSessionToken(token),
        ...row,
        created_at: at,
        expires_at: at + LINK_TTL_MS,
        used_at: null,
      })
      .execute();
    return token;
  }

  async redeem(
    token: string,
    context: ActionContext,
    userAgent: string | null,
  ): Promise<{ token: string; session: ActiveSession }> {
    if (!isWellFormedToken(token)) throw new TrellisError('LINK_INVALID');
    const at = this.now();
    const hash = hashSessionToken(token);
    const claimed = await this.store.db
      .updateTable('login_links')
      .set({ used_at: at })
      .where('token_hash', '=', hash)
      .where('used_at', 'is', null)
      .where('expires_at', '>', at)
      .executeTakeFirst();
    if (Number(claimed.numUpdatedRows) !== 1) throw new TrellisError('LINK_INVALID');
    const target = await this.store.db
      .selectFrom('login_links')
      .innerJoin('users', 'users.id', 'login_links.user_id')
      .innerJoin('memberships', (join) =>
        join
          .onRef('memberships.user_id', '=', 'login_links.user_id')
          .onRef('memberships.organisation_id', '=', 'login_links.organisation_id'),
      )
      .innerJoin('organisations', 'organisations.id', 'login_links.organisation_id')
      .select([
        'users.id as user_id',
        'users.email',
        'users.disabled_at',
        'organisations.id',
        'organisations.slug',
        'organisations.name',
        'memberships.role',
      ])
      .where('login_links.token_hash', '=', hash)
      .executeTakeFirst();
    if (!target || target.disabled_at !== null) throw new TrellisError('LINK_INVALID');
    return this.sessions.open(
      { id: target.user_id, email: target.email },
      { id: target.id, slug: target.slug, name: target.name, role: target.role },
      { ...context, actor: target.user_id },
      {
        userAgent,
        audit: {
          action: 'login',
          target: target.email,
          detail: { method: 'link', organisation: target.slug, role: target.role },
        },
      },
    );
  }
}
