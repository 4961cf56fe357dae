import { randomUUID } from 'node:crypto';
import type {
  AcceptedInvitation,
  CreatedInvitation,
  Invitation,
  InvitationPreview,
} from '../../contract/invitations.schema.js';
import { recordAudit, type ActionContext } from '../audit/audit-log.js';
import { TrellisError } from '../errors.js';
import type { Mailer } from '../mail/mailer.js';
import { canAcceptInvitation, enforce } from '../policies/member-policy.js';
import type { ActiveSession } from '../policies/principal.js';
import type { OrganisationId } from '../policies/tenant.js';
import type { Role } from '../store/database.types.js';
import type { Store } from '../store/store.js';
import { normaliseEmail } from './accounts.service.js';
import { hashNewPassword } from './new-password.js';
import { hashSessionToken, isWellFormedToken, newSessionToken } from './session-token.js';

/** How long an invitation link works; it works once. */
export const INVITATION_TTL_MS = 7 * 24 * 60 * 60_000;
/** Pending invitations per organisation (a bound, and more than any real team sends at once). */
export const MAX_PENDING_INVITATIONS = 500;

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Membership by consent. An admin's invitation is a random 256-bit token (stored as its sha256) for
 * one email and role; it joins nobody until the person behind the address accepts: signed in as
 * that address (an existing account), or by setting a password through the link (a new account).
 * The admin's answer never depends on whether the address has an account. Claims are conditional
 * updates, so one link is redeemed once even across instances.
 */
export class InvitationsService {
  constructor(
    private readonly store: Store,
    private readonly mailer: { mailer: Mailer; publicOrigin: string } | undefined,
    private readonly now: () => number = Date.now,
  ) {}

  /** Invites an email; by e-mail when SMTP is configured, else the link's path is returned once. */
  async create(
    tenant: OrganisationId,
    input: { email: string; role: Role },
    context: ActionContext,
  ): Promise<CreatedInvitation> {
    const email = normaliseEmail(input.email);
    const token = newSessionToken();
    const at = this.now();
    const row = {
      id: randomUUID(),
      token_hash: hashSessionToken(token),
      organisation_id: tenant,
      email,
      role: input.role,
      invited_by: context.actor === 'cli' ? null : context.actor,
      created_at: at,
      expires_at: at + INVITATION_TTL_MS,
      accepted_at: null,
      accepted_by: null,
      revoked_at: null,
    };
    const organisationName = await this.store.db.transaction().execute(async (trx) => {
      // Whether the address is already a member HERE is this organisation's own fact (its member
      // list shows it); whether it has an account elsewhere is never looked at.
      const member = await trx
        .selectFrom('memberships')
        .innerJoin('users', 'users.id', 'memberships.user_id')
        .select('users.id')
        .where('memberships.organisation_id', '=', tenant)
        .where('users.email', '=', email)
        .executeTakeFirst();
      if (member) throw new TrellisError('MEMBER_EXISTS');
      const pending = await trx
        .selectFrom('invitations')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('organisation_id', '=', tenant)
        .where('accepted_at', 'is', null)
        .where('revoked_at', 'is', null)
        .where('expires_at', '>', at)
        .executeTakeFirstOrThrow();
      if (Number(pending.n) >= MAX_PENDING_INVITATIONS)
        throw new TrellisError('VALIDATION_FAILED', {
          message: `This organisation has ${MAX_PENDING_INVITATIONS} pending invitations; revoke some first.`,
        });
      // A new invitation for the same address replaces the old one (its link stops working).
      await trx
        .updateTable('invitations')
        .set({ revoked_at: at })
        .where('organisation_id', '=', tenant)
        .where('email', '=', email)
        .where('accepted_at', 'is', null)
        .where('revoked_at', 'is', null)
        .execute();
      await trx.insertInto('invitations').values(row).execute();
      await recordAudit(trx, at, context, {
        action: 'invitation.create',
        outcome: 'success',
        target: email,
        detail: { invitationId: row.id, role: input.role },
        organisationId: tenant,
      });
      const org = await trx
        .selectFrom('organisations')
        .select('name')
        .where('id', '=', tenant)
        .executeTakeFirstOrThrow();
      return org.name;
    });
    const invitation = present(row);
    const linkPath = `/invite?token=${token}`;
    if (!this.mailer) return { invitation, delivery: 'link', linkPath };
    try {
      await this.mailer.mailer.send({
        to: email,
        subject: `You are invited to ${organisationName} on Trellis`,
        text:
          `You have been invited to join ${organisationName} on Trellis as ${input.role}.\n\n` +
          `Open this link to accept (it works once, until ${iso(row.expires_at)}):\n\n` +
          `${this.mailer.publicOrigin}${linkPath}\n\n` +
          `If you did not expect this, ignore this e-mail: nothing happens unless you accept.\n`,
      });
    } catch (cause) {
      throw new TrellisError('MAIL_FAILED', { cause, detail: { invitationId: row.id } });
    }
    return { invitation, delivery: 'email', linkPath: null };
  }

  /** Pending (not accepted, revoked or expired) invitations of the organisation, newest first. */
  async list(tenant: OrganisationId): Promise<Invitation[]> {
    const rows = await this.store.db
      .selectFrom('invitations')
      .select(['id', 'email', 'role', 'created_at', 'expires_at'])
      .where('organisation_id', '=', tenant)
      .where('accepted_at', 'is', null)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', this.now())
      .orderBy('created_at', 'desc')
      .orderBy('id')
      .limit(MAX_PENDING_INVITATIONS)
      .execute();
    return rows.map(present);
  }

  /** Revokes a pending invitation of this organisation (INVITATION_NOT_FOUND for any other). */
  async revoke(tenant: OrganisationId, id: string, context: ActionContext): Promise<void> {
    await this.store.db.transaction().execute(async (trx) => {
      const at = this.now();
      const revoked = await trx
        .updateTable('invitations')
        .set({ revoked_at: at })
        .where('id', '=', id)
        .where('organisation_id', '=', tenant)
        .where('accepted_at', 'is', null)
        .where('revoked_at', 'is', null)
        .returning(['email'])
        .executeTakeFirst();
      if (!revoked) throw new TrellisError('INVITATION_NOT_FOUND');
      await recordAudit(trx, at, context, {
        action: 'invitation.revoke',
        outcome: 'success',
        target: revoked.email,
        detail: { invitationId: id },
        organisationId: tenant,
      });
    });
  }

  /** What a link offers, for its holder (the accept page). */
  async preview(token: string): Promise<InvitationPreview> {
    const row = await this.pending(token);
    return {
      organisation: { name: row.name, slug: row.slug },
      email: row.email,
      role: row.role,
      expiresAt: iso(row.expires_at),
    };
  }

  /** The signed-in user joins, if the invitation is addressed to their email. */
  async accept(principal: ActiveSession, token: string, context: ActionContext): Promise<AcceptedInvitation> {
    const invited = await this.pending(token);
    enforce(canAcceptInvitation(invited.email, principal.user.email));
    return this.store.db.transaction().execute(async (trx) => {
      const at = this.now();
      const claimed = await trx
        .updateTable('invitations')
        .set({ accepted_at: at, accepted_by: principal.user.id })
        .where('id', '=', invited.id)
        .where('accepted_at', 'is', null)
        .where('revoked_at', 'is', null)
        .where('expires_at', '>', at)
        .executeTakeFirst();
      if (Number(claimed.numUpdatedRows) !== 1) throw new TrellisError('INVITATION_INVALID');
      const existing = await trx
        .selectFrom('memberships')
        .select('role')
        .where('user_id', '=', principal.user.id)
        .where('organisation_id', '=', invited.organisation_id)
        .executeTakeFirst();
      // Already a member (added meanwhile by the operator): the invitation is used up, the role kept.
      if (!existing)
        await trx
          .insertInto('memberships')
          .values({
            user_id: principal.user.id,
            organisation_id: invited.organisation_id,
            role: invited.role,
            created_at: at,
          })
          .execute();
      await recordAudit(trx, at, context, {
        action: 'invitation.accept',
        outcome: 'success',
        target: invited.email,
        detail: { invitationId: invited.id, userId: principal.user.id, role: existing?.role ?? invited.role },
        organisationId: invited.organisation_id,
      });
      return {
        organisation: { id: invited.organisation_id, name: invited.name, slug: invited.slug },
        role: existing?.role ?? invited.role,
      };
    });
  }

  /**
   * A new account for the invited address, with the password its owner chooses, and its first
   * membership. An address that has an account already is ACCOUNT_EXISTS (sign in and accept): the
   * link's holder learns that, and only for the one address the link names.
   */
  async register(token: string, password: string, context: ActionContext): Promise<{ email: string }> {
    const invited = await this.pending(token);
    const passwordHash = await hashNewPassword(password);
    return this.store.db.transaction().execute(async (trx) => {
      const at = this.now();
      const existing = await trx
        .selectFrom('users')
        .select('id')
        .where('email', '=', invited.email)
        .executeTakeFirst();
      if (existing) throw new TrellisError('ACCOUNT_EXISTS');
      const userId = randomUUID();
      const claimed = await trx
        .updateTable('invitations')
        .set({ accepted_at: at, accepted_by: userId })
        .where('id', '=', invited.id)
        .where('accepted_at', 'is', null)
        .where('revoked_at', 'is', null)
        .where('expires_at', '>', at)
        .executeTakeFirst();
      if (Number(claimed.numUpdatedRows) !== 1) throw new TrellisError('INVITATION_INVALID');
      await trx
        .insertInto('users')
        .values({
          id: userId,
          email: invited.email,
          password_hash: passwordHash,
          created_at: at,
          disabled_at: null,
        })
        .execute();
      await trx
        .insertInto('memberships')
        .values({
          user_id: userId,
          organisation_id: invited.organisation_id,
          role: invited.role,
          created_at: at,
        })
        .execute();
      await recordAudit(
        trx,
        at,
        { ...context, actor: userId },
        {
          action: 'user.create',
          outcome: 'success',
          target: invited.email,
          detail: { userId, invitationId: invited.id, role: invited.role },
          organisationId: invited.organisation_id,
        },
      );
      return { email: invited.email };
    });
  }

  private async pending(token: string) {
    if (!isWellFormedToken(token)) throw new TrellisError('INVITATION_INVALID');
    const row = await this.store.db
      .selectFrom('invitations')
      .innerJoin('organisations', 'organisations.id', 'invitations.organisation_id')
      .select([
        'invitations.id',
        'invitations.organisation_id',
        'invitations.email',
        'invitations.role',
        'invitations.expires_at',
        'organisations.name',
        'organisations.slug',
      ])
      .where('invitations.token_hash', '=', hashSessionToken(token))
      .where('invitations.accepted_at', 'is', null)
      .where('invitations.revoked_at', 'is', null)
      .where('invitations.expires_at', '>', this.now())
      .executeTakeFirst();
    if (!row) throw new TrellisError('INVITATION_INVALID');
    return row;
  }
}

function present(row: {
  id: string;
  email: string;
  role: Role;
  created_at: number;
  expires_at: number;
}): Invitation {
  return {
    id: row.id,
    email: row.email,
    role: row.role,
    createdAt: iso(row.created_at),
    expiresAt: iso(row.expires_at),
  };
}
