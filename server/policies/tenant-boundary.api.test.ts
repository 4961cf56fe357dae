import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startApp, type TestApp } from '../../test/app-harness.js';
import { tablePipelines } from '../../test/fixtures/test-pipelines.mjs';
import { inviteNewMember, invite } from '../../test/invite-helper.js';
import { createMiniProject } from '../../test/mini-project.js';
import { signIn, type SignedIn } from '../../test/session-helper.js';
import { CLI_CONTEXT } from '../audit/audit-log.js';
import { defaultConfig } from '../config/env.js';
import { PERMISSIONS, type Permission } from './permissions.js';

/**
 * Generated from the registered routes: every route whose permission is not classified below as
 * holding no tenant data is called by acme's admin with globex's ids in its path (uploads, upload
 * versions, export files, runs, pipelines, presets, tokens, members, invitations, sessions) and the
 * project's own ids where the path names a dashboard, widget, filter or upload target — whose rows,
 * layouts and uploads are per organisation. None may succeed with a foreign id, none may change
 * anything of globex, and no answer may carry globex's ids, names or rows (searched, drilled into,
 * exported). A new route is walked as soon as it is registered (a new permission too, unless it is
 * excluded below with a reason); a path parameter this test cannot fill with a foreign id fails it,
 * so the boundary is checked before the route ships.
 */
const PASSWORD = 'correct horse battery staple';
/**
 * Permissions whose routes hold no tenant data reachable by an id, each with the reason. Every other
 * permission of the registry (policies/permissions.ts) is walked.
 */
const NOT_TENANT: Partial<Record<Permission, string>> = {
  public: 'health, readiness, metrics and the API description: no tenant data',
  'session:create': 'signing in: there is no organisation yet (login tests)',
  'session:delete': 'signing out: clears the caller’s own cookie only',
  'session:change-password': 'the caller’s own password, current one required (password-boundaries test)',
  'invitation:preview': 'the invitation link’s secret token, not an id (cross-org-takeover test)',
  'invitation:register': 'the invitation link’s secret token, not an id (cross-org-takeover test)',
  'invitation:accept': 'the invitation link’s secret token, not an id (cross-org-takeover test)',
  'password-reset:request': 'open to anyone, one answer for every address (password-reset test)',
  'password-reset:confirm': 'the reset link’s secret token, not an id (password-reset test)',
};
/** Routes of walked permissions not called here, each with the reason. */
const SKIPPED: Record<string, string> = {
  'GET /api/v1/runs/events': 'an endless event stream; its tenant filter is tested in run-events tests',
  'GET /api/v1/dashboards/:dashboard/events':
    'an endless event stream of dataset changes; it carries dataset ids only (events.api.test.ts)',
};
/** Path parameters that name the project's own things, the same for every organisation. */
const PROJECT_PARAMS = new Set(['dashboard', 'widget', 'filter', 'target']);

/**
 * A tenant-scoped SQL dataset: each organisation sees its own row only. Globex's code and month
 * (2024-03) must never reach acme, whether searched, filtered for, drilled into or exported.
 */
const GLOBEX_CODE = 'globex-code-5519';
const GLOBEX_MONTH = '2024-03';
const SECRETS_SQL = `SELECT org, code, day FROM (VALUES ('acme', 'acme-code-7731', DATE '2023-01-05'),
  ('globex', '${GLOBEX_CODE}', DATE '${GLOBEX_MONTH}-09')) AS t(org, code, day) WHERE org = :tenant`;
const SECRETS_DATASET = `sql: sql/secrets.sql
tenant_column: org
columns:
  org: { type: string }
  code: { type: string }
  day: { type: date }
measures:
  n: { agg: count, label: Rows }
`;
const SECRETS_DASHBOARD = `title: Secrets
dataset: secrets
filters:
  - { id: code, type: multi_select, label: Code, column: code, search: true }
widgets:
  - { id: per_period, type: bar, title: Per period, dimension: day, grain: year, measures: [n], drill: { levels: [year, month, day] } }
  - { id: list, type: table, title: Codes, columns: [code, day], page_size: 10 }
`;
const UPLOAD_TARGET = `title: Targets
target: main
table: boundary_targets
tenant_column: org
key: [sponsor]
columns:
  sponsor: { type: VARCHAR }
  target: { type: INTEGER, required: true }
`;
const BOUNDARY = '----trellis-boundary';

let app: TestApp;
let close: () => Promise<void>;
let acme: SignedIn;
const globex: Record<string, string> = {};

beforeAll(async () => {
  const mini = await createMiniProject({
    'sql/secrets.sql': SECRETS_SQL,
    'datasets/secrets.yaml': SECRETS_DATASET,
    'dashboards/secrets.yaml': SECRETS_DASHBOARD,
  });
  mkdirSync(path.join(mini.dir, 'uploads'));
  writeFileSync(path.join(mini.dir, 'uploads', 'targets.yaml'), UPLOAD_TARGET);
  const scratch = mkdtempSync(path.join(tmpdir(), 'trellis-boundary-files-'));
  const pipelines = tablePipelines({
    dbFile: path.join(mkdtempSync(path.join(tmpdir(), 'trellis-boundary-')), 'warehouse.sqlite'),
    pipelines: [
      { id: 'ours', organisation: 'acme', pages: 1 },
      { id: 'theirs', organisation: 'globex', pages: 1 },
    ],
  });
  ({ app, close } = await startApp(
    mini.dir,
    {
      // Every export is a job (a file of globex's to reach for); uploads land in a scratch folder.
      exports: { ...defaultConfig().exports, dir: path.join(scratch, 'exports'), jobRows: 0 },
      uploads: { ...defaultConfig().uploads, tempDir: path.join(scratch, 'uploads') },
    },
    { pipelines },
  ));
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
  Object.assign(globex, await globexFiles(g));
});

/**
 * Globex's upload (imported: version 1 of the target), a finished export file, its admin's own
 * layout of a dashboard and its admin's session id: the things acme's admin will reach for.
 */
async function globexFiles(g: SignedIn): Promise<Record<string, string>> {
  const csv = 'sponsor,target\nGlobex Sponsor Zeta,120\n';
  const upload = await app.inject({
    method: 'POST',
    url: '/api/v1/uploads/targets/targets/uploads',
    headers: { ...g.write, 'content-type': `multipart/form-data; boundary=${BOUNDARY}` },
    payload: Buffer.from(
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="globex-secret-plan.csv"\r\n` +
        `Content-Type: text/csv\r\n\r\n${csv}\r\n--${BOUNDARY}--\r\n`,
    ),
  });
  expect(upload.statusCode, upload.body).toBe(201);
  const uploadId = upload.json().id as string;
  const imported = await app.inject({
    method: 'POST',
    url: `/api/v1/uploads/${uploadId}/import`,
    headers: g.write,
    payload: {},
  });
  expect(imported.statusCode, imported.body).toBe(202);
  // The worker imports it (this app's worker starts below; the export job waits for it too).
  const job = await app.inject({
    method: 'POST',
    url: '/api/v1/exports',
    headers: g.write,
    payload: { dashboard: 'secrets', widget: 'list', format: 'csv' },
  });
  expect(job.statusCode, job.body).toBe(202);
  const exportId = job.json().export.id as string;
  app.services.jobs.startWorker();
  // Finished before the walk, so that nothing of globex changes during it but by acme's hand.
  const deadline = Date.now() + 30_000;
  let status = '';
  let runStatus = '';
  let uploadStatus = '';
  let uploadVersion = 0;
  while (
    (status !== 'ready' ||
      ['queued', 'running'].includes(runStatus) ||
      ['queued', 'importing'].includes(uploadStatus)) &&
    Date.now() < deadline
  ) {
    await new Promise((done) => setTimeout(done, 25));
    status = (await app.inject({ url: `/api/v1/exports/${exportId}`, headers: g.read })).json()
      .status as string;
    runStatus = (await app.inject({ url: `/api/v1/runs/${globex.run}`, headers: g.read })).json()
      .status as string;
    const upload = (await app.inject({ url: `/api/v1/uploads/${uploadId}`, headers: g.read })).json() as {
      status: string;
      result?: { version: { version: number } };
    };
    uploadStatus = upload.status;
    uploadVersion = upload.result?.version.version ?? 0;
  }
  expect(status).toBe('ready');
  expect(['queued', 'running']).not.toContain(runStatus);
  expect(uploadStatus).toBe('imported');
  const layout = await app.inject({
    method: 'PUT',
    url: '/api/v1/dashboards/main/layout',
    headers: g.write,
    payload: { items: [{ widget: 'total', x: 7, y: 41, w: 5, h: 3 }] },
  });
  expect(layout.statusCode, layout.body).toBe(200);
  const subscription = await app.inject({
    method: 'POST',
    url: '/api/v1/subscriptions',
    headers: g.write,
    payload: {
      dashboard: 'secrets',
      widget: 'list',
      format: 'csv',
      filters: {},
      schedule: '0 8 * * 1',
      timeZone: 'Europe/Paris',
      // Nothing is delivered during the walk (no worker polls subscriptions here).
      channel: 'webhook',
      url: 'https://hooks.globex.example/reports',
    },
  });
  expect(subscription.statusCode, subscription.body).toBe(201);
  const alert = await app.inject({
    method: 'POST',
    url: '/api/v1/alerts',
    headers: g.write,
    payload: {
      dashboard: 'main',
      widget: 'total',
      condition: 'above',
      threshold: 1,
      everyMinutes: 60,
      // Nothing is checked during the walk (no worker polls alerts here).
      channel: 'webhook',
      url: 'https://hooks.globex.example/alerts',
    },
  });
  expect(alert.statusCode, alert.body).toBe(201);
  const sessions = await app.inject({ url: '/api/v1/session/sessions', headers: g.read });
  const organisation = await app.inject({ url: '/api/v1/session', headers: g.read });
  return {
    upload: uploadId,
    uploadFile: 'globex-secret-plan.csv',
    sponsor: 'Globex Sponsor Zeta',
    version: String(uploadVersion),
    exportId,
    subscriptionId: (subscription.json() as { subscription: { id: string } }).subscription.id,
    alertId: (alert.json() as { alert: { id: string } }).alert.id,
    sessionId: (sessions.json().sessions as { id: string }[])[0]?.id as string,
    organisationId: organisation.json().organisation.id as string,
  };
}
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
    uploads: await db
      .selectFrom('uploads')
      .selectAll()
      .where('organisation_id', '=', org.id)
      .orderBy('id')
      .execute(),
    versions: await db
      .selectFrom('upload_versions')
      .selectAll()
      .where('organisation_id', '=', org.id)
      .orderBy('version')
      .execute(),
    exports: await db
      .selectFrom('export_files')
      .selectAll()
      .where('organisation_id', '=', org.id)
      .orderBy('id')
      .execute(),
    subscriptions: await db
      .selectFrom('report_subscriptions')
      .selectAll()
      .where('organisation_id', '=', org.id)
      .orderBy('id')
      .execute(),
    alerts: await db
      .selectFrom('alert_rules')
      .selectAll()
      .where('organisation_id', '=', org.id)
      .orderBy('id')
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
  if (name === 'id' && url.startsWith('/api/v1/exports')) return globex.exportId;
  if (name === 'id' && url.startsWith('/api/v1/session/sessions')) return globex.sessionId;
  if (name === 'id' && url.startsWith('/api/v1/subscriptions')) return globex.subscriptionId;
  if (name === 'id' && url.startsWith('/api/v1/alerts')) return globex.alertId;
  if (name === 'run') return globex.run;
  if (name === 'pipeline') return globex.pipeline;
  if (name === 'preset') return globex.preset;
  if (name === 'upload') return globex.upload;
  // Acme has imported nothing: version 1 of the target is globex's alone.
  if (name === 'version') return globex.version;
  // The project's things (PROJECT_PARAMS): the foreign part is what each organisation has under them.
  if (name === 'dashboard')
    return url.includes('/widgets/') || url.includes('/filters/') ? 'secrets' : 'main';
  if (name === 'widget') return url.endsWith('/data') ? 'per_period' : 'list';
  if (name === 'filter') return 'code';
  if (name === 'target') return 'targets';
  return undefined;
}

const BODIES: Record<string, object> = {
  'PATCH /api/v1/admin/members/:userId': { disabled: true },
  'POST /api/v1/admin/members/:userId/password': { password: 'takeover password 1' },
  'POST /api/v1/pipelines/:pipeline/runs': {},
  'POST /api/v1/runs/:run/cancel': {},
  'PATCH /api/v1/dashboards/:dashboard/presets/:preset': { name: 'ours now', shared: false },
  // Drilled into globex's year (acme's row is in 2023): acme's answer must stay empty. Requests ask
  // for globex's values by a prefix only, never the whole code: acme's audit rightly echoes its own
  // filters, which must not count as a leak.
  'POST /api/v1/dashboards/:dashboard/widgets/:widget/data': {
    drill: ['2024-01-01'],
  },
  'POST /api/v1/dashboards/:dashboard/widgets/:widget/export': {
    format: 'csv',
  },
  'POST /api/v1/exports': {
    dashboard: 'secrets',
    widget: 'list',
    format: 'csv',
  },
  'POST /api/v1/session/organisation': {}, // filled in with globex's organisation id below
  // Acme's admin tries to mute and re-aim globex's alert.
  'PATCH /api/v1/alerts/:id': { mutedUntil: '2030-01-01T00:00:00Z', threshold: 0 },
  // … and to re-aim globex's report at acme's own receiver.
  'PATCH /api/v1/subscriptions/:id': { channel: 'webhook', url: 'https://hooks.acme.example/x' },
  'PUT /api/v1/dashboards/:dashboard/layout': { items: [{ widget: 'total', x: 0, y: 0, w: 3, h: 2 }] },
};
/** Query strings: searches and exports that ask for globex's values by name. */
const QUERIES: Record<string, string> = {
  'GET /api/v1/search': `?q=${encodeURIComponent('globex')}`,
  'GET /api/v1/dashboards/:dashboard/filters/:filter/options': `?search=${encodeURIComponent('globex')}`,
  'GET /api/v1/dashboards/:dashboard/widgets/:widget/export': `?format=csv`,
};
/** Routes that take globex's ids in the query string instead of the path. */
const FOREIGN_QUERIES: Record<string, () => string> = {
  'GET /api/v1/uploads/targets/:target/versions/diff': () => `?from=${globex.version}&to=${globex.version}`,
};

test('every permission is classified: walked for tenant data, or excluded with a reason', () => {
  for (const permission of Object.keys(NOT_TENANT))
    expect(PERMISSIONS, `${permission} is no permission (any more)`).toContain(permission);
  // Each excluded permission still has routes (a stale exclusion would hide a renamed one).
  for (const permission of Object.keys(NOT_TENANT))
    expect(
      app.services.routes.some((r) => r.permission === permission),
      `no route has ${permission}`,
    ).toBe(true);
});

test('every tenant-scoped route refuses another organisation’s ids and leaks none of its rows', async () => {
  const routes = app.services.routes.filter(
    (r) => r.method !== 'HEAD' && NOT_TENANT[r.permission as Permission] === undefined,
  );
  expect(routes.length).toBeGreaterThanOrEqual(50);
  const before = await globexState();
  const leaks = [
    before.users.map((u) => u.id),
    before.users.map((u) => u.email),
    before.tokens.map((t) => t.id),
    before.invitations.map((i) => i.id),
    before.runs.map((r) => r.id),
    before.presets.map((p) => p.id),
    before.presets.map((p) => p.name),
    before.uploads.map((u) => u.id),
    before.exports.map((e) => e.id),
    [
      globex.uploadFile,
      globex.sponsor,
      'hooks.globex.example',
      globex.sessionId,
      globex.organisationId,
      GLOBEX_CODE,
      GLOBEX_MONTH,
    ],
  ]
    .flat()
    .filter((v): v is string => typeof v === 'string' && v.length > 0);
  expect(leaks.length).toBeGreaterThanOrEqual(16);
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
    url += QUERIES[key] ?? FOREIGN_QUERIES[key]?.() ?? '';
    const write = route.method !== 'GET';
    const body =
      key === 'POST /api/v1/session/organisation'
        ? { organisationId: globex.organisationId }
        : (BODIES[key] ?? {});
    const r = await app.inject({
      method: route.method as 'GET',
      url,
      headers: write ? acme.write : acme.read,
      ...(write ? { payload: body } : {}),
    });
    const foreign = params.filter((p) => !PROJECT_PARAMS.has(p));
    if (foreign.length > 0 || FOREIGN_QUERIES[key] || key === 'POST /api/v1/session/organisation') {
      expect([403, 404], `${key} → ${r.statusCode} ${r.body.slice(0, 200)}`).toContain(r.statusCode);
    } else if (route.method === 'GET') {
      expect(r.statusCode, `${key} → ${r.body.slice(0, 200)}`).toBeLessThan(400);
    }
    for (const secret of leaks) expect(r.body, `${key} shows ${secret}`).not.toContain(secret);
    // Acme's admin has saved no layout: globex's own (same dashboard) must not come back as acme's.
    if (key === 'GET /api/v1/dashboards/:dashboard/layout') expect(r.json()).toEqual({ items: null });
    checked.push(key);
  }
  // The walk reached every kind of tenant-owned thing by its id.
  for (const kind of [
    ':userId',
    ':id',
    ':run',
    ':pipeline',
    ':preset',
    ':upload',
    ':version',
    '/exports/:id',
    '/layout',
    '/search',
    '/data',
  ])
    expect(
      checked.some((k) => k.includes(kind)),
      `nothing walked with ${kind}`,
    ).toBe(true);
  expect(checked.filter((k) => k.includes(':')).length).toBeGreaterThanOrEqual(30);
  expect(await globexState()).toEqual(before);
  // The control: the same routes do answer acme's own rows (the walk above is not trivially empty).
  const own = await app.inject({
    method: 'POST',
    url: '/api/v1/dashboards/secrets/widgets/list/data',
    headers: acme.write,
    payload: {},
  });
  expect(own.body).toContain('acme-code-7731');
  const found = await app.inject({ url: '/api/v1/search?q=acme-code', headers: acme.read });
  expect(found.body).toContain('acme-code-7731');
});
