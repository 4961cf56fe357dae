import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { errorBody } from '../../../contract/index.js';
import { startApp, type TestApp } from '../../../test/app-harness.js';
import { createMiniProject } from '../../../test/mini-project.js';
import { signIn, type SignedIn } from '../../../test/session-helper.js';
import { acceptedMails, startSmtpTestServer, type SmtpTestServer } from '../../../test/smtp-test-server.js';
import { until } from '../../../test/until.js';
import { CLI_CONTEXT } from '../../audit/audit-log.js';

/**
 * The own-password routes as an attacker would try them: a stranger (no session), a viewer of
 * another organisation, and an API token. Whatever they send, the only account that can change is
 * the caller's own, and only with its current password: the routes take no user id, e-mail or
 * organisation to aim at, and the reset link goes to the address's own mailbox, never into an answer.
 */
const PASSWORD = 'correct horse battery staple';
const PUBLIC = 'https://trellis.example.test';
const ORIGIN = { origin: PUBLIC };
let app: TestApp;
let close: () => Promise<void>;
let smtp: SmtpTestServer;
const mails = () => acceptedMails(smtp);

/** Atlas's admin (the account under attack) and Beacon's viewer (the attacker, signed in). */
let beaconViewer: SignedIn;

beforeAll(async () => {
  smtp = await startSmtpTestServer();
  const mini = await createMiniProject();
  ({ app, close } = await startApp(mini.dir, {
    publicOrigin: PUBLIC,
    mail: { smtpUrl: smtp.url, from: 'trellis@example.test', publicOrigin: PUBLIC },
  }));
  const { accounts } = app.services;
  await accounts.createOrganisation('atlas', 'Atlas', CLI_CONTEXT);
  await accounts.createOrganisation('beacon', 'Beacon', CLI_CONTEXT);
  await accounts.createUser(
    { email: 'admin@atlas.example', password: PASSWORD, organisation: 'atlas', role: 'admin' },
    CLI_CONTEXT,
  );
  await accounts.createUser(
    { email: 'viewer@beacon.example', password: PASSWORD, organisation: 'beacon', role: 'viewer' },
    CLI_CONTEXT,
  );
  beaconViewer = await signIn(app, 'viewer@beacon.example', PASSWORD);
});
afterAll(async () => {
  await close?.();
  await smtp?.close();
});

/** Whether `password` signs `email` in now (each check from its own address, so no lockout builds up). */
let probe = 0;
async function signsIn(email: string, password: string): Promise<boolean> {
  const r = await app.inject({
    method: 'POST',
    url: '/api/v1/session',
    headers: ORIGIN,
    payload: { email, password },
    remoteAddress: `10.20.0.${++probe}`,
  });
  return r.statusCode === 200;
}

const changeOwn = (headers: Record<string, string>, payload: Record<string, string>) =>
  app.inject({
    method: 'POST',
    url: '/api/v1/session/password',
    headers: { ...ORIGIN, ...headers },
    payload,
  });

function expectErrorShape(body: unknown, code: string): void {
  expect(errorBody.parse(body)).toMatchObject({ error: code });
}

describe('POST /api/v1/session/password (change own password)', () => {
  test('a stranger without a session: 401 in the error shape, nothing changes', async () => {
    const r = await changeOwn({}, { currentPassword: PASSWORD, newPassword: 'stranger new password' });
    expect(r.statusCode).toBe(401);
    expectErrorShape(r.json(), 'UNAUTHENTICATED');
    const forged = await changeOwn(
      { cookie: 'trellis_session=forged', 'x-csrf-token': 'forged' },
      { currentPassword: PASSWORD, newPassword: 'stranger new password' },
    );
    expect(forged.statusCode).toBe(401);
    expectErrorShape(forged.json(), 'UNAUTHENTICATED');
    expect(await signsIn('admin@atlas.example', PASSWORD)).toBe(true);
  });

  test('a viewer of another organisation cannot aim at anyone but themself', async () => {
    // Naming the target is not part of the request: an extra field is refused, not honoured.
    const aims: Record<string, string>[] = [
      { email: 'admin@atlas.example' },
      { userId: 'whatever' },
      { organisation: 'atlas' },
    ];
    for (const aim of aims) {
      const r = await changeOwn(beaconViewer.write, {
        currentPassword: PASSWORD,
        newPassword: 'taken over password',
        ...aim,
      });
      expect(r.statusCode).toBe(400);
      expectErrorShape(r.json(), 'VALIDATION_FAILED');
    }
    // Atlas's admin shares the password here, but "current password" is checked against the caller's
    // own account only: this changes the viewer's password, and nobody else's.
    const r = await changeOwn(beaconViewer.write, {
      currentPassword: PASSWORD,
      newPassword: 'beacon viewer new password',
    });
    expect(r.statusCode).toBe(204);
    expect(await signsIn('viewer@beacon.example', 'beacon viewer new password')).toBe(true);
    expect(await signsIn('admin@atlas.example', PASSWORD)).toBe(true);
    expect(await signsIn('admin@atlas.example', 'beacon viewer new password')).toBe(false);
    beaconViewer = await signIn(app, 'viewer@beacon.example', 'beacon viewer new password', {
      remoteAddress: '10.21.0.1',
    });
  });

  test('an API token cannot change a password (a browser session only); nothing changes', async () => {
    const minted = await app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: { ...ORIGIN, ...beaconViewer.write },
      payload: { name: 'script', role: 'viewer', expiresInDays: 1 },
    });
    expect(minted.statusCode).toBe(201);
    const bearer = { authorization: `Bearer ${(minted.json() as { secret: string }).secret}` };
    const r = await changeOwn(bearer, {
      currentPassword: 'beacon viewer new password',
      newPassword: 'token chosen password',
    });
    expect(r.statusCode).toBe(403);
    expectErrorShape(r.json(), 'FORBIDDEN');
    expect(await signsIn('viewer@beacon.example', 'beacon viewer new password')).toBe(true);
    expect(await signsIn('viewer@beacon.example', 'token chosen password')).toBe(false);
  });
});

describe('forgot password (POST /api/v1/password-resets, …/confirm)', () => {
  test('asked for another organisation’s admin, by a stranger, a viewer of another organisation or a token: the link goes to that address only', async () => {
    const minted = await app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: { ...ORIGIN, ...beaconViewer.write },
      payload: { name: 'script 2', role: 'viewer', expiresInDays: 1 },
    });
    const bearer = { authorization: `Bearer ${(minted.json() as { secret: string }).secret}` };
    const callers: Record<string, string>[] = [{}, beaconViewer.write, bearer];
    const bodies = new Set<string>();
    for (const [i, headers] of callers.entries()) {
      const r = await app.inject({
        method: 'POST',
        url: '/api/v1/password-resets',
        headers: { ...ORIGIN, ...headers },
        payload: { email: 'admin@atlas.example' },
        remoteAddress: `10.30.0.${i + 1}`,
      });
      expect(r.statusCode).toBe(202);
      bodies.add(r.body);
    }
    // One answer for everyone, and it carries no link or token.
    expect([...bodies]).toEqual([JSON.stringify({ accepted: true })]);
    await until(() => mails().some((m) => m.to === 'admin@atlas.example'));
    // Only the address's own mailbox got a link (the per-address throttle may send fewer than three).
    expect(mails().every((m) => m.to === 'admin@atlas.example')).toBe(true);
    expect(await signsIn('admin@atlas.example', PASSWORD)).toBe(true);
  });

  test('confirming without the mailed link changes nothing, whoever asks', async () => {
    const guessed = 'A'.repeat(43);
    for (const headers of [{}, beaconViewer.write]) {
      const r = await app.inject({
        method: 'POST',
        url: '/api/v1/password-resets/confirm',
        headers: { ...ORIGIN, ...headers },
        payload: { token: guessed, password: 'reset by a guesser' },
      });
      expect(r.statusCode).toBe(400);
      expectErrorShape(r.json(), 'RESET_LINK_INVALID');
    }
    // The confirm route takes the link's token and a password: naming the account is refused.
    const aimed = await app.inject({
      method: 'POST',
      url: '/api/v1/password-resets/confirm',
      headers: ORIGIN,
      payload: { token: guessed, password: 'reset by a guesser', email: 'admin@atlas.example' },
    });
    expect(aimed.statusCode).toBe(400);
    expectErrorShape(aimed.json(), 'VALIDATION_FAILED');
    expect(await signsIn('admin@atlas.example', PASSWORD)).toBe(true);
    expect(await signsIn('admin@atlas.example', 'reset by a guesser')).toBe(false);
  });
});
