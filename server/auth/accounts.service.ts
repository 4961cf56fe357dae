import { randomUUID } from 'node:crypto';
import { normaliseOrganisationName } from '../../contract/index.js';
import {
  organisationsOfUser,
  recordAudit,
  recordAuditInOrganisations,
  type ActionContext,
} from '../audit/audit-log.js';
import type { Kysely } from 'kysely';
import { ROLES, type Database, type Role } from '../store/database.types.js';
import type { Store } from '../store/store.js';
import { checkNewPassword, hashPassword } from './passwords.js';
import { setDisabled, setPasswordHash } from './user-changes.js';

export type AccountsProblem =
  | 'invalid_email'
  | 'invalid_slug'
  | 'invalid_name'
  | 'invalid_role'
  | 'organisation_exists'
  | 'organisation_not_found'
  | 'user_exists'
  | 'user_not_found';

/** A refused account change, with a message fit for the command line (and later the admin API). */
export class AccountsError extends Error {
  constructor(
    readonly problem: AccountsProblem,
    message: string,
  ) {
    super(message);
    this.name = 'AccountsError';
  }
}

export interface UserSummary {
  readonly id: string;
  readonly email: string;
  readonly createdAt: number;
  readonly disabledAt: number | null;
  readonly memberships: readonly { readonly organisation: string; readonly role: Role }[];
}

export interface OrganisationSummary {
  readonly id: string;
  readonly slug: string;
  readonly name: string;
}

const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;
// Deliberately loose (one @, a dot in the domain, no spaces): the address is an account name here,
// and mail delivery is not what is being checked.
const EMAIL = /^[^\s@]{1,64}@[^\s@]+\.[^\s@]+$/;

/** The one spelling of an email address used for storage, lookup and throttling. */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** Users, organisations and memberships. Each change and its audit row commit in one transaction. */
export class AccountsService {
  constructor(
    private readonly store: Store,
    private readonly now: () => number = Date.now,
  ) {}

  async createOrganisation(slug: string, name: string, context: ActionContext): Promise<OrganisationSummary> {
    if (!SLUG.test(slug))
      throw new AccountsError(
        'invalid_slug',
        `"${slug}" is not a valid organisation name: use 1–64 lower-case letters, digits and dashes`,
      );
    // The CLI's names pass the same check as the admin API's (contract/organisation-name.ts).
    const checked = normaliseOrganisationName(name.trim() === '' ? slug : name);
    if (!checked.ok) throw new AccountsError('invalid_name', checked.problem);
    const org = { id: randomUUID(), slug, name: checked.name };
    await this.store.db.transaction().execute(async (trx) => {
      const existing = await trx
        .selectFrom('organisations')
        .select('id')
        .where('slug', '=', slug)
        .executeTakeFirst();
      if (existing) throw new AccountsError('organisation_exists', `organisation "${slug}" already exists`);
      const at = this.now();
      await trx
        .insertInto('organisations')
        .values({ ...org, created_at: at })
        .execute();
      await recordAudit(trx, at, context, {
        action: 'organisation.create',
        outcome: 'success',
        target: slug,
        detail: { organisationId: org.id },
        organisationId: org.id,
      });
    });
    return org;
  }

  async listOrganisations(): Promise<OrganisationSummary[]> {
    return this.store.db.selectFrom('organisations').select(['id', 'slug', 'name']).orderBy('slug').execute();
  }

  /** A new user with their first membership. The password is checked for strength and hashed here. */
  async createUser(
    input: { email: string; password: string; organisation: string; role: string },
    context: ActionContext,
  ): Promise<UserSummary> {
    const email = normaliseEmail(input.email);
    if (email.length > 254 || !EMAIL.test(email))
      throw new AccountsError('invalid_email', `"${input.email}" is not an email address`);
    const role = parseRole(input.role);
    checkNewPassword(input.password);
    // Hashing takes tens of milliseconds: done before the transaction so it holds no lock meanwhile.
    const passwordHash = await hashPassword(input.password);
    const id = randomUUID();
    const at = this.now();
    await this.store.db.transaction().execute(async (trx) => {
      const org = await trx
        .selectFrom('organisations')
        .select('id')
        .where('slug', '=', input.organisation)
        .executeTakeFirst();
      if (!org)
        throw new AccountsError(
          'organisation_not_found',
          `there is no organisation "${input.organisation}" (create it with: trellis org add ${input.organisation})`,
        );
      const existing = await trx
        .selectFrom('users')
        .select('id')
        .where('email', '=', email)
        .executeTakeFirst();
      if (existing) throw new AccountsError('user_exists', `a user with the email ${email} already exists`);
      await trx
        .insertInto('users')
        .values({ id, email, password_hash: passwordHash, created_at: at, disabled_at: null })
        .execute();
      await trx
        .insertInto('memberships')
        .values({ user_id: id, organisation_id: org.id, role, created_at: at })
        .execute();
      // One row for the action: the first membership is part of creating the user.
      await recordAudit(trx, at, context, {
        action: 'user.create',
        outcome: 'success',
        target: email,
        detail: { userId: id, organisation: input.organisation, role },
        organisationId: org.id,
      });
    });
    return {
      id,
      email,
      createdAt: at,
      disabledAt: null,
      memberships: [{ organisation: input.organisation, role }],
    };
  }

  /**
   * The operator adds an existing user to an organisation directly (the command line and the demo
   * set-up: operators own the machine). Organisation admins invite instead (invitations.service.ts).
   */
  async addMembership(
    emailInput: string,
    organisationSlug: string,
    roleInput: string,
    context: ActionContext,
  ): Promise<void> {
    const email = normaliseEmail(emailInput);
    const role = parseRole(roleInput);
    await this.store.db.transaction().execute(async (trx) => {
      const user = await this.findUser(trx, email);
      const org = await trx
        .selectFrom('organisations')
        .select('id')
        .where('slug', '=', organisationSlug)
        .executeTakeFirst();
      if (!org)
        throw new AccountsError('organisation_not_found', `there is no organisation "${organisationSlug}"`);
      const existing = await trx
        .selectFrom('memberships')
        .select('role')
        .where('user_id', '=', user.id)
        .where('organisation_id', '=', org.id)
        .executeTakeFirst();
      if (existing)
        throw new AccountsError('user_exists', `${email} is already a member of ${organisationSlug}`);
      const at = this.now();
      await trx
        .insertInto('memberships')
        .values({ user_id: user.id, organisation_id: org.id, role, created_at: at })
        .execute();
      await recordAudit(trx, at, context, {
        action: 'membership.add',
        outcome: 'success',
        target: email,
        detail: { userId: user.id, organisation: organisationSlug, role },
        organisationId: org.id,
      });
    });
  }

  async listUsers(): Promise<UserSummary[]> {
    const rows = await this.store.db
      .selectFrom('users')
      .leftJoin('memberships', 'memberships.user_id', 'users.id')
      .leftJoin('organisations', 'organisations.id', 'memberships.organisation_id')
      .select([
        'users.id',
        'users.email',
        'users.created_at',
        'users.disabled_at',
        'organisations.slug',
        'memberships.role',
      ])
      .orderBy('users.email')
      .orderBy('organisations.slug')
      .execute();
    const users = new Map<string, UserSummary & { memberships: { organisation: string; role: Role }[] }>();
    for (const r of rows) {
      let user = users.get(r.id);
      if (!user) {
        user = {
          id: r.id,
          email: r.email,
          createdAt: r.created_at,
          disabledAt: r.disabled_at,
          memberships: [],
        };
        users.set(r.id, user);
      }
      if (r.slug !== null && r.role !== null) user.memberships.push({ organisation: r.slug, role: r.role });
    }
    return [...users.values()];
  }

  /**
   * Disables the account (or enables it again) and, when disabling, revokes every session and API
   * token it holds in the same transaction, so the next request on any instance is refused.
   */
  async setUserDisabled(
    emailInput: string,
    disabled: boolean,
    context: ActionContext,
  ): Promise<{ revokedSessions: number }> {
    const email = normaliseEmail(emailInput);
    return this.store.db.transaction().execute(async (trx) => {
      const user = await this.findUser(trx, email);
      const at = this.now();
      const { changed, revokedSessions } = await setDisabled(trx, user.id, disabled, at);
      // Seen in every organisation of the user: each one's audit log says so.
      await recordAuditInOrganisations(
        trx,
        at,
        context,
        {
          action: disabled ? 'user.disable' : 'user.enable',
          outcome: 'success',
          target: email,
          detail: { userId: user.id, revokedSessions, unchanged: !changed },
        },
        await organisationsOfUser(trx, user.id),
      );
      return { revokedSessions };
    });
  }

  disableUser(email: string, context: ActionContext): Promise<{ revokedSessions: number }> {
    return this.setUserDisabled(email, true, context);
  }

  /** A new password (checked, hashed); every session and token of the user ends. */
  async resetPassword(
    emailInput: string,
    password: string,
    context: ActionContext,
  ): Promise<{ revokedSessions: number }> {
    const email = normaliseEmail(emailInput);
    checkNewPassword(password);
    const passwordHash = await hashPassword(password);
    return this.store.db.transaction().execute(async (trx) => {
      const user = await this.findUser(trx, email);
      const at = this.now();
      const revokedSessions = await setPasswordHash(trx, user.id, passwordHash, at);
      await recordAuditInOrganisations(
        trx,
        at,
        context,
        {
          action: 'user.password_reset',
          outcome: 'success',
          target: email,
          detail: { userId: user.id, revokedSessions },
        },
        await organisationsOfUser(trx, user.id),
      );
      return { revokedSessions };
    });
  }

  /** Whether any enabled user is an admin somewhere (production refuses to start otherwise). */
  async hasActiveAdmin(): Promise<boolean> {
    const row = await this.store.db
      .selectFrom('memberships')
      .innerJoin('users', 'users.id', 'memberships.user_id')
      .select('users.id')
      .where('memberships.role', '=', 'admin')
      .where('users.disabled_at', 'is', null)
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }

  private async findUser(trx: Kysely<Database>, email: string): Promise<{ id: string }> {
    const user = await trx.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst();
    if (!user) throw new AccountsError('user_not_found', `there is no user with the email ${email}`);
    return user;
  }
}

export function parseRole(value: string): Role {
  const role = ROLES.find((r) => r === value);
  if (!role) throw new AccountsError('invalid_role', `"${value}" is not a role: use ${ROLES.join(', ')}`);
  return role;
}
