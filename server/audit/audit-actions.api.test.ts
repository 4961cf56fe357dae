import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { tablePipelines } from '../../test/fixtures/test-pipelines.mjs';
import { startApp, type TestApp } from '../../test/app-harness.js';
import { createMiniProject } from '../../test/mini-project.js';
import { invite, inviteNewMember } from '../../test/invite-helper.js';
import { signIn, type SignedIn } from '../../test/session-helper.js';
import { AUDIT_ACTIONS, CLI_CONTEXT, type AuditAction } from './audit-log.js';
import { trustedOrganisationId } from '../policies/tenant.js';

const PASSWORD = 'correct horse battery staple';
let app: TestApp;
let close: () => Promise<void>;
let admin: SignedIn;
let n = 0;

beforeAll(async () => {
  const mini = await createMiniProject();
  mkdirSync(path.join(mini.dir, 'uploads'));
  writeFileSync(
    path.join(mini.dir, 'uploads', 'targets.yaml'),
    'title: T\ntarget: main\ntable: t\ntenant_column: org\ncolumns: { a: { type: VARCHAR } }\n',
  );
  const pipelines = tablePipelines({
    dbFile: path.join(mkdtempSync(path.join(tmpdir(), 'trellis-audit-')), 'warehouse.sqlite'),
    pipelines: [{ id: 'nightly', organisation: 'acme', pages: 1 }],
  });
  ({ app, close } = await startApp(
    mini.dir,
    {
      uploads: { tempDir: mkdtempSync(path.join(tmpdir(), 'trellis-audit-uploads-')) },
      // Every counted export is a job here (no worker runs: jobs wait until a case performs one).
      exports: {
        dir: mkdtempSync(path.join(tmpdir(), 'trellis-audit-exports-')),
        jobRows: 0,
        keepMs: 60_000,
      },
    },
    { pipelines },
  ));
  await app.services.accounts.createOrganisation('acme', 'Acme', CLI_CONTEXT);
  await app.services.accounts.createOrganisation('other', 'Other', CLI_CONTEXT);
  await app.services.accounts.createUser(
    { email: 'admin@example.com', password: PASSWORD, organisation: 'acme', role: 'admin' },
    CLI_CONTEXT,
  );
  admin = await signIn(app, 'admin@example.com', PASSWORD);
});
afterAll(async () => close?.());

/** A fresh member of acme (its own email each time) and their user id. */
async function newMember(
  role: 'viewer' | 'editor' | 'admin' = 'viewer',
): Promise<{ email: string; userId: string }> {
  return inviteNewMember(app, admin, `u${++n}@example.com`, role, PASSWORD);
}

const rows = () =>
  app.services.store.db.selectFrom('audit_log').select(['id', 'action', 'outcome']).orderBy('id').execute();

/**
 * Each case prepares what it needs, then does the one action; the log must grow by exactly one row,
 * of that action and outcome.
 */
interface Case {
  readonly action: AuditAction;
  readonly outcome?: 'success' | 'failure' | 'locked_out';
  readonly name: string;
  /** The HTTP status the act is answered with; none for service and CLI calls (they return no response). */
  readonly status?: number;
  prepare?(): Promise<unknown>;
  act(prepared: unknown): Promise<unknown>;
}

const api = (
  method: 'POST' | 'PATCH' | 'PUT' | 'DELETE' | 'GET',
  url: string,
  who: SignedIn,
  payload?: object,
) =>
  app.inject({
    method,
    url,
    headers: method === 'GET' ? who.read : who.write,
    ...(payload ? { payload } : {}),
  });

const upload = (fileName: string, content: string) =>
  app.inject({
    method: 'POST',
    url: '/api/v1/uploads/targets/targets/uploads',
    headers: { ...admin.write, 'content-type': 'multipart/form-data; boundary=b0undary' },
    payload:
      `--b0undary\r\nContent-Disposition: form-data; name="file"; filename="${fileName}"\r\n\r\n` +
      `${content}\r\n--b0undary--\r\n`,
  });

/**
 * An import as the API asks for it (202, the upload queued) and the worker's part performed here
 * (this app runs no worker): the worker writes the upload.import row.
 */
const importNow = async (id: string) => {
  const asked = await api('POST', `/api/v1/uploads/${id}/import`, admin, {});
  const row = await app.services.store.db
    .selectFrom('uploads')
    .select(['uploaded_by', 'import_job'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
  await app.services.uploads.runImport(
    { uploadId: id, actor: row.uploaded_by, ip: null, requestId: null },
    { id: row.import_job ?? 'j', attempt: 1, maxAttempts: 3 },
  );
  return asked;
};

const CASES: Case[] = [
  { action: 'login', name: 'login success', act: () => signIn(app, 'admin@example.com', PASSWORD) },
  {
    action: 'login',
    outcome: 'failure',
    name: 'login failure',
    status: 401,
    act: () =>
      app.inject({
        method: 'POST',
        url: '/api/v1/session',
        payload: { email: 'admin@example.com', password: 'nope' },
        remoteAddress: '10.1.0.1',
      }),
  },
  {
    action: 'login',
    outcome: 'locked_out',
    name: 'login lockout',
    status: 429,
    prepare: async () => {
      const m = await newMember();
      for (let i = 0; i < 10; i++)
        await app.inject({
          method: 'POST',
          url: '/api/v1/session',
          payload: { email: m.email, password: 'nope' },
          remoteAddress: '10.2.0.1',
        });
      return m;
    },
    act: (m) =>
      app.inject({
        method: 'POST',
        url: '/api/v1/session',
        payload: { email: (m as { email: string }).email, password: PASSWORD },
        remoteAddress: '10.2.0.1',
      }),
  },
  {
    action: 'login',
    name: 'login by one-time link',
    status: 303,
    prepare: () => app.services.loginLinks.mint('admin@example.com', 'acme'),
    act: (token) => app.inject({ url: `/login/link?token=${token as string}` }),
  },
  {
    action: 'logout',
    name: 'logout',
    status: 204,
    prepare: () => signIn(app, 'admin@example.com', PASSWORD),
    act: (s) => api('DELETE', '/api/v1/session', s as SignedIn),
  },
  {
    action: 'session.revoke',
    name: 'revoke one session',
    status: 204,
    prepare: async () => {
      await signIn(app, 'admin@example.com', PASSWORD, { userAgent: 'to-revoke' });
      const list = (await api('GET', '/api/v1/session/sessions', admin)).json().sessions as {
        id: string;
        userAgent: string;
      }[];
      return list.find((s) => s.userAgent === 'to-revoke')?.id;
    },
    act: (id) => api('DELETE', `/api/v1/session/sessions/${id as string}`, admin),
  },
  {
    action: 'session.revoke',
    name: 'revoke all other sessions',
    status: 204,
    prepare: () =>
      Promise.all([signIn(app, 'admin@example.com', PASSWORD), signIn(app, 'admin@example.com', PASSWORD)]),
    act: () => api('DELETE', '/api/v1/session/sessions', admin),
  },
  {
    action: 'organisation.switch',
    name: 'switch organisation',
    status: 200,
    prepare: async () => {
      const m = await newMember();
      const other = await app.services.accounts.listOrganisations();
      const otherId = other.find((o) => o.slug === 'other')?.id as string;
      await app.services.accounts.addMembership(m.email, 'other', 'viewer', CLI_CONTEXT);
      return { who: await signIn(app, m.email, PASSWORD), otherId };
    },
    act: (p) => {
      const { who, otherId } = p as { who: SignedIn; otherId: string };
      return api('POST', '/api/v1/session/organisation', who, { organisationId: otherId });
    },
  },
  {
    action: 'organisation.create',
    name: 'organisation create (CLI)',
    act: () => app.services.accounts.createOrganisation(`org${++n}`, 'X', CLI_CONTEXT),
  },
  {
    action: 'organisation.rename',
    name: 'organisation rename',
    status: 200,
    act: () => api('PATCH', '/api/v1/admin/organisation', admin, { name: `Acme ${++n}` }),
  },
  {
    action: 'user.create',
    name: 'user create (a new account through an invitation)',
    status: 201,
    prepare: () => invite(app, admin, `new${++n}@example.com`, 'viewer'),
    act: (token) =>
      app.inject({
        method: 'POST',
        url: '/api/v1/invitations/register',
        payload: { token: token as string, password: PASSWORD },
      }),
  },
  {
    action: 'user.create',
    name: 'user create (CLI)',
    act: () =>
      app.services.accounts.createUser(
        { email: `cli${++n}@example.com`, password: PASSWORD, organisation: 'acme', role: 'viewer' },
        CLI_CONTEXT,
      ),
  },
  {
    action: 'user.disable',
    name: 'user disable',
    status: 200,
    prepare: () => newMember(),
    act: (m) =>
      api('PATCH', `/api/v1/admin/members/${(m as { userId: string }).userId}`, admin, { disabled: true }),
  },
  {
    action: 'user.enable',
    name: 'user enable',
    status: 200,
    prepare: async () => {
      const m = await newMember();
      await api('PATCH', `/api/v1/admin/members/${m.userId}`, admin, { disabled: true });
      return m;
    },
    act: (m) =>
      api('PATCH', `/api/v1/admin/members/${(m as { userId: string }).userId}`, admin, { disabled: false }),
  },
  {
    action: 'user.password_reset',
    name: 'password reset (API)',
    status: 204,
    prepare: () => newMember(),
    act: (m) =>
      api('POST', `/api/v1/admin/members/${(m as { userId: string }).userId}/password`, admin, {
        password: 'another long password',
      }),
  },
  {
    action: 'user.password_reset',
    name: 'password reset (CLI)',
    prepare: () => newMember(),
    act: (m) =>
      app.services.accounts.resetPassword(
        (m as { email: string }).email,
        'another long password',
        CLI_CONTEXT,
      ),
  },
  {
    action: 'membership.add',
    name: 'membership add (CLI, existing user)',
    prepare: async () => {
      const email = `ext${++n}@example.com`;
      await app.services.accounts.createUser(
        { email, password: PASSWORD, organisation: 'other', role: 'viewer' },
        CLI_CONTEXT,
      );
      return email;
    },
    act: (email) => app.services.accounts.addMembership(email as string, 'acme', 'editor', CLI_CONTEXT),
  },
  {
    action: 'invitation.create',
    name: 'invitation create',
    status: 201,
    act: () =>
      api('POST', '/api/v1/admin/invitations', admin, { email: `inv${++n}@example.com`, role: 'viewer' }),
  },
  {
    action: 'invitation.revoke',
    name: 'invitation revoke',
    status: 204,
    prepare: async () =>
      (
        await api('POST', '/api/v1/admin/invitations', admin, {
          email: `rev${++n}@example.com`,
          role: 'viewer',
        })
      ).json().invitation.id,
    act: (id) => api('DELETE', `/api/v1/admin/invitations/${id as string}`, admin),
  },
  {
    action: 'invitation.accept',
    name: 'invitation accepted by an existing user, signed in',
    status: 200,
    prepare: async () => {
      const email = `acc${++n}@example.com`;
      await app.services.accounts.createUser(
        { email, password: PASSWORD, organisation: 'other', role: 'viewer' },
        CLI_CONTEXT,
      );
      return { token: await invite(app, admin, email, 'editor'), who: await signIn(app, email, PASSWORD) };
    },
    act: (p) => {
      const { token, who } = p as { token: string; who: SignedIn };
      return api('POST', '/api/v1/invitations/accept', who, { token });
    },
  },
  {
    action: 'user.password_change',
    name: 'own password change',
    status: 204,
    prepare: async () => {
      const m = await newMember();
      return signIn(app, m.email, PASSWORD);
    },
    act: (who) =>
      api('POST', '/api/v1/session/password', who as SignedIn, {
        currentPassword: PASSWORD,
        newPassword: 'my own new password',
      }),
  },
  {
    action: 'user.password_change',
    outcome: 'failure',
    name: 'own password change, wrong current password',
    status: 403,
    prepare: async () => {
      const m = await newMember();
      return signIn(app, m.email, PASSWORD);
    },
    act: (who) =>
      api('POST', '/api/v1/session/password', who as SignedIn, {
        currentPassword: 'not my password',
        newPassword: 'my own new password',
      }),
  },
  {
    action: 'membership.change',
    name: 'membership role change',
    status: 200,
    prepare: () => newMember(),
    act: (m) =>
      api('PATCH', `/api/v1/admin/members/${(m as { userId: string }).userId}`, admin, { role: 'editor' }),
  },
  {
    action: 'membership.remove',
    name: 'membership remove',
    status: 204,
    prepare: () => newMember(),
    act: (m) => api('DELETE', `/api/v1/admin/members/${(m as { userId: string }).userId}`, admin),
  },
  {
    action: 'token.create',
    name: 'token create',
    status: 201,
    act: () => api('POST', '/api/v1/tokens', admin, { name: 't', role: 'viewer', expiresInDays: 3 }),
  },
  {
    action: 'token.revoke',
    name: 'token revoke',
    status: 204,
    prepare: async () =>
      (await api('POST', '/api/v1/tokens', admin, { name: 't', role: 'viewer', expiresInDays: 3 })).json().id,
    act: (id) => api('DELETE', `/api/v1/tokens/${id as string}`, admin),
  },
  {
    action: 'audit.export',
    name: 'audit export',
    status: 200,
    act: () => api('GET', '/api/v1/audit.csv', admin),
  },
  // No worker runs in this app: a started run stays queued, and cancelling it ends it at once.
  {
    action: 'pipeline.run',
    name: 'pipeline run',
    status: 202,
    act: () => api('POST', '/api/v1/pipelines/nightly/runs', admin, {}),
  },
  {
    action: 'run.cancel',
    name: 'run cancel',
    status: 202,
    prepare: async () =>
      (await api('POST', '/api/v1/pipelines/nightly/runs', admin, { queueIfRunning: true })).json().id,
    act: (id) => api('POST', `/api/v1/runs/${id as string}/cancel`, admin, {}),
  },
  { action: 'upload.receive', name: 'upload received', status: 201, act: () => upload('a.csv', 'a\n1\n') },
  {
    action: 'upload.reject',
    outcome: 'failure',
    name: 'upload rejected',
    status: 400,
    act: () => upload('a.csv', ''),
  },
  {
    action: 'upload.import',
    name: 'upload imported',
    status: 202,
    prepare: async () => (await upload('a.csv', 'a\n1\n')).json().id,
    act: (id) => importNow(id as string),
  },
  {
    action: 'upload.rollback',
    name: 'upload rolled back',
    status: 200,
    prepare: async () => {
      const versions: number[] = [];
      for (const content of ['a\n1\n', 'a\n2\n']) {
        const id = (await upload('a.csv', content)).json().id as string;
        await importNow(id);
        const row = await app.services.store.db
          .selectFrom('upload_versions')
          .select('version')
          .where('upload_id', '=', id)
          .executeTakeFirstOrThrow();
        versions.push(Number(row.version));
      }
      return versions[0];
    },
    act: (version) =>
      api('POST', `/api/v1/uploads/targets/targets/versions/${version as number}/rollback`, admin, {}),
  },
  {
    action: 'widget.export',
    name: 'widget export',
    status: 200,
    act: () => api('GET', '/api/v1/dashboards/main/widgets/list/export?format=csv', admin),
  },
  {
    action: 'preset.create',
    name: 'preset saved',
    status: 201,
    act: () => api('POST', '/api/v1/dashboards/main/presets', admin, { name: 'p', filters: {} }),
  },
  {
    action: 'preset.update',
    name: 'preset renamed',
    status: 200,
    prepare: () => newPreset(),
    act: (id) => api('PATCH', `/api/v1/dashboards/main/presets/${String(id)}`, admin, { name: 'q' }),
  },
  {
    action: 'preset.delete',
    name: 'preset deleted',
    status: 204,
    prepare: () => newPreset(),
    act: (id) => api('DELETE', `/api/v1/dashboards/main/presets/${String(id)}`, admin),
  },
  {
    action: 'preset.default',
    name: 'default preset chosen',
    status: 204,
    prepare: () => newPreset(),
    act: (id) => api('PUT', '/api/v1/dashboards/main/default-preset', admin, { presetId: id as string }),
  },
  {
    action: 'layout.save',
    name: 'own layout saved',
    status: 200,
    act: () =>
      api('PUT', '/api/v1/dashboards/main/layout', admin, {
        items: [{ widget: 'list', x: 0, y: 0, w: 6, h: 4 }],
      }),
  },
  {
    action: 'layout.reset',
    name: 'own layout reset',
    status: 204,
    act: () => api('DELETE', '/api/v1/dashboards/main/layout', admin),
  },
  { action: 'export.request', name: 'export job requested', act: () => startExport() },
  {
    action: 'export.cancel',
    name: 'export job cancelled',
    status: 200,
    prepare: startExport,
    act: (id) => api('POST', `/api/v1/exports/${id as string}/cancel`, admin, {}),
  },
  {
    action: 'export.download',
    name: 'export file downloaded',
    status: 200,
    prepare: async () => {
      const id = await startExport();
      // The worker's part, performed here: it writes the file (and its own widget.export row).
      await app.services.exportJobs.execute(id, {
        signal: new AbortController().signal,
        job: { id: 'j', name: 'export-file', payload: { exportId: id }, attempt: 1, maxAttempts: 1 },
      });
      return id;
    },
    act: (id) => api('GET', `/api/v1/exports/${id as string}/download`, admin),
  },
  {
    action: 'subscription.create',
    name: 'report subscription made',
    status: 201,
    act: () => newSubscriptionResponse(),
  },
  {
    action: 'subscription.update',
    name: 'report subscription edited (schedule)',
    status: 200,
    prepare: () => newSubscription(),
    act: (id) => api('PATCH', `/api/v1/subscriptions/${id as string}`, admin, { schedule: '0 9 * * 1' }),
  },
  {
    action: 'subscription.pause',
    name: 'report subscription paused',
    status: 200,
    prepare: () => newSubscription(),
    act: (id) => api('POST', `/api/v1/subscriptions/${id as string}/pause`, admin, {}),
  },
  {
    action: 'subscription.resume',
    name: 'report subscription resumed',
    status: 200,
    prepare: () => newSubscription(),
    act: (id) => api('POST', `/api/v1/subscriptions/${id as string}/resume`, admin, {}),
  },
  {
    action: 'subscription.delete',
    name: 'report subscription deleted',
    status: 204,
    prepare: () => newSubscription(),
    act: (id) => api('DELETE', `/api/v1/subscriptions/${id as string}`, admin),
  },
  {
    action: 'report.deliver',
    outcome: 'failure',
    name: 'report delivery (refused: the name resolves to loopback)',
    prepare: async () => {
      const id = await newSubscription();
      // Its tick has come: the worker's poll makes the delivery row (no worker runs here).
      await app.services.store.db
        .updateTable('report_subscriptions')
        .set({ next_run_at: Date.now() - 1_000 })
        .where('id', '=', id)
        .execute();
      await app.services.subscriptions.enqueueDue();
      const [delivery] = await app.services.subscriptions.table.deliveries(
        trustedOrganisationId(await acmeId()),
        id,
      );
      return delivery?.id;
    },
    act: (id) =>
      app.services.subscriptions.deliver(id as string, {
        signal: new AbortController().signal,
        job: {
          id: 'j',
          name: 'deliver-report',
          payload: { deliveryId: id as string },
          attempt: 1,
          maxAttempts: 1,
        },
      }),
  },
  {
    action: 'alert.create',
    name: 'alert made',
    status: 201,
    act: () => newAlertResponse(),
  },
  {
    action: 'alert.update',
    name: 'alert changed (muted)',
    status: 200,
    prepare: () => newAlert(),
    act: (id) =>
      api('PATCH', `/api/v1/alerts/${id as string}`, admin, { mutedUntil: '2030-01-01T00:00:00Z' }),
  },
  {
    action: 'alert.delete',
    name: 'alert deleted',
    status: 204,
    prepare: () => newAlert(),
    act: (id) => api('DELETE', `/api/v1/alerts/${id as string}`, admin),
  },
  {
    action: 'alert.fire',
    name: 'alert fired (the worker’s check; its notification job waits, no worker runs)',
    prepare: async () => {
      const id = await newAlert();
      await app.services.store.db
        .updateTable('alert_rules')
        .set({ next_check_at: Date.now() - 1_000 })
        .where('id', '=', id)
        .execute();
      return id;
    },
    act: () => app.services.alerts.checkDue(),
  },
  {
    action: 'alert.resolve',
    name: 'alert resolved (the worker’s check)',
    prepare: async () => {
      const id = await newAlert();
      const due = () =>
        app.services.store.db
          .updateTable('alert_rules')
          .set({ next_check_at: Date.now() - 1_000 })
          .where('id', '=', id)
          .execute();
      await due();
      await app.services.alerts.checkDue();
      // Below a huge number fired; below a hugely negative one resolves.
      await app.services.store.db
        .updateTable('alert_rules')
        .set({ threshold: -1e12 })
        .where('id', '=', id)
        .execute();
      await due();
      return id;
    },
    act: () => app.services.alerts.checkDue(),
  },
];

/** An alert on the main dashboard's KPI that fires on its first check (any count is below 1e12). */
function newAlertResponse() {
  return api('POST', '/api/v1/alerts', admin, {
    dashboard: 'main',
    widget: 'total',
    condition: 'below',
    threshold: 1e12,
    everyMinutes: 60,
    channel: 'webhook',
    url: 'http://localhost/hook',
  });
}

async function newAlert(): Promise<string> {
  return ((await newAlertResponse()).json() as { alert: { id: string } }).alert.id;
}

/** A webhook subscription to a name (judged after DNS on delivery: localhost is refused then). */
function newSubscriptionResponse() {
  return api('POST', '/api/v1/subscriptions', admin, {
    dashboard: 'main',
    widget: 'list',
    format: 'csv',
    schedule: '0 8 * * *',
    timeZone: 'UTC',
    channel: 'webhook',
    url: 'http://localhost/hook',
  });
}

async function newSubscription(): Promise<string> {
  return ((await newSubscriptionResponse()).json() as { subscription: { id: string } }).subscription.id;
}

async function acmeId(): Promise<string> {
  const row = await app.services.store.db
    .selectFrom('organisations')
    .select('id')
    .where('slug', '=', 'acme')
    .executeTakeFirstOrThrow();
  return row.id;
}

async function newPreset(): Promise<string> {
  const res = await api('POST', '/api/v1/dashboards/main/presets', admin, { name: `p${++n}`, filters: {} });
  return (res.json() as { id: string }).id;
}

/** Queues an export job of the main list (every export is a job in this app); its id. */
async function startExport(): Promise<string> {
  const r = await api('POST', '/api/v1/exports', admin, { dashboard: 'main', widget: 'list', format: 'csv' });
  return (r.json() as { export: { id: string } }).export.id;
}

describe('every audited action writes exactly one row', () => {
  test.each(CASES)('$name → one "$action" row', async (c) => {
    const prepared = c.prepare ? await c.prepare() : undefined;
    const before = await rows();
    const result = (await c.act(prepared)) as { statusCode?: number } | undefined;
    expect(result?.statusCode ?? 'no response').toBe(c.status ?? 'no response');
    const added = (await rows()).slice(before.length);
    expect(added.map((r) => [r.action, r.outcome])).toEqual([[c.action, c.outcome ?? 'success']]);
  });

  test('every action in AUDIT_ACTIONS has a case above', () => {
    // Needs an SMTP server: its one-row case is in server/routes/session/password-reset.api.test.ts.
    const covered = new Set<AuditAction>([...CASES.map((c) => c.action), 'password_reset.request']);
    expect(AUDIT_ACTIONS.filter((a) => !covered.has(a))).toEqual([]);
  });

  test('refused requests write nothing (CSRF, role, validation)', async () => {
    const before = (await rows()).length;
    await api('PATCH', '/api/v1/admin/organisation', { ...admin, write: admin.read }, { name: 'x' });
    await api('POST', '/api/v1/tokens', admin, { name: '', role: 'viewer', expiresInDays: 0 });
    expect((await rows()).length).toBe(before);
  });
});
