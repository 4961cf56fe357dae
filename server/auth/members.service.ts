import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Member, OrganisationInfo } from '../../contract/admin.schema.js';
import { recordAudit, type ActionContext } from '../audit/audit-log.js';
import { TrellisError } from '../errors.js';
import type { Database, Role } from '../store/database.types.js';
import type { Store } from '../store/store.js';
import { checkNewPassword, hashPassword, WeakPasswordError } from './passwords.js';
import { setDisabled, setPasswordHash } from './user-changes.js';

/** More members than this is not an organisation this page is for; the list says so rather than stalls. */
export const MAX_MEMBERS_LISTED = 2000;

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/**
 * The admin API's account changes. Every method takes the tenant (the caller's organisation, from
 * the session) first and touches only memberships of it: a user id of another organisation is
 * MEMBER_NOT_FOUND, never a change. Each change and its one audit row commit together.
 */
export class MembersService {
  constructor(
    private readonly store: Store,
    private readonly now: () => number = Date.now,
  ) {}

  async list(organisationId: string): Promise<Member[]> {
    const rows = await this.store.db
      .selectFrom('memberships')
      .innerJoin('users', 'users.id', 'memberships.user_id')
      .select((eb) => [
        'users.id',
        'users.email',
        'users.disabled_at',
        'memberships.role',
        'memberships.created_at',
        eb
          .selectFrom('sessions')
          .select((s) => s.fn.max('sessions.created_at').as('m'))
          .whereRef('sessions.user_id', '=', 'users.id')
          .as('last_login_at'),
      ])
      .where('memberships.organisation_id', '=', organisationId)
      .orderBy('users.email')
      .limit(MAX_MEMBERS_LISTED)
      .execute();
    return rows.map((r) => ({
      userId: r.id,
      email: r.email,
      role: r.role,
      disabledAt: iso(r.disabled_at),
      createdAt: new Date(r.created_at).toISOString(),
      lastLoginAt: iso(r.last_login_at === null ? null : Number(r.last_login_at)),
    }));
  }

  /** Adds an existing user, or creates one with `password`. Exactly one audit row either way. */
  async add(
    organisationId: string,
    input: { email: string; role: Role; password?: string | undefined },
    context: ActionContext,
  ): Promise<Member> {
    const email = input.email.trim().toLowerCase();
    const passwordHash = input.password === undefined ? undefined : await hashNew(input.password);
    const at = this.now();
    const userId = await this.store.db.transaction().execute(async (trx) => {
      const user = await trx.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst();
      if (user && passwordHash !== undefined)
        throw new TrellisError('MEMBER_EXISTS', {
          message: 'This user already has an account; add them without a password.',
        });
      if (!user && passwordHash === undefined)
        throw new TrellisError('VALIDATION_FAILED', {
          message: 'A new user needs a password (at least 12 characters).',
          issues: [{ path: 'password', message: 'required for a new user' }],
        });
      const id = user?.id ?? randomUUID();
      if (user) {
        const existing = await membership(trx, organisationId, id);
        if (existing) throw new TrellisError('MEMBER_EXISTS');
      } else if (passwordHash !== undefined) {
        await trx
          .insertInto('users')
          .values({ id, email, password_hash: passwordHash, created_at: at, disabled_at: null })
          .execute();
      }
      await trx
        .insertInto('memberships')
        .values({ user_id: id, organisation_id: organisationId, role: input.role, created_at: at })
        .execute();
      await recordAudit(trx, at, context, {
        action: user ? 'membership.add' : 'user.create',
        outcome: 'success',
        target: email,
        detail: { userId: id, organisationId, role: input.role },
      });
      return id;
    });
    const added = (await this.list(organisationId)).find((m) => m.userId === userId);
    if (!added) throw new TrellisError('MEMBER_NOT_FOUND');
    return added;
  }

  /** A new role and/or disabled state: one audit row per action taken (role change, disable, enable). */
  async update(
    organisationId: string,
    userId: string,
    change: { role?: Role | undefined; disabled?: boolean | undefined },
    context: ActionContext,
  ): Promise<Member> {
    await this.store.db.transaction().execute(async (trx) => {
      const current = await membership(trx, organisationId, userId);
      if (!current) throw new TrellisError('MEMBER_NOT_FOUND');
      const at = this.now();
      const losesAdmin =
        current.role === 'admin' &&
        current.disabled_at === null &&
        ((change.role !== undefined && change.role !== 'admin') || change.disabled === true);
      if (losesAdmin) await requireAnotherAdmin(trx, organisationId, userId);
      if (change.role !== undefined && change.role !== current.role) {
        await trx
          .updateTable('memberships')
          .set({ role: change.role })
          .where('user_id', '=', userId)
          .where('organisation_id', '=', organisationId)
          .execute();
        await recordAudit(trx, at, context, {
          action: 'membership.change',
          outcome: 'success',
          target: current.email,
          detail: { userId, organisationId, from: current.role, to: change.role },
        });
      }
      if (change.disabled !== undefined && change.disabled !== (current.disabled_at !== null)) {
        const { revokedSessions } = await setDisabled(trx, userId, change.disabled, at);
        await recordAudit(trx, at, context, {
          action: change.disabled ? 'user.disable' : 'user.enable',
          outcome: 'success',
          target: current.email,
          detail: { userId, revokedSessions },
        });
      }
    });
    const updated = (await this.list(organisationId)).find((m) => m.userId === userId);
    if (!updated) throw new TrellisError('MEMBER_NOT_FOUND');
    return updated;
  }

  /** Ends the membership; the user's sessions and tokens in this organisation end with it. */
  async remove(organisationId: string, userId: string, context: ActionContext): Promise<void> {
    await this.store.db.transaction().execute(async (trx) => {
      const current = await membership(trx, organisationId, userId);
      if (!current) throw new TrellisError('MEMBER_NOT_FOUND');
      if (current.role === 'admin' && current.disabled_at === null)
        await requireAnotherAdmin(trx, organisationId, userId);
      const at = this.now();
      await trx
        .deleteFrom('memberships')
        .where('user_id', '=', userId)
        .where('organisation_id', '=', organisationId)
        .execute();
      await trx
        .updateTable('sessions')
        .set({ revoked_at: at })
        .where('user_id', '=', userId)
        .where('organisation_id', '=', organisationId)
        .where('revoked_at', 'is', null)
        .execute();
      await trx
        .updateTable('api_tokens')
        .set({ revoked_at: at })
        .where('user_id', '=', userId)
        .where('organisation_id', '=', organisationId)
        .where('revoked_at', 'is', null)
        .execute();
      await recordAudit(trx, at, context, {
        action: 'membership.remove',
        outcome: 'success',
        target: current.email,
        detail: { userId, organisationId, role: current.role },
      });
    });
  }

  async resetPassword(
    organisationId: string,
    userId: string,
    password: string,
    context: ActionContext,
  ): Promise<void> {
    const passwordHash = await hashNew(password);
    await this.store.db.transaction().execute(async (trx) => {
      const current = await membership(trx, organisationId, userId);
      if (!current) throw new TrellisError('MEMBER_NOT_FOUND');
      const at = this.now();
      const revokedSessions = await setPasswordHash(trx, userId, passwordHash, at);
      await recordAudit(trx, at, context, {
        action: 'user.password_reset',
        outcome: 'success',
        target: current.email,
        detail: { userId, revokedSessions },
      });
    });
  }

  async organisation(organisationId: string): Promise<OrganisationInfo> {
    const org = await this.store.db
      .selectFrom('organisations')
      .select((eb) => [
        'id',
        'slug',
        'name',
        'created_at',
        eb
          .selectFrom('memberships')
          .select((m) => m.fn.countAll().as('n'))
          .whereRef('memberships.organisation_id', '=', 'organisations.id')
          .as('member_count'),
      ])
      .where('id', '=', organisationId)
      .executeTakeFirstOrThrow();
    return {
      id: org.id,
      slug: org.slug,
      name: org.name,
      memberCount: Number(org.member_count ?? 0),
      createdAt: new Date(org.created_at).toISOString(),
    };
  }

  async renameOrganisation(
    organisationId: string,
    name: string,
    context: ActionContext,
  ): Promise<OrganisationInfo> {
    await this.store.db.transaction().execute(async (trx) => {
      const before = await trx
        .selectFrom('organisations')
        .select(['slug', 'name'])
        .where('id', '=', organisationId)
        .executeTakeFirstOrThrow();
      await trx.updateTable('organisations').set({ name }).where('id', '=', organisationId).execute();
      await recordAudit(trx, this.now(), context, {
        action: 'organisation.rename',
        outcome: 'success',
        target: before.slug,
        detail: { organisationId, from: before.name, to: name },
      });
    });
    return this.organisation(organisationId);
  }
}

async function hashNew(password: string): Promise<string> {
  try {
    checkNewPassword(password);
  } catch (err) {
    if (err instanceof WeakPasswordError)
      throw new TrellisError('WEAK_PASSWORD', { message: `The ${err.message}.` });
    throw err;
  }
  return hashPassword(password);
}

async function membership(db: Kysely<Database>, organisationId: string, userId: string) {
  return db
    .selectFrom('memberships')
    .innerJoin('users', 'users.id', 'memberships.user_id')
    .select(['memberships.role', 'users.email', 'users.disabled_at'])
    .where('memberships.organisation_id', '=', organisationId)
    .where('memberships.user_id', '=', userId)
    .executeTakeFirst();
}

/** An organisation never loses its last enabled admin (nobody could manage it then). */
async function requireAnotherAdmin(
  db: Kysely<Database>,
  organisationId: string,
  userId: string,
): Promise<void> {
  const other = await db
    .selectFrom('memberships')
    .innerJoin('users', 'users.id', 'memberships.user_id')
    .select('users.id')
    .where('memberships.organisation_id', '=', organisationId)
    .where('memberships.role', '=', 'admin')
    .where('users.disabled_at', 'is', null)
    .where('users.id', '!=', userId)
    .limit(1)
    .executeTakeFirst();
  if (!other) throw new TrellisError('LAST_ADMIN');
}
