import type { Kysely } from 'kysely';
import type { Member, OrganisationInfo } from '../../contract/admin.schema.js';
import { recordAudit, recordAuditInOrganisations, type ActionContext } from '../audit/audit-log.js';
import { TrellisError } from '../errors.js';
import {
  canChangeRole,
  canDisable,
  canEnable,
  canRemove,
  canResetPassword,
  enforce,
  membershipIn,
} from '../policies/member-policy.js';
import type { OrganisationId } from '../policies/tenant.js';
import type { Database, Role } from '../store/database.types.js';
import type { Store } from '../store/store.js';
import { loadTargetFacts, type TargetUser } from './member-facts.js';
import { hashNewPassword } from './new-password.js';
import { setDisabled, setPasswordHash } from './user-changes.js';

/** More members than this is not an organisation this page is for; the list says so rather than stalls. */
export const MAX_MEMBERS_LISTED = 2000;

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/**
 * The admin API's account changes. Every method takes the tenant (the caller's organisation, a
 * branded id made from the session) first; every change asks the member policy
 * (policies/member-policy.ts) with the target's facts across all organisations, so a user of
 * another organisation is MEMBER_NOT_FOUND, a user shared with another organisation keeps their
 * password and account state (ACCOUNT_NOT_MANAGED), and no organisation loses its last admin.
 * Each change and its audit rows commit together.
 */
export class MembersService {
  constructor(
    private readonly store: Store,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * The organisation's members. Only facts of this organisation: the last sign-in is the last
   * session opened IN this organisation (never one elsewhere), and `accountManaged` says whether
   * this organisation may reset or disable the account.
   */
  async list(tenant: OrganisationId): Promise<Member[]> {
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
          .where('sessions.organisation_id', '=', tenant)
          .as('last_login_at'),
        eb
          .selectFrom('memberships as elsewhere')
          .select((s) => s.fn.countAll().as('n'))
          .whereRef('elsewhere.user_id', '=', 'users.id')
          .where('elsewhere.organisation_id', '!=', tenant)
          .as('other_memberships'),
      ])
      .where('memberships.organisation_id', '=', tenant)
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
      accountManaged: Number(r.other_memberships ?? 0) === 0,
    }));
  }

  /** A new role and/or disabled state: one audit row per action taken (role change, disable, enable). */
  async update(
    tenant: OrganisationId,
    userId: string,
    change: { role?: Role | undefined; disabled?: boolean | undefined },
    context: ActionContext,
  ): Promise<Member> {
    await this.store.db.transaction().execute(async (trx) => {
      const target = await this.target(trx, tenant, userId);
      const current = membershipIn(tenant, target);
      if (!current) throw new TrellisError('MEMBER_NOT_FOUND');
      const at = this.now();
      const roleChanges = change.role !== undefined && change.role !== current.role;
      const stateChanges = change.disabled !== undefined && change.disabled !== target.disabled;
      // Both checks before either change, so a refused half leaves the other undone too.
      if (roleChanges && change.role !== undefined) enforce(canChangeRole(tenant, target, change.role));
      if (stateChanges) enforce(change.disabled ? canDisable(tenant, target) : canEnable(tenant, target));
      if (roleChanges && change.role !== undefined) {
        await trx
          .updateTable('memberships')
          .set({ role: change.role })
          .where('user_id', '=', userId)
          .where('organisation_id', '=', tenant)
          .execute();
        await recordAudit(trx, at, context, {
          action: 'membership.change',
          outcome: 'success',
          target: target.email,
          detail: { userId, organisationId: tenant, from: current.role, to: change.role },
          organisationId: tenant,
        });
      }
      if (stateChanges && change.disabled !== undefined) {
        const { revokedSessions } = await setDisabled(trx, userId, change.disabled, at);
        await recordAuditInOrganisations(
          trx,
          at,
          context,
          {
            action: change.disabled ? 'user.disable' : 'user.enable',
            outcome: 'success',
            target: target.email,
            detail: { userId, revokedSessions },
          },
          target.memberships.map((m) => m.organisationId),
        );
      }
    });
    const updated = (await this.list(tenant)).find((m) => m.userId === userId);
    if (!updated) throw new TrellisError('MEMBER_NOT_FOUND');
    return updated;
  }

  /** Ends this one membership; the user's sessions and tokens in this organisation end with it. */
  async remove(tenant: OrganisationId, userId: string, context: ActionContext): Promise<void> {
    await this.store.db.transaction().execute(async (trx) => {
      const target = await this.target(trx, tenant, userId);
      enforce(canRemove(tenant, target));
      const role = membershipIn(tenant, target)?.role ?? null;
      const at = this.now();
      await trx
        .deleteFrom('memberships')
        .where('user_id', '=', userId)
        .where('organisation_id', '=', tenant)
        .execute();
      await trx
        .updateTable('sessions')
        .set({ revoked_at: at })
        .where('user_id', '=', userId)
        .where('organisation_id', '=', tenant)
        .where('revoked_at', 'is', null)
        .execute();
      await trx
        .updateTable('api_tokens')
        .set({ revoked_at: at })
        .where('user_id', '=', userId)
        .where('organisation_id', '=', tenant)
        .where('revoked_at', 'is', null)
        .execute();
      await recordAudit(trx, at, context, {
        action: 'membership.remove',
        outcome: 'success',
        target: target.email,
        detail: { userId, organisationId: tenant, role },
        organisationId: tenant,
      });
    });
  }

  /** Only for a user whose one membership is this organisation (ACCOUNT_NOT_MANAGED otherwise). */
  async resetPassword(
    tenant: OrganisationId,
    userId: string,
    password: string,
    context: ActionContext,
  ): Promise<void> {
    // The policy is asked before the (slow) hash too, so a refusal costs no argon2 work.
    await this.store.db.transaction().execute(async (trx) => {
      enforce(canResetPassword(tenant, await this.target(trx, tenant, userId)));
    });
    const passwordHash = await hashNewPassword(password);
    await this.store.db.transaction().execute(async (trx) => {
      const target = await this.target(trx, tenant, userId);
      enforce(canResetPassword(tenant, target));
      const at = this.now();
      const revokedSessions = await setPasswordHash(trx, userId, passwordHash, at);
      await recordAuditInOrganisations(
        trx,
        at,
        context,
        {
          action: 'user.password_reset',
          outcome: 'success',
          target: target.email,
          detail: { userId, revokedSessions },
        },
        target.memberships.map((m) => m.organisationId),
      );
    });
  }

  async organisation(tenant: OrganisationId): Promise<OrganisationInfo> {
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
      .where('id', '=', tenant)
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
    tenant: OrganisationId,
    name: string,
    context: ActionContext,
  ): Promise<OrganisationInfo> {
    await this.store.db.transaction().execute(async (trx) => {
      const before = await trx
        .selectFrom('organisations')
        .select(['slug', 'name'])
        .where('id', '=', tenant)
        .executeTakeFirstOrThrow();
      await trx.updateTable('organisations').set({ name }).where('id', '=', tenant).execute();
      await recordAudit(trx, this.now(), context, {
        action: 'organisation.rename',
        outcome: 'success',
        target: before.slug,
        detail: { organisationId: tenant, from: before.name, to: name },
        organisationId: tenant,
      });
    });
    return this.organisation(tenant);
  }

  /** The target's facts; a user unknown anywhere is as not-found as one of another organisation. */
  private async target(trx: Kysely<Database>, tenant: OrganisationId, userId: string): Promise<TargetUser> {
    const target = await loadTargetFacts(trx, this.store.dialect, userId);
    if (!target || !membershipIn(tenant, target)) throw new TrellisError('MEMBER_NOT_FOUND');
    return target;
  }
}
