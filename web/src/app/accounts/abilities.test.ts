import { describe, expect, it } from 'vitest';
import { ABILITY, can, rolesUpTo, ROLE_ORDER } from './abilities.js';
import { ACCOUNT_PAGES, matchRoute } from '../routing/routes.js';

// What server/policies/roles.ts sends today, per role.
const viewer = { abilities: ['dashboards:read'] };
const editor = { abilities: ['dashboards:read', 'dashboards:edit'] };
const admin = { abilities: ['dashboards:read', 'dashboards:edit', 'members:manage', 'audit:read'] };

const visiblePages = (session: { abilities: string[] }) =>
  Object.entries(ACCOUNT_PAGES)
    .filter(([, p]) => !p.ability || can(session, p.ability))
    .map(([name]) => name);

describe('abilities', () => {
  it('come only from the session', () => {
    expect(can(admin, ABILITY.membersManage)).toBe(true);
    expect(can(admin, ABILITY.auditRead)).toBe(true);
    expect(can(editor, ABILITY.membersManage)).toBe(false);
    expect(can({ abilities: ['audit:read'] }, ABILITY.auditRead)).toBe(true);
    expect(can({ abilities: ['audit:read'] }, ABILITY.membersManage)).toBe(false);
    expect(can(undefined, ABILITY.auditRead)).toBe(false);
    // Run buttons: the server lists pipelines:run for editors and admins, never for viewers.
    expect(can({ abilities: ['dashboards:read', 'pipelines:run'] }, ABILITY.pipelinesRun)).toBe(true);
    expect(can(viewer, ABILITY.pipelinesRun)).toBe(false);
  });

  it('decide which account pages a role sees', () => {
    // Changing one's own password needs no ability: every signed-in user has it.
    expect(visiblePages(viewer)).toEqual(['account-sessions', 'account-tokens', 'account-password']);
    expect(visiblePages(editor)).toEqual(['account-sessions', 'account-tokens', 'account-password']);
    expect(visiblePages(admin)).toEqual([
      'account-sessions',
      'account-tokens',
      'account-password',
      'admin-members',
      'admin-organisation',
      'admin-audit',
    ]);
  });

  it('limit a token role to the caller’s own', () => {
    expect(rolesUpTo('viewer')).toEqual(['viewer']);
    expect(rolesUpTo('editor')).toEqual(['viewer', 'editor']);
    expect(rolesUpTo('admin')).toEqual([...ROLE_ORDER]);
  });
});

describe('account routes', () => {
  it('map every account page path back to its page', () => {
    for (const [name, page] of Object.entries(ACCOUNT_PAGES)) {
      expect(matchRoute(page.path)).toEqual({ name });
      expect(matchRoute(`${page.path}/`)).toEqual({ name });
    }
    expect(matchRoute('/login')).toEqual({ name: 'login' });
    expect(matchRoute('/admin')).toEqual({ name: 'not-found' });
    expect(matchRoute('/admin/members/x')).toEqual({ name: 'not-found' });
    expect(matchRoute('/account')).toEqual({ name: 'not-found' });
  });
});
