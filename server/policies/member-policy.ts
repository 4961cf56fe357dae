import type { Role } from '../../contract/session.schema.js';
import { TrellisError, type ErrorCode } from '../errors.js';
import type { OrganisationId } from './tenant.js';

/**
 * The account and membership rules, in one place. The members service loads the facts about the
 * target user (every membership, disabled or not, and how many other enabled admins each of their
 * organisations has) and asks here before it changes anything. Pure functions of those facts, so
 * the rules are tested without a database and cannot drift between routes.
 *
 * - Tenant first: a user with no membership in the caller's organisation does not exist for it.
 * - A user's credentials and account state belong to the user: an organisation admin may reset the
 *   password of, disable or enable only a user whose ONLY membership is the admin's organisation.
 * - Role changes and removal touch that one membership only.
 * - Every organisation a change touches keeps an enabled admin.
 */
export interface MembershipFact {
  readonly organisationId: string;
  readonly role: Role;
}

export interface TargetFacts {
  readonly userId: string;
  readonly disabled: boolean;
  readonly memberships: readonly MembershipFact[];
  /** For each organisation the target belongs to: enabled admins there other than the target. */
  readonly otherEnabledAdmins: ReadonlyMap<string, number>;
}

export type MemberAction =
  | { readonly kind: 'change-role'; readonly role: Role }
  | { readonly kind: 'remove' }
  | { readonly kind: 'disable' }
  | { readonly kind: 'enable' }
  | { readonly kind: 'reset-password' };

export type Decision = { readonly allowed: true } | { readonly allowed: false; readonly code: ErrorCode };

const ALLOWED: Decision = { allowed: true };
const refuse = (code: ErrorCode): Decision => ({ allowed: false, code });

/** The membership of the target in the caller's organisation, or undefined (then: not found). */
export function membershipIn(tenant: OrganisationId, target: TargetFacts): MembershipFact | undefined {
  return target.memberships.find((m) => m.organisationId === tenant);
}

/** Whether the account (password, disabled state) is this organisation's to manage: its only membership. */
export function accountManagedBy(tenant: OrganisationId, target: Pick<TargetFacts, 'memberships'>): boolean {
  return target.memberships.length === 1 && target.memberships[0]?.organisationId === tenant;
}

/** The organisations in which the target would stop being an enabled admin through this action. */
export function organisationsLosingAdmin(
  tenant: OrganisationId,
  target: TargetFacts,
  action: MemberAction,
): string[] {
  if (target.disabled) return []; // a disabled user is nobody's enabled admin already
  const adminIn = target.memberships.filter((m) => m.role === 'admin').map((m) => m.organisationId);
  switch (action.kind) {
    case 'change-role':
      return action.role !== 'admin' && adminIn.includes(tenant) ? [tenant] : [];
    case 'remove':
      return adminIn.includes(tenant) ? [tenant] : [];
    case 'disable':
      // A disabled account is disabled everywhere: every organisation where it is an admin is touched.
      return adminIn;
    case 'enable':
    case 'reset-password':
      return [];
  }
}

/** May the admin of `tenant` do `action` to the target? */
export function decideMemberAction(
  tenant: OrganisationId,
  target: TargetFacts,
  action: MemberAction,
): Decision {
  if (!membershipIn(tenant, target)) return refuse('MEMBER_NOT_FOUND');
  const global = action.kind === 'disable' || action.kind === 'enable' || action.kind === 'reset-password';
  if (global && !accountManagedBy(tenant, target)) return refuse('ACCOUNT_NOT_MANAGED');
  for (const org of organisationsLosingAdmin(tenant, target, action))
    if ((target.otherEnabledAdmins.get(org) ?? 0) < 1) return refuse('LAST_ADMIN');
  return ALLOWED;
}

export function canChangeRole(tenant: OrganisationId, target: TargetFacts, role: Role): Decision {
  return decideMemberAction(tenant, target, { kind: 'change-role', role });
}
export function canRemove(tenant: OrganisationId, target: TargetFacts): Decision {
  return decideMemberAction(tenant, target, { kind: 'remove' });
}
export function canDisable(tenant: OrganisationId, target: TargetFacts): Decision {
  return decideMemberAction(tenant, target, { kind: 'disable' });
}
export function canEnable(tenant: OrganisationId, target: TargetFacts): Decision {
  return decideMemberAction(tenant, target, { kind: 'enable' });
}
export function canResetPassword(tenant: OrganisationId, target: TargetFacts): Decision {
  return decideMemberAction(tenant, target, { kind: 'reset-password' });
}

/** Throws the refusal as the catalogue error; the services call this, so a refusal is never ignored. */
export function enforce(decision: Decision): void {
  if (!decision.allowed) throw new TrellisError(decision.code);
}

/**
 * An invitation is accepted by the account it was addressed to: the signed-in user's email must be
 * the invitation's (both stored lower-cased). Anyone else holding the link gets the same refusal.
 */
export function canAcceptInvitation(invitationEmail: string, signedInEmail: string): Decision {
  return invitationEmail === signedInEmail ? ALLOWED : refuse('INVITATION_WRONG_ACCOUNT');
}
