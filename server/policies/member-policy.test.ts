import { expect, test } from 'vitest';
import { decideMemberAction, type MemberAction, type TargetFacts } from './member-policy.js';
import { trustedOrganisationId } from './tenant.js';

const A = trustedOrganisationId('org-a');
const facts = (
  memberships: TargetFacts['memberships'],
  others: Record<string, number>,
  disabled = false,
): TargetFacts => ({
  userId: 'u',
  disabled,
  memberships,
  otherEnabledAdmins: new Map(Object.entries(others)),
});
const decide = (t: TargetFacts, action: MemberAction) => decideMemberAction(A, t, action);

test('tenant first: a user without a membership here is not found, whatever the action', () => {
  const elsewhere = facts([{ organisationId: 'org-b', role: 'viewer' }], { 'org-b': 1 });
  for (const kind of ['remove', 'disable', 'enable', 'reset-password'] as const)
    expect(decide(elsewhere, { kind })).toEqual({ allowed: false, code: 'MEMBER_NOT_FOUND' });
});

test('account actions only for a user of this organisation alone; membership actions for anyone here', () => {
  const shared = facts(
    [
      { organisationId: 'org-a', role: 'viewer' },
      { organisationId: 'org-b', role: 'viewer' },
    ],
    { 'org-a': 1, 'org-b': 1 },
  );
  for (const kind of ['disable', 'enable', 'reset-password'] as const)
    expect(decide(shared, { kind })).toEqual({ allowed: false, code: 'ACCOUNT_NOT_MANAGED' });
  expect(decide(shared, { kind: 'remove' })).toEqual({ allowed: true });
  expect(decide(shared, { kind: 'change-role', role: 'editor' })).toEqual({ allowed: true });
  const sole = facts([{ organisationId: 'org-a', role: 'viewer' }], { 'org-a': 1 });
  for (const kind of ['disable', 'enable', 'reset-password', 'remove'] as const)
    expect(decide(sole, { kind })).toEqual({ allowed: true });
});

test('the last-admin rule holds in every organisation a change touches', () => {
  const soleAdminHere = facts([{ organisationId: 'org-a', role: 'admin' }], { 'org-a': 0 });
  expect(decide(soleAdminHere, { kind: 'disable' }).allowed).toBe(false);
  expect(decide(soleAdminHere, { kind: 'remove' }).allowed).toBe(false);
  expect(decide(soleAdminHere, { kind: 'change-role', role: 'viewer' }).allowed).toBe(false);
  expect(decide(soleAdminHere, { kind: 'change-role', role: 'admin' }).allowed).toBe(true);
  expect(decide(soleAdminHere, { kind: 'reset-password' }).allowed).toBe(true);
  // Removing a shared user here touches only this organisation: their admin role elsewhere is kept.
  const adminElsewhere = facts(
    [
      { organisationId: 'org-a', role: 'admin' },
      { organisationId: 'org-b', role: 'admin' },
    ],
    { 'org-a': 2, 'org-b': 0 },
  );
  expect(decide(adminElsewhere, { kind: 'remove' })).toEqual({ allowed: true });
  // Already disabled: nobody's enabled admin, so nothing is lost.
  expect(
    decide(facts([{ organisationId: 'org-a', role: 'admin' }], { 'org-a': 0 }, true), { kind: 'remove' })
      .allowed,
  ).toBe(true);
});
