import { afterAll, beforeAll, expect, test } from 'vitest';
import { startApp, type TestApp } from '../../../test/app-harness.js';
import { createMiniProject } from '../../../test/mini-project.js';
import { signIn } from '../../../test/session-helper.js';
import { acceptedMails, startSmtpTestServer, type SmtpTestServer } from '../../../test/smtp-test-server.js';
import { until } from '../../../test/until.js';
import { CLI_CONTEXT } from '../../audit/audit-log.js';

/**
 * E-mail with a real SMTP server (smtp-server, in process): invitations are delivered, "Forgot
 * password?" answers the same for known and unknown addresses, mails a single-use link, throttles.
 */
const PASSWORD = 'correct horse battery staple';
const PUBLIC = 'https://trellis.example.test';
let app: TestApp;
let close: () => Promise<void>;
let smtp: SmtpTestServer;
const mails = () => acceptedMails(smtp);

beforeAll(async () => {
  smtp = await startSmtpTestServer();
  const mini = await createMiniProject();
  ({ app, close } = await startApp(mini.dir, {
    publicOrigin: PUBLIC,
    mail: { smtpUrl: smtp.url, from: 'trellis@example.test', publicOrigin: PUBLIC },
  }));
  await app.services.accounts.createOrganisation('acme', 'Acme', CLI_CONTEXT);
  await app.services.accounts.createUser(
    { email: 'ann@acme.example', password: PASSWORD, organisation: 'acme', role: 'admin' },
    CLI_CONTEXT,
  );
});
afterAll(async () => {
  await close?.();
  await smtp?.close();
});

const forgot = (email: string, remoteAddress = '10.7.0.1') =>
  app.inject({ method: 'POST', url: '/api/v1/password-resets', payload: { email }, remoteAddress });

test('invitations are e-mailed with a link on the public URL; the answer carries no link', async () => {
  const admin = await signIn(app, 'ann@acme.example', PASSWORD);
  const r = await app.inject({
    method: 'POST',
    url: '/api/v1/admin/invitations',
    headers: admin.write,
    payload: { email: 'bob@acme.example', role: 'viewer' },
  });
  expect(r.statusCode).toBe(201);
  expect(r.json()).toMatchObject({ delivery: 'email', linkPath: null });
  await until(() => mails().some((m) => m.to === 'bob@acme.example'));
  const mail = mails().find((m) => m.to === 'bob@acme.example');
  expect(mail?.text).toMatch(new RegExp(`${PUBLIC}/invite\\?token=[A-Za-z0-9_-]{43}`));
});

test('forgot password: the same answer for known and unknown addresses; one mail, one-time link', async () => {
  const before = await app.services.store.db.selectFrom('audit_log').select('id').execute();
  const known = await forgot('ann@acme.example');
  const unknown = await forgot('nobody@acme.example');
  expect(known.statusCode).toBe(202);
  expect(unknown.statusCode).toBe(202);
  expect(known.body).toBe(unknown.body);
  const rows = await app.services.store.db
    .selectFrom('audit_log')
    .select(['action', 'outcome'])
    .where('id', '>', Math.max(0, ...before.map((b) => b.id)))
    .execute();
  // One audit row per request.
  expect(rows).toEqual([
    { action: 'password_reset.request', outcome: 'success' },
    { action: 'password_reset.request', outcome: 'success' },
  ]);
  await until(() => mails().some((m) => m.to === 'ann@acme.example'));
  expect(mails().some((m) => m.to === 'nobody@acme.example')).toBe(false);
  const token = /reset-password\?token=([A-Za-z0-9_-]{43})/.exec(
    mails().find((m) => m.to === 'ann@acme.example')?.text ?? '',
  )?.[1];
  expect(token).toBeDefined();
  const live = await signIn(app, 'ann@acme.example', PASSWORD);
  const confirm = (password: string) =>
    app.inject({ method: 'POST', url: '/api/v1/password-resets/confirm', payload: { token, password } });
  expect((await confirm('my reset new password')).statusCode).toBe(204);
  expect((await confirm('my reset new password 2')).json().error).toBe('RESET_LINK_INVALID');
  expect((await app.inject({ url: '/api/v1/session', headers: live.read })).statusCode).toBe(401);
  await signIn(app, 'ann@acme.example', 'my reset new password');
});

test('forgot password is throttled per address (silently) and per client (429)', async () => {
  const sentBefore = mails().filter((m) => m.to === 'ann@acme.example').length;
  for (let i = 0; i < 4; i++) expect((await forgot('ann@acme.example', '10.8.0.1')).statusCode).toBe(202);
  await new Promise((r) => setTimeout(r, 300));
  // 3 per address per window, counting the one of the previous test: at most 2 more sent.
  expect(mails().filter((m) => m.to === 'ann@acme.example').length - sentBefore).toBeLessThanOrEqual(2);
  let last = 0;
  for (let i = 0; i < 101 && last !== 429; i++)
    last = (await forgot(`x${i}@acme.example`, '10.9.0.1')).statusCode;
  expect(last).toBe(429);
});
