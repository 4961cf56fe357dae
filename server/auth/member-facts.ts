import type { Kysely } from 'kysely';
import type { TargetFacts } from '../policies/member-policy.js';
import type { Database } from '../store/database.types.js';
import type { StoreDialect } from '../store/store.js';

export interface TargetUser extends TargetFacts {
  readonly email: string;
}

/**
 * What the member policy needs to judge an action on a user: every membership (in any organisation:
 * the policy, not the caller, decides what is reachable), whether the account is disabled, and how
 * many other enabled admins each of those organisations has. On PostgreSQL the user's organisations
 * are locked first (FOR UPDATE, in id order), so two admins demoting each other at once cannot both
 * pass the last-admin rule; SQLite serialises write transactions already.
 */
export async function loadTargetFacts(
  trx: Kysely<Database>,
  dialect: StoreDialect,
  userId: string,
): Promise<TargetUser | undefined> {
  const user = await trx
    .selectFrom('users')
    .select(['id', 'email', 'disabled_at'])
    .where('id', '=', userId)
    .executeTakeFirst();
  if (!user) return undefined;
  const memberships = await trx
    .selectFrom('memberships')
    .select(['organisation_id', 'role'])
    .where('user_id', '=', userId)
    .orderBy('organisation_id')
    .execute();
  const orgIds = memberships.map((m) => m.organisation_id);
  const otherEnabledAdmins = new Map<string, number>();
  if (orgIds.length > 0) {
    if (dialect === 'postgres')
      await trx
        .selectFrom('organisations')
        .select('id')
        .where('id', 'in', orgIds)
        .orderBy('id')
        .forUpdate()
        .execute();
    const counts = await trx
      .selectFrom('memberships')
      .innerJoin('users', 'users.id', 'memberships.user_id')
      .select((eb) => ['memberships.organisation_id', eb.fn.countAll<number>().as('n')])
      .where('memberships.organisation_id', 'in', orgIds)
      .where('memberships.role', '=', 'admin')
      .where('users.disabled_at', 'is', null)
      .where('users.id', '!=', userId)
      .groupBy('memberships.organisation_id')
      .execute();
    for (const c of counts) otherEnabledAdmins.set(c.organisation_id, Number(c.n));
  }
  return {
    userId: user.id,
    email: user.email,
    disabled: user.disabled_at !== null,
    memberships: memberships.map((m) => ({ organisationId: m.organisation_id, role: m.role })),
    otherEnabledAdmins,
  };
}
