import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { ApiToken, CreatedToken } from '../../contract/admin.schema.js';
import { recordAudit, type ActionContext } from '../audit/audit-log.js';
import { TrellisError } from '../errors.js';
import { lowerRole, roleAtMost } from '../policies/roles.js';
import type { OrganisationId } from '../policies/tenant.js';
import type { Role } from '../store/database.types.js';
import type { Store } from '../store/store.js';
import { compiledLookup } from '../store/compiled-lookup.js';
import type { ActiveSession } from './sessions.service.js';

/** Live (unrevoked, unexpired) tokens one user may hold in one organisation. */
export const MAX_LIVE_TOKENS = 50;
/** Tokens listed (newest first, revoked and expired ones included for the record). */
export const MAX_TOKENS_LISTED = 200;
/** last_used_at is a hint for the owner, not a log: written at most once a minute per token. */
const TOUCH_EVERY_MS = 60_000;
const PREFIX = 'trl_';
const DAY = 86_400_000;

const hashSecret = (secret: string) => createHash('sha256').update(secret).digest('hex');
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/**
 * Per-user API tokens for scripts: `Authorization: Bearer trl_…`. The secret (256 random bits) is
 * shown once and stored as its sha256. A token acts in one organisation with a role no higher than
 * its creator's at creation, and never higher than the owner's current role there; disabling the
 * owner, removing the membership or changing the password ends it.
 */
export class ApiTokensService {
  /** The per-request lookup, compiled once (see compiled-lookup.ts). */
  private readonly findToken: ReturnType<typeof tokenLookup>;

  constructor(
    private readonly store: Store,
    private readonly now: () => number = Date.now,
  ) {
    this.findToken = tokenLookup(store);
  }

  async list(tenant: OrganisationId, caller: ActiveSession): Promise<ApiToken[]> {
    const rows = await this.store.db
      .selectFrom('api_tokens')
      .select(['id', 'name', 'role', 'created_at', 'expires_at', 'last_used_at', 'revoked_at'])
      .where('user_id', '=', caller.user.id)
      .where('organisation_id', '=', tenant)
      .orderBy('created_at', 'desc')
      .orderBy('id')
      .limit(MAX_TOKENS_LISTED)
      .execute();
    return rows.map(present);
  }

  async create(
    tenant: OrganisationId,
    caller: ActiveSession,
    input: { name: string; role: Role; expiresInDays: number },
    context: ActionContext,
  ): Promise<CreatedToken> {
    if (!roleAtMost(input.role, caller.role))
      throw new TrellisError('FORBIDDEN', {
        message: `A token's role cannot be higher than your own (${caller.role}).`,
      });
    const secret = PREFIX + randomBytes(32).toString('base64url');
    const at = this.now();
    const row = {
      id: randomUUID(),
      token_hash: hashSecret(secret),
      user_id: caller.user.id,
      organisation_id: tenant,
      name: input.name,
      role: input.role,
      created_at: at,
      expires_at: at + input.expiresInDays * DAY,
      last_used_at: null,
      revoked_at: null,
    };
    await this.store.db.transaction().execute(async (trx) => {
      const live = await trx
        .selectFrom('api_tokens')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('user_id', '=', caller.user.id)
        .where('organisation_id', '=', tenant)
        .where('revoked_at', 'is', null)
        .where('expires_at', '>', at)
        .executeTakeFirstOrThrow();
      if (Number(live.n) >= MAX_LIVE_TOKENS) throw new TrellisError('TOKEN_LIMIT');
      await trx.insertInto('api_tokens').values(row).execute();
      await recordAudit(trx, at, context, {
        action: 'token.create',
        outcome: 'success',
        target: caller.user.email,
        detail: { tokenId: row.id, name: input.name, role: input.role, expiresInDays: input.expiresInDays },
      });
    });
    return { ...present(row), secret };
  }

  async revoke(
    tenant: OrganisationId,
    caller: ActiveSession,
    tokenId: string,
    context: ActionContext,
  ): Promise<void> {
    await this.store.db.transaction().execute(async (trx) => {
      const at = this.now();
      const revoked = await trx
        .updateTable('api_tokens')
        .set({ revoked_at: at })
        .where('id', '=', tokenId)
        .where('user_id', '=', caller.user.id)
        .where('organisation_id', '=', tenant)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      if (Number(revoked.numUpdatedRows) === 0) throw new TrellisError('TOKEN_NOT_FOUND');
      await recordAudit(trx, at, context, {
        action: 'token.revoke',
        outcome: 'success',
        target: caller.user.email,
        detail: { tokenId },
      });
    });
  }

  /** The principal of a bearer secret, or undefined (unknown, revoked, expired, owner disabled or gone). */
  async resolve(secret: string): Promise<ActiveSession | undefined> {
    if (!secret.startsWith(PREFIX) || !/^[A-Za-z0-9_-]{43}$/.test(secret.slice(PREFIX.length)))
      return undefined;
    const row = await this.findToken(hashSecret(secret));
    const now = this.now();
    if (!row || row.revoked_at !== null || row.disabled_at !== null || now >= row.expires_at)
      return undefined;
    if (row.last_used_at === null || now - row.last_used_at >= TOUCH_EVERY_MS)
      await this.store.db
        .updateTable('api_tokens')
        .set({ last_used_at: now })
        .where('id', '=', row.id)
        .where((eb) =>
          eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<=', now - TOUCH_EVERY_MS)]),
        )
        .execute();
    return {
      idHash: `token:${row.id}`,
      tokenId: row.id,
      user: { id: row.user_id, email: row.email },
      organisation: { id: row.organisation_id, slug: row.slug, name: row.name },
      role: lowerRole(row.role, row.member_role),
      createdAt: row.created_at,
      lastSeenAt: now,
      expiresAt: row.expires_at,
    };
  }
}

function present(r: {
  id: string;
  name: string;
  role: Role;
  created_at: number;
  expires_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}): ApiToken {
  return {
    id: r.id,
    name: r.name,
    role: r.role,
    createdAt: new Date(r.created_at).toISOString(),
    expiresAt: new Date(r.expires_at).toISOString(),
    lastUsedAt: iso(r.last_used_at),
    revokedAt: iso(r.revoked_at),
  };
}

/** The token row of a secret's hash with its user, membership and organisation, compiled once. */
function tokenLookup(store: Store) {
  return compiledLookup(store.db, (tokenHash) =>
    store.db
      .selectFrom('api_tokens')
      .innerJoin('users', 'users.id', 'api_tokens.user_id')
      .innerJoin('memberships', (join) =>
        join
          .onRef('memberships.user_id', '=', 'api_tokens.user_id')
          .onRef('memberships.organisation_id', '=', 'api_tokens.organisation_id'),
      )
      .innerJoin('organisations', 'organisations.id', 'api_tokens.organisation_id')
      .select([
        'api_tokens.id',
        'api_tokens.role',
        'api_tokens.created_at',
        'api_tokens.expires_at',
        'api_tokens.last_used_at',
        'api_tokens.revoked_at',
        'users.id as user_id',
        'users.email',
        'users.disabled_at',
        'memberships.role as member_role',
        'organisations.id as organisation_id',
        'organisations.slug',
        'organisations.name',
      ])
      .where('api_tokens.token_hash', '=', tokenHash),
  );
}
