import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startApp, type TestApp } from '../../test/app-harness.js';
import { tablePipelines } from '../../test/fixtures/test-pipelines.mjs';
import { inviteNewMember, invite } from '../../test/invite-helper.js';
import { createMiniProject } from '../../test/mini-project.js';
import { signIn, type SignedIn } from '../../test/session-helper.js';
import { CLI_CONTEXT } from '../audit/audit-log.js';

/**
 * Generated from the registered routes: every route under /api/v1/admin, /tokens, /runs, /pipelines
 * and /audit is called by acme's admin with globex's ids in its path. None may succeed, and none
 * may change anything of globex; lists must not show globex's rows. A new route with a path
 * parameter this test does not know fails it, so the boundary is checked for it before it ships.
 */
const PASSWORD = 'correct horse battery staple';
const SCOPED =
  /^\/api\/v1\/(admin|tokens|runs|pipelines|audit|dashboards\/:dashboard\/(presets|default-preset))/;
/** Routes not called here, each with the reason. */
const SKIPPED: Record<string, string> = {
  'GET /api/v1/runs/events': 'an endless event stream; its tenant filter is tested in run-events tests',
};

let app: TestApp;
let close: () => Promise<void>;
let acme: SignedIn;
const globex: Record<string, string> = {};

beforeAll(async () => {
  const mini = await createMiniProject();
  const pipelines = tablePipelines({
    dbFile: path.join(mkdtempSync(path.join(tmpdir(), 'trellis-boundary-')), 'warehouse.sqlite'),
    pipelines: [
      { id: 'ours', organisation: 'acme', pages: 1 },
      { id: 'theirs', organisation: 'globex', pages: 1 },
    ],
  });
  ({ app, close } = await startApp(mini.dir, {}, { pipelines }));
  const { accounts } = app.services;
  await accounts.createOrganisation('acme', 'Acme', CLI_CONTEXT);
  await accounts.createOrganisation('globex', 'Globex', CLI_CONTEXT);
  await accounts.createUser(
    { email: 'admin@acme.example', password: PASSWORD, organisation: 'acme', role: 'admin' },
    CLI_CONTEXT,
  );
  await accounts.createUser(
    { email: 'admin@globex.example', password: PASSWORD, organisation: 'globex', role: 'admin' },
    CLI_CONTEXT,
  );
  acme = await signIn(app, 'admin@acme.example', PASSWORD);
  const g = await signIn(app, 'admin@globex.example', PASSWORD);
  const member = await inviteNewMember(app, g, 'member@globex.example', 'viewer', PASSWORD);
  const token = await app.inject({
    method: 'POST',
    url: '/api/v1/tokens',
    headers: g.write,
    payload: { name: 'g', role: 'viewer', expiresInDays: 5 },
  });
  const invitation = await app.inject({
    method: 'POST',
    url: '/api/v1/admin/invitations',
    headers: g.write,
    payload: { email: 'next@globex.example', role: 'viewer' },
  });
  const run = await app.inject({
    method: 'POST',
    url: '/api/v1/pipelines/theirs/runs',
    headers: g.write,
    payload: {},
  });
  await invite(app, acme, 'someone@acme.example', 'viewer');
  Object.assign(globex, {
    userId: member.userId,
    adminId: g.userId,
    tokenId: token.json().id as string,
    invitationId: invitation.json().invitation.id as string,
    run: run.json().id as string,
    pipeline: 'theirs',
    preset: (
      await app.inject({
        method: 'POST',
        url: '/api/v1/dashboards/main/presets',
        headers: g.write,
        payload: { name: 'Globex shared', filters: { colour: ['red'] }, shared: true },
      })
    ).json().id as string,
  });
});
afterAll(async () => close?.());

/** Everything of globex a request of acme's admin could change. */
async function globexState() {
  const db = app.services.store.db;
  const org = await db
    .selectFrom('organisations')
    .selectAll()
    .where('slug', '=', 'globex')
    .executeTakeFirstOrThrow();
  return {
    org,
    users: await db
      .selectFrom('users')
      .selectAll()
      .where('email', 'like', '%@globex.example')
      .orderBy('id')
      .execute(),
    memberships: await db
      .selectFrom('memberships')
      .selectAll()
      .where('organisation_id', '=', org.id)
      .orderBy('user_id')
      .execute(),
    tokens: await db
      .selectFrom('api_tokens')
      .selectAll()
      .where('organisation_id', '=', org.id)
      .orderBy('id')
      .execute(),
    invitations: await db
      .selectFrom('invitations')
      .selectAll()
      .where('organisation_id', '=', org.id)
      .orderBy('id')
      .execute(),
    runs: await db
      .selectFrom('pipeline_runs')
      .selectAll()
      .where('organisation', '=', 'globex')
      .orderBy('id')
      .execute(),
    presets: await db
      .selectFrom('filter_presets')
      .selectAll()
      .where('organisation_id', '=', org.id)
      .orderBy('id')
      .execute(),
    dashboardSettings: await db
      .selectFrom('dashboard_user_settings')
      .selectAll()
      .where('organisation_id', '=', org.id)
      .orderBy('user_id')
      .execute(),
    sessions: await db
      .selectFrom('sessions')
      .select(['id_hash', 'revoked_at'])
      .where('organisation_id', '=', org.id)
      .orderBy('id_hash')
      .execute(),
  };
}

/** Which of globex's ids fills each path parameter (by route, when one name means several things). */
function paramValue(url: string, name: string): string | undefined {
  if (name === 'userId') return globex.userId;
  if (name === 'id' && url.startsWith('/api/v1/tokens')) return globex.tokenId;
  if (name === 'id' && url.startsWith('/api/v1/admin/invitations')) return globex.invitationId;
  if (name === 'run') return globex.run;
  if (name === 'pipeline') return globex.pipeline;
  if (name === 'preset') return globex.preset;
  // A dashboard both organisations see: the foreign part is the preset, or nothing (lists).
  if (name === 'dashboard') return 'main';
  return undefined;
}

const BODIES: Record<string, object> = {
  'PATCH /api/v1/admin/members/:userId': { disabled: true },
  'POST /api/v1/admin/members/:userId/password': { password: 'takeover password 1' },
  'POST /api/v1/pipelines/:pipeline/runs': {},
  'POST /api/v1/runs/:run/cancel': {},
  'PATCH /api/v1/dashboards/:dashboard/presets/:preset': { name: 'ours now', shared: false },
};

test('every tenant-scoped route refuses another organisation’s ids and leaks none of its rows', async () => {
  const routes = app.services.routes.filter((r) => SCOPED.test(r.url) && r.method !== 'HEAD');
  expect(routes.length).toBeGreaterThanOrEqual(15);
  const before = await globexState();
  const leaks = [
    before.users.map((u) => u.id),
    before.users.map((u) => u.email),
    before.tokens.map((t) => t.id),
    before.invitations.map((i) => i.id),
    before.runs.map((r) => r.id),
    before.presets.map((p) => p.id),
    before.presets.map((p) => p.name),
  ].flat();
  const checked: string[] = [];
  for (const route of routes) {
    const key = `${route.method} ${route.url}`;
    if (SKIPPED[key]) continue;
    const params = [...route.url.matchAll(/:([A-Za-z]+)/g)].map((m) => m[1] as string);
    let url = route.url;
    for (const p of params) {
      const value = paramValue(route.url, p);
      if (value === undefined)
        throw new Error(`${key}: no other-organisation value for :${p}; add one to paramValue`);
      url = url.replace(`:${p}`, encodeURIComponent(value));
    }
    const write = route.method !== 'GET';
    const r = await app.inject({
      method: route.method as 'GET',
      url,
      headers: write ? acme.write : acme.read,
      ...(write ? { payload: BODIES[key] ?? {} } : {}),
    });
    if (params.some((p) => p !== 'dashboard')) {
      expect([403, 404], `${key} → ${r.statusCode} ${r.body.slice(0, 200)}`).toContain(r.statusCode);
    } else if (route.method === 'GET') {
      expect(r.statusCode, key).toBeLessThan(400);
      for (const secret of leaks) expect(r.body, `${key} shows ${secret}`).not.toContain(secret);
    }
    checked.push(key);
  }
  expect(checked.filter((k) => k.includes(':')).length).toBeGreaterThanOrEqual(9);
  expect(await globexState()).toEqual(before);
});
