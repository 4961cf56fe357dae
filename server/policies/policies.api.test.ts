import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startApp, type TestApp } from '../../test/app-harness.js';
import { createMiniProject } from '../../test/mini-project.js';
import { signIn, type SignedIn } from '../../test/session-helper.js';
import { CLI_CONTEXT } from '../audit/audit-log.js';
import { PERMISSION_RULES, ruleOf } from './permissions.js';
import { ABILITIES, abilitiesOf, roleHas } from './roles.js';

const PASSWORD = 'correct horse battery staple';
let app: TestApp;
let close: () => Promise<void>;
const as: Record<'viewer' | 'editor' | 'admin', SignedIn> = {} as Record<
  'viewer' | 'editor' | 'admin',
  SignedIn
>;

beforeAll(async () => {
  const mini = await createMiniProject();
  ({ app, close } = await startApp(mini.dir));
  await app.services.accounts.createOrganisation('acme', 'Acme', CLI_CONTEXT);
  for (const role of ['viewer', 'editor', 'admin'] as const) {
    await app.services.accounts.createUser(
      { email: `${role}@example.com`, password: PASSWORD, organisation: 'acme', role },
      CLI_CONTEXT,
    );
    as[role] = await signIn(app, `${role}@example.com`, PASSWORD);
  }
});
afterAll(async () => close?.());

/** A concrete URL for a route pattern: every `:param` gets a harmless value. */
const concrete = (url: string) => url.replace(/:[A-Za-z]+/g, 'x');

describe('the role → abilities map', () => {
  test('is the same list the session answer carries', async () => {
    for (const role of ['viewer', 'editor', 'admin'] as const) {
      const me = await app.inject({ url: '/api/v1/session', headers: as[role].read });
      expect(me.json().abilities).toEqual([...abilitiesOf(role)]);
    }
  });

  test('every ability is held by some role, and roles are nested (viewer ⊂ editor ⊂ admin)', () => {
    for (const ability of ABILITIES) expect(roleHas('admin', ability)).toBe(true);
    for (const a of abilitiesOf('viewer')) expect(roleHas('editor', a)).toBe(true);
    for (const a of abilitiesOf('editor')) expect(roleHas('admin', a)).toBe(true);
  });

  test('every permission names a known ability (or none)', () => {
    for (const [name, rule] of Object.entries(PERMISSION_RULES))
      if ('ability' in rule) expect(ABILITIES, name).toContain(rule.ability);
  });
});

describe('route permissions', () => {
  test('every registered route declares a permission from the catalogue', () => {
    expect(app.services.routes.length).toBeGreaterThan(20);
    for (const r of app.services.routes) expect(Object.keys(PERMISSION_RULES)).toContain(r.permission);
  });

  test('a viewer gets 403 FORBIDDEN on every editor/admin route (generated from the route list)', async () => {
    const guarded = app.services.routes.filter((r) => {
      const { ability } = ruleOf(r.permission) as { ability?: (typeof ABILITIES)[number] };
      return r.method !== 'HEAD' && ability !== undefined && !roleHas('viewer', ability);
    });
    // The admin API alone has 9 such routes; a shrinking list means routes lost their guard.
    expect(guarded.length).toBeGreaterThanOrEqual(9);
    for (const route of guarded) {
      const headers = route.method === 'GET' ? as.viewer.read : as.viewer.write;
      const r = await app.inject({
        method: route.method as 'GET',
        url: concrete(route.url),
        headers,
        ...(route.method === 'GET' ? {} : { payload: {} }),
      });
      expect({ route: `${route.method} ${route.url}`, status: r.statusCode, error: r.json().error }).toEqual({
        route: `${route.method} ${route.url}`,
        status: 403,
        error: 'FORBIDDEN',
      });
    }
  });

  test('the same routes let an admin past the role check (the 403 was the role, not the route)', async () => {
    const r = await app.inject({ url: '/api/v1/admin/members', headers: as.admin.read });
    expect(r.statusCode).toBe(200);
    const e = await app.inject({ url: '/api/v1/admin/members', headers: as.editor.read });
    expect(e.statusCode).toBe(403);
  });

  test('routes needing a session answer 401 without one', async () => {
    const needing = app.services.routes.filter(
      (r) => r.method !== 'HEAD' && ruleOf(r.permission).auth === 'required',
    );
    expect(needing.length).toBeGreaterThan(10);
    for (const route of needing) {
      const r = await app.inject({ method: route.method as 'GET', url: concrete(route.url) });
      expect(`${route.method} ${route.url} ${r.statusCode}`).toBe(`${route.method} ${route.url} 401`);
    }
  });
});
