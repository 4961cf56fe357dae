import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startApp, type TestApp } from '../../../test/app-harness.js';
import { tokenOfLink } from '../../../test/invite-helper.js';
import { createMiniProject } from '../../../test/mini-project.js';
import { signIn, type SignedIn } from '../../../test/session-helper.js';
import { storeTargets } from '../../../test/store-targets.js';
import { CLI_CONTEXT } from '../../audit/audit-log.js';

const targets = await storeTargets('the cross-organisation takeover reproduction on PostgreSQL');
const PASSWORD = 'correct horse battery staple';

/**
 * Issue 11's reproduction: beacon's admin tries to take over atlas's admin account. Before the fix,
 * POST /admin/members attached admin@atlas.example to beacon, reset its password and disabled it.
 */
describe.each(targets)(
  'an organisation admin cannot reach another organisation’s accounts ($name)',
  (target) => {
    let app: TestApp;
    let close: () => Promise<void>;
    let dispose: () => Promise<void>;
    let atlasAdmin: SignedIn;
    let beaconAdmin: SignedIn;

    beforeAll(async () => {
      const mini = await createMiniProject();
      const opened = await target.open();
      dispose = opened.dispose;
      ({ app, close } = await startApp(mini.dir, {}, { store: opened.store }));
      const { accounts } = app.services;
      await accounts.createOrganisation('atlas', 'Atlas Research', CLI_CONTEXT);
      await accounts.createOrganisation('beacon', 'Beacon Health', CLI_CONTEXT);
      for (const [email, organisation, role] of [
        ['admin@atlas.example', 'atlas', 'admin'],
        ['viewer@atlas.example', 'atlas', 'viewer'],
        ['admin@beacon.example', 'beacon', 'admin'],
      ] as const)
        await accounts.createUser({ email, password: PASSWORD, organisation, role }, CLI_CONTEXT);
      atlasAdmin = await signIn(app, 'admin@atlas.example', PASSWORD);
      beaconAdmin = await signIn(app, 'admin@beacon.example', PASSWORD);
      await app.inject({
        method: 'POST',
        url: '/api/v1/tokens',
        headers: atlasAdmin.write,
        payload: { name: 'atlas ci', role: 'admin', expiresInDays: 30 },
      });
    });
    afterAll(async () => {
      await close?.();
      await dispose?.();
    });

    const send = (method: 'POST' | 'PATCH' | 'DELETE', url: string, who: SignedIn, payload?: object) =>
      app.inject({ method, url, headers: who.write, ...(payload ? { payload } : {}) });

    /** Everything about atlas and its users that beacon's admin must not be able to change. */
    async function atlasState() {
      const db = app.services.store.db;
      const org = await db
        .selectFrom('organisations')
        .select('id')
        .where('slug', '=', 'atlas')
        .executeTakeFirstOrThrow();
      const users = await db
        .selectFrom('users')
        .innerJoin('memberships', 'memberships.user_id', 'users.id')
        .select(['users.id', 'users.email', 'users.password_hash', 'users.disabled_at', 'memberships.role'])
        .where('memberships.organisation_id', '=', org.id)
        .orderBy('users.id')
        .execute();
      const ids = users.map((u) => u.id);
      return {
        users,
        memberships: await db
          .selectFrom('memberships')
          .selectAll()
          .where('user_id', 'in', ids)
          .orderBy('organisation_id')
          .execute(),
        tokens: await db
          .selectFrom('api_tokens')
          .select(['id', 'revoked_at'])
          .where('user_id', 'in', ids)
          .orderBy('id')
          .execute(),
        sessions: await db
          .selectFrom('sessions')
          .select(['id_hash', 'revoked_at'])
          .where('user_id', 'in', ids)
          .orderBy('id_hash')
          .execute(),
      };
    }

    test('the old attach route is gone; an invitation attaches nobody and tells nothing about the address', async () => {
      const before = await atlasState();
      const attach = await send('POST', '/api/v1/admin/members', beaconAdmin, {
        email: 'admin@atlas.example',
        role: 'viewer',
      });
      expect(attach.statusCode).toBe(404);

      const existing = await send('POST', '/api/v1/admin/invitations', beaconAdmin, {
        email: 'admin@atlas.example',
        role: 'viewer',
      });
      const unknown = await send('POST', '/api/v1/admin/invitations', beaconAdmin, {
        email: 'nobody@atlas.example',
        role: 'viewer',
      });
      expect(existing.statusCode).toBe(201);
      expect(unknown.statusCode).toBe(existing.statusCode);
      // Byte-identical once the values that differ by construction (id, times, token, the email itself) are masked.
      const mask = (body: string, email: string) =>
        body
          .replaceAll(email, '<email>')
          .replace(/"id":"[^"]+"/g, '"id":"<id>"')
          .replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, '<time>')
          .replace(/token=[A-Za-z0-9_-]+/g, 'token=<token>');
      expect(mask(existing.body, 'admin@atlas.example')).toBe(mask(unknown.body, 'nobody@atlas.example'));
      expect(existing.body).not.toMatch(/lastLogin|disabled|userId|accountManaged/);
      expect(Object.keys(existing.headers).sort()).toEqual(Object.keys(unknown.headers).sort());

      // Nothing joined beacon, nothing in atlas changed.
      const beaconMembers = (
        await app.inject({ url: '/api/v1/admin/members', headers: beaconAdmin.read })
      ).json().members as { email: string }[];
      expect(beaconMembers.map((m) => m.email)).toEqual(['admin@beacon.example']);
      expect(await atlasState()).toEqual(before);
    });

    test('reset and disable of atlas’s users are refused, before and after they join beacon too', async () => {
      const before = await atlasState();
      const victim = before.users.find((u) => u.email === 'admin@atlas.example');
      expect(victim).toBeDefined();
      const id = victim?.id as string;
      const attempts = async () => [
        await send('POST', `/api/v1/admin/members/${id}/password`, beaconAdmin, {
          password: 'takeover password 1',
        }),
        await send('PATCH', `/api/v1/admin/members/${id}`, beaconAdmin, { disabled: true }),
      ];
      for (const r of await attempts()) expect(r.json().error).toBe('MEMBER_NOT_FOUND');
      expect(await atlasState()).toEqual(before);

      // atlas's admin accepts an invitation to beacon (consent): now a member of both.
      const invited = await send('POST', '/api/v1/admin/invitations', beaconAdmin, {
        email: 'admin@atlas.example',
        role: 'admin',
      });
      const accepted = await send('POST', '/api/v1/invitations/accept', atlasAdmin, {
        token: tokenOfLink(invited.json().linkPath as string),
      });
      expect(accepted.statusCode).toBe(200);
      const joined = await atlasState();
      for (const r of await attempts()) {
        expect(r.statusCode).toBe(403);
        expect(r.json().error).toBe('ACCOUNT_NOT_MANAGED');
      }
      // Beacon's list shows no account facts from atlas: no sign-in to beacon yet, not manageable here.
      const listed = (
        (await app.inject({ url: '/api/v1/admin/members', headers: beaconAdmin.read })).json().members as {
          email: string;
          lastLoginAt: string | null;
          accountManaged: boolean;
        }[]
      ).find((m) => m.email === 'admin@atlas.example');
      expect(listed).toMatchObject({ lastLoginAt: null, accountManaged: false });
      // Beacon may change or end only its own membership; atlas keeps everything.
      expect(
        (await send('PATCH', `/api/v1/admin/members/${id}`, beaconAdmin, { role: 'viewer' })).statusCode,
      ).toBe(200);
      expect((await send('DELETE', `/api/v1/admin/members/${id}`, beaconAdmin)).statusCode).toBe(204);
      const after = await atlasState();
      expect(after.users).toEqual(joined.users);
      expect(after.tokens).toEqual(joined.tokens);
      expect(after.sessions).toEqual(joined.sessions);
      expect(after.memberships.map((m) => m.organisation_id)).toHaveLength(joined.memberships.length - 1);
      expect((await app.inject({ url: '/api/v1/session', headers: atlasAdmin.read })).json().role).toBe(
        'admin',
      );
    });
  },
);
