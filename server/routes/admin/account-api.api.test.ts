import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startApp, type TestApp } from '../../../test/app-harness.js';
import { createMiniProject } from '../../../test/mini-project.js';
import { invite, inviteExistingMember, inviteNewMember } from '../../../test/invite-helper.js';
import { fromResponse, signIn, type SignedIn } from '../../../test/session-helper.js';
import { storeTargets } from '../../../test/store-targets.js';
import { CLI_CONTEXT } from '../../audit/audit-log.js';

const targets = await storeTargets('the account API tests on a PostgreSQL metadata store');
const PASSWORD = 'correct horse battery staple';
const T0 = Date.UTC(2026, 0, 5, 9, 0, 0);
const MINUTE = 60_000;

describe.each(targets)('the account API, store on $name', (target) => {
  let app: TestApp;
  let close: () => Promise<void>;
  let dispose: () => Promise<void>;
  let now = T0;
  let atlasAdmin: SignedIn;
  let beaconAdmin: SignedIn;
  let atlasViewer: SignedIn;

  beforeAll(async () => {
    const mini = await createMiniProject();
    const opened = await target.open();
    dispose = opened.dispose;
    ({ app, close } = await startApp(mini.dir, {}, { store: opened.store, now: () => now }));
    const { accounts } = app.services;
    await accounts.createOrganisation('atlas', 'Atlas Research', CLI_CONTEXT);
    await accounts.createOrganisation('beacon', 'Beacon Health', CLI_CONTEXT);
    const users = [
      ['admin@atlas.example', 'atlas', 'admin'],
      ['viewer@atlas.example', 'atlas', 'viewer'],
      ['admin@beacon.example', 'beacon', 'admin'],
    ] as const;
    for (const [email, organisation, role] of users)
      await accounts.createUser({ email, password: PASSWORD, organisation, role }, CLI_CONTEXT);
    atlasAdmin = await signIn(app, 'admin@atlas.example', PASSWORD, { userAgent: 'Firefox/140' });
    atlasViewer = await signIn(app, 'viewer@atlas.example', PASSWORD);
    beaconAdmin = await signIn(app, 'admin@beacon.example', PASSWORD);
  });
  afterAll(async () => {
    await close?.();
    await dispose?.();
  });

  const get = (url: string, who: SignedIn) => app.inject({ url, headers: who.read });
  const send = (method: 'POST' | 'PATCH' | 'DELETE', url: string, who: SignedIn, payload?: object) =>
    app.inject({ method, url, headers: who.write, ...(payload ? { payload } : {}) });

  test('members: list shows only the caller’s organisation, with last login here', async () => {
    const r = await get('/api/v1/admin/members', atlasAdmin);
    expect(r.statusCode).toBe(200);
    const members = r.json().members as {
      email: string;
      role: string;
      lastLoginAt: string | null;
      accountManaged: boolean;
    }[];
    expect(members.map((m) => [m.email, m.role, m.accountManaged])).toEqual([
      ['admin@atlas.example', 'admin', true],
      ['viewer@atlas.example', 'viewer', true],
    ]);
    expect(members[0]?.lastLoginAt).toBe(new Date(T0).toISOString());
  });

  test('members: invite a new user, who sets their password; change role, reset, disable/enable, remove', async () => {
    const invited = await send('POST', '/api/v1/admin/invitations', atlasAdmin, {
      email: 'New@Atlas.example',
      role: 'editor',
    });
    expect(invited.statusCode).toBe(201);
    expect(invited.json()).toMatchObject({
      invitation: { email: 'new@atlas.example', role: 'editor' },
      delivery: 'link',
    });
    const pending = (await get('/api/v1/admin/invitations', atlasAdmin)).json().invitations as {
      email: string;
    }[];
    expect(pending.map((i) => i.email)).toContain('new@atlas.example');
    // Nobody joined yet: the invitation is only an offer.
    const before = (await get('/api/v1/admin/members', atlasAdmin)).json().members as { email: string }[];
    expect(before.map((m) => m.email)).not.toContain('new@atlas.example');
    const token = new URL(invited.json().linkPath as string, 'http://x').searchParams.get('token') as string;
    const preview = await app.inject({
      method: 'POST',
      url: '/api/v1/invitations/preview',
      payload: { token },
    });
    expect(preview.json()).toMatchObject({
      organisation: { slug: 'atlas', name: 'Atlas Research' },
      email: 'new@atlas.example',
      role: 'editor',
    });
    const weak = await app.inject({
      method: 'POST',
      url: '/api/v1/invitations/register',
      payload: { token, password: 'aaaaaaaaaaaaaaa' },
    });
    expect(weak.json().error).toBe('WEAK_PASSWORD');
    const registered = await app.inject({
      method: 'POST',
      url: '/api/v1/invitations/register',
      payload: { token, password: 'another long password' },
    });
    expect(registered.statusCode).toBe(201);
    // Single use.
    const again = await app.inject({
      method: 'POST',
      url: '/api/v1/invitations/register',
      payload: { token, password: 'another long password' },
    });
    expect(again.json().error).toBe('INVITATION_INVALID');
    const list0 = (await get('/api/v1/admin/members', atlasAdmin)).json().members as {
      userId: string;
      email: string;
      role: string;
    }[];
    const userId = list0.find((m) => m.email === 'new@atlas.example')?.userId as string;
    expect(list0.find((m) => m.userId === userId)?.role).toBe('editor');
    expect(
      (
        await send('POST', '/api/v1/admin/invitations', atlasAdmin, {
          email: 'new@atlas.example',
          role: 'viewer',
        })
      ).json().error,
    ).toBe('MEMBER_EXISTS');

    const member = await signIn(app, 'new@atlas.example', 'another long password');
    const changed = await send('PATCH', `/api/v1/admin/members/${userId}`, atlasAdmin, { role: 'viewer' });
    expect(changed.json().role).toBe('viewer');
    // The role is read per request: the live session is a viewer now.
    expect((await get('/api/v1/session', member)).json().role).toBe('viewer');

    const reset = await send('POST', `/api/v1/admin/members/${userId}/password`, atlasAdmin, {
      password: 'a brand new password',
    });
    expect(reset.statusCode).toBe(204);
    expect((await get('/api/v1/session', member)).statusCode).toBe(401);
    const member2 = await signIn(app, 'new@atlas.example', 'a brand new password');

    const disabled = await send('PATCH', `/api/v1/admin/members/${userId}`, atlasAdmin, { disabled: true });
    expect(disabled.json().disabledAt).not.toBeNull();
    expect((await get('/api/v1/session', member2)).statusCode).toBe(401);
    const enabled = await send('PATCH', `/api/v1/admin/members/${userId}`, atlasAdmin, { disabled: false });
    expect(enabled.json().disabledAt).toBeNull();

    const removed = await send('DELETE', `/api/v1/admin/members/${userId}`, atlasAdmin);
    expect(removed.statusCode).toBe(204);
    const list = (await get('/api/v1/admin/members', atlasAdmin)).json().members as { userId: string }[];
    expect(list.some((m) => m.userId === userId)).toBe(false);
  });

  test('invitations: revoked links stop working; another organisation cannot revoke or see them', async () => {
    const created = await send('POST', '/api/v1/admin/invitations', atlasAdmin, {
      email: 'later@atlas.example',
      role: 'viewer',
    });
    const { id } = created.json().invitation as { id: string };
    const token = new URL(created.json().linkPath as string, 'http://x').searchParams.get('token') as string;
    expect((await send('DELETE', `/api/v1/admin/invitations/${id}`, beaconAdmin)).json().error).toBe(
      'INVITATION_NOT_FOUND',
    );
    const beaconList = (await get('/api/v1/admin/invitations', beaconAdmin)).json().invitations as {
      id: string;
    }[];
    expect(beaconList.some((i) => i.id === id)).toBe(false);
    expect((await send('DELETE', `/api/v1/admin/invitations/${id}`, atlasAdmin)).statusCode).toBe(204);
    const preview = await app.inject({
      method: 'POST',
      url: '/api/v1/invitations/preview',
      payload: { token },
    });
    expect(preview.json().error).toBe('INVITATION_INVALID');
    // A viewer cannot invite; a signed-in user of another address cannot accept someone else's link.
    expect(
      (
        await send('POST', '/api/v1/admin/invitations', atlasViewer, {
          email: 'x@atlas.example',
          role: 'admin',
        })
      ).statusCode,
    ).toBe(403);
    const other = await invite(app, atlasAdmin, 'someone@atlas.example', 'admin');
    const wrong = await send('POST', '/api/v1/invitations/accept', atlasViewer, { token: other });
    expect(wrong.json().error).toBe('INVITATION_WRONG_ACCOUNT');
    expect((await get('/api/v1/session', atlasViewer)).json().role).toBe('viewer');
  });

  test('tenant first: another organisation’s member is not found, never changed', async () => {
    const atlasMembers = (await get('/api/v1/admin/members', atlasAdmin)).json().members as {
      userId: string;
    }[];
    const victim = atlasMembers.find((m) => m.userId === atlasViewer.userId);
    expect(victim).toBeDefined();
    for (const r of [
      await send('PATCH', `/api/v1/admin/members/${atlasViewer.userId}`, beaconAdmin, { role: 'admin' }),
      await send('DELETE', `/api/v1/admin/members/${atlasViewer.userId}`, beaconAdmin),
      await send('POST', `/api/v1/admin/members/${atlasViewer.userId}/password`, beaconAdmin, {
        password: 'takeover password 1',
      }),
    ])
      expect(r.json().error).toBe('MEMBER_NOT_FOUND');
    expect((await get('/api/v1/session', atlasViewer)).json().role).toBe('viewer');
    const beaconList = (await get('/api/v1/admin/members', beaconAdmin)).json().members as {
      email: string;
    }[];
    expect(beaconList.map((m) => m.email)).toEqual(['admin@beacon.example']);
  });

  test('the last admin cannot be demoted, disabled or removed', async () => {
    const self = beaconAdmin.userId;
    expect(
      (await send('PATCH', `/api/v1/admin/members/${self}`, beaconAdmin, { role: 'viewer' })).json().error,
    ).toBe('LAST_ADMIN');
    expect(
      (await send('PATCH', `/api/v1/admin/members/${self}`, beaconAdmin, { disabled: true })).json().error,
    ).toBe('LAST_ADMIN');
    expect((await send('DELETE', `/api/v1/admin/members/${self}`, beaconAdmin)).json().error).toBe(
      'LAST_ADMIN',
    );
  });

  test('organisation: read and rename', async () => {
    const info = await get('/api/v1/admin/organisation', beaconAdmin);
    expect(info.json()).toMatchObject({ slug: 'beacon', name: 'Beacon Health', memberCount: 1 });
    const renamed = await send('PATCH', '/api/v1/admin/organisation', beaconAdmin, {
      name: 'Beacon Health Ltd',
    });
    expect(renamed.json()).toMatchObject({ slug: 'beacon', name: 'Beacon Health Ltd' });
    expect((await get('/api/v1/session', beaconAdmin)).json().organisation.name).toBe('Beacon Health Ltd');
  });

  test('my organisations and switching: a new session (rotated), the old cookie dead', async () => {
    // The beacon admin is invited to atlas as a viewer and accepts, signed in.
    await inviteExistingMember(app, atlasAdmin, 'admin@beacon.example', beaconAdmin, 'viewer');
    const mine = (await get('/api/v1/session/organisations', beaconAdmin)).json().organisations as {
      id: string;
      slug: string;
      current: boolean;
    }[];
    expect(mine.map((o) => [o.slug, o.current])).toEqual([
      ['atlas', false],
      ['beacon', true],
    ]);
    const atlasId = mine.find((o) => o.slug === 'atlas')?.id;
    const other = await signIn(app, 'admin@beacon.example', PASSWORD);
    const switched = await send('POST', '/api/v1/session/organisation', other, {
      organisationId: atlasId as string,
    });
    expect(switched.statusCode).toBe(200);
    expect(switched.json()).toMatchObject({ organisation: { slug: 'atlas' }, role: 'viewer' });
    const after = fromResponse(app, switched.headers['set-cookie'], switched.json());
    expect(after.cookie).not.toBe(other.cookie);
    expect((await get('/api/v1/session', other)).statusCode).toBe(401);
    expect((await get('/api/v1/admin/members', after)).statusCode).toBe(403);
    const refused = await send('POST', '/api/v1/session/organisation', atlasViewer, {
      organisationId: 'nope',
    });
    expect(refused.json().error).toBe('FORBIDDEN');
  });

  test('my sessions: ip and user agent, revoke one, revoke all others', async () => {
    const second = await signIn(app, 'admin@atlas.example', PASSWORD, {
      remoteAddress: '10.9.0.2',
      userAgent: 'curl/8',
    });
    const third = await signIn(app, 'admin@atlas.example', PASSWORD, { remoteAddress: '10.9.0.3' });
    const list = (await get('/api/v1/session/sessions', atlasAdmin)).json().sessions as {
      id: string;
      ip: string | null;
      userAgent: string | null;
      current: boolean;
    }[];
    expect(list.length).toBeGreaterThanOrEqual(3);
    expect(list.find((s) => s.current)).toMatchObject({ ip: '127.0.0.1', userAgent: 'Firefox/140' });
    const curl = list.find((s) => s.userAgent === 'curl/8');
    expect(curl?.ip).toBe('10.9.0.2');
    expect(curl?.id).not.toMatch(/^[0-9a-f]{64}$/); // never the stored hash
    expect((await send('DELETE', `/api/v1/session/sessions/${curl?.id}`, atlasAdmin)).statusCode).toBe(204);
    expect((await get('/api/v1/session', second)).statusCode).toBe(401);
    expect((await get('/api/v1/session', third)).statusCode).toBe(200);
    // Another user's session id is not found.
    const viewerSessions = (await get('/api/v1/session/sessions', atlasViewer)).json().sessions as {
      id: string;
    }[];
    const foreign = await send('DELETE', `/api/v1/session/sessions/${viewerSessions[0]?.id}`, atlasAdmin);
    expect(foreign.json().error).toBe('SESSION_NOT_FOUND');
    expect((await send('DELETE', '/api/v1/session/sessions', atlasAdmin)).statusCode).toBe(204);
    expect((await get('/api/v1/session', third)).statusCode).toBe(401);
    expect((await get('/api/v1/session', atlasAdmin)).statusCode).toBe(200);
  });

  test('API tokens: shown once, hashed, bearer auth, role capped, expiring, revocable', async () => {
    const created = await send('POST', '/api/v1/tokens', atlasAdmin, {
      name: 'ci',
      role: 'admin',
      expiresInDays: 1,
    });
    expect(created.statusCode).toBe(201);
    const { secret, id } = created.json() as { secret: string; id: string };
    expect(secret).toMatch(/^trl_[A-Za-z0-9_-]{43}$/);
    const stored = await app.services.store.db
      .selectFrom('api_tokens')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(JSON.stringify(stored)).not.toContain(secret.slice(4));
    const listed = (await get('/api/v1/tokens', atlasAdmin)).json().tokens as Record<string, unknown>[];
    expect(listed.find((t) => t.id === id)).not.toHaveProperty('secret');

    const bearer = { authorization: `Bearer ${secret}` };
    const members = await app.inject({ url: '/api/v1/admin/members', headers: bearer });
    expect(members.statusCode).toBe(200);
    // A write with a bearer token needs no CSRF token (no ambient credential).
    const renamed = await app.inject({
      method: 'PATCH',
      url: '/api/v1/admin/organisation',
      headers: bearer,
      payload: { name: 'Atlas Research' },
    });
    expect(renamed.statusCode).toBe(200);
    // Tokens cannot manage sessions or mint tokens.
    expect((await app.inject({ url: '/api/v1/tokens', headers: bearer })).json().error).toBe('FORBIDDEN');

    // last_used_at: written at the first use, not again within the minute.
    const usedAt = async () =>
      (
        await app.services.store.db
          .selectFrom('api_tokens')
          .select('last_used_at')
          .where('id', '=', id)
          .executeTakeFirstOrThrow()
      ).last_used_at;
    expect(await usedAt()).toBe(now);
    const first = now;
    now += 30_000;
    await app.inject({ url: '/api/v1/admin/members', headers: bearer });
    expect(await usedAt()).toBe(first);
    now += 31_000;
    await app.inject({ url: '/api/v1/admin/members', headers: bearer });
    expect(await usedAt()).toBe(now);

    // A viewer cannot create an admin token; their viewer token reads dashboards but not members.
    const tooHigh = await send('POST', '/api/v1/tokens', atlasViewer, {
      name: 'x',
      role: 'admin',
      expiresInDays: 1,
    });
    expect(tooHigh.json().error).toBe('FORBIDDEN');

    // Expiry.
    now += 24 * 60 * MINUTE;
    expect((await app.inject({ url: '/api/v1/admin/members', headers: bearer })).statusCode).toBe(401);
    now = T0 + 2 * MINUTE;
    expect((await send('DELETE', `/api/v1/tokens/${id}`, atlasAdmin)).statusCode).toBe(204);
    expect((await app.inject({ url: '/api/v1/admin/members', headers: bearer })).statusCode).toBe(401);
    expect((await send('DELETE', `/api/v1/tokens/${id}`, atlasAdmin)).json().error).toBe('TOKEN_NOT_FOUND');
    expect(
      (await app.inject({ url: '/api/v1/admin/members', headers: { authorization: 'Bearer trl_nonsense' } }))
        .statusCode,
    ).toBe(401);
  });

  test('a token’s role is capped by the owner’s current role', async () => {
    const editorToken = await send('POST', '/api/v1/tokens', atlasAdmin, {
      name: 'cap',
      role: 'admin',
      expiresInDays: 5,
    });
    const bearer = { authorization: `Bearer ${editorToken.json().secret as string}` };
    expect((await app.inject({ url: '/api/v1/admin/members', headers: bearer })).statusCode).toBe(200);
    // A second admin so the first can be demoted.
    await inviteNewMember(app, atlasAdmin, 'second@atlas.example', 'admin', PASSWORD);
    const second = await signIn(app, 'second@atlas.example', PASSWORD);
    await send('PATCH', `/api/v1/admin/members/${atlasAdmin.userId}`, second, { role: 'viewer' });
    expect((await app.inject({ url: '/api/v1/admin/members', headers: bearer })).json().error).toBe(
      'FORBIDDEN',
    );
    await send('PATCH', `/api/v1/admin/members/${atlasAdmin.userId}`, second, { role: 'admin' });
    expect((await app.inject({ url: '/api/v1/admin/members', headers: bearer })).statusCode).toBe(200);
  });

  test('audit: the organisation’s entries only, filtered, paged by cursor', async () => {
    const page = async (query: string, who = atlasAdmin) => (await get(`/api/v1/audit?${query}`, who)).json();
    const all = await page('limit=500');
    expect(all.actions).toContain('token.create');
    const atlasActions = new Set((all.entries as { action: string }[]).map((e) => e.action));
    expect(atlasActions.has('organisation.rename')).toBe(true); // the bearer rename of atlas
    const beacon = await page('limit=500', beaconAdmin);
    // The beacon admin sees beacon's rename, none of atlas's token entries.
    expect(
      (beacon.entries as { action: string; detail: { to?: string } }[]).some(
        (e) => e.detail.to === 'Beacon Health Ltd',
      ),
    ).toBe(true);
    expect((beacon.entries as { action: string }[]).some((e) => e.action === 'token.create')).toBe(false);

    const logins = await page('action=login&outcome=success&limit=2');
    expect(logins.entries).toHaveLength(2);
    expect(logins.nextCursor).not.toBeNull();
    const next = await page(`action=login&outcome=success&limit=2&cursor=${logins.nextCursor as string}`);
    const ids = [...logins.entries, ...next.entries].map((e: { id: string }) => Number(e.id));
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    expect(new Set(ids).size).toBe(ids.length);
    const byActor = await page('actor=viewer@atlas.example');
    expect(
      (byActor.entries as { actorEmail: string }[]).every((e) => e.actorEmail === 'viewer@atlas.example'),
    ).toBe(true);
    expect((await get('/api/v1/audit?cursor=abc', atlasAdmin)).json().error).toBe('VALIDATION_FAILED');
    expect((await get('/api/v1/audit?limit=501', atlasAdmin)).statusCode).toBe(400);
  });

  test('audit CSV: streamed, formula-safe, and the export itself is audited', async () => {
    // A hostile user agent and email land in the log (via a login failure's target).
    await app.inject({
      method: 'POST',
      url: '/api/v1/session',
      payload: { email: '=HYPERLINK("http://evil")@x.example', password: 'wrong' },
    });
    await app.inject({
      method: 'POST',
      url: '/api/v1/session',
      payload: { email: 'admin@atlas.example', password: 'wrong password' },
    });
    const r = await get('/api/v1/audit.csv?action=login', atlasAdmin);
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(r.headers['content-disposition']).toMatch(/^attachment; filename="trellis-audit-/);
    const lines = r.body.trimEnd().split('\r\n');
    expect(lines[0]).toBe(
      '"id","at","actor","actor_email","action","target","outcome","ip","request_id","detail"',
    );
    expect(lines.length).toBeGreaterThan(3);
    expect(lines.slice(1).every((l) => l.includes('"login"'))).toBe(true);
    const exports = (await get('/api/v1/audit?action=audit.export', atlasAdmin)).json().entries;
    expect(exports).toHaveLength(1);
  });
});
