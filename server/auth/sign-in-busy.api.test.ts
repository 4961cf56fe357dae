import { afterAll, beforeAll, expect, test } from 'vitest';
import { loginAs, startApp, widgetData, type SignedIn, type TestApp } from '../../test/app-harness.js';
import { TEST_PASSWORD } from '../../test/login-as.js';
import { createMiniProject } from '../../test/mini-project.js';
import { limitPasswordWork, passwordWork } from './passwords.js';

// The bound on argon2 work, through the real app: while every slot is taken and the queue is full,
// sign-ins are refused with SIGN_IN_BUSY (not counted as failures), and data requests still answer.
let app: TestApp;
let close: () => Promise<void>;
let viewer: SignedIn;

beforeAll(async () => {
  limitPasswordWork({ concurrency: 1, maxQueued: 0, maxWaitMs: 10_000 });
  const mini = await createMiniProject();
  ({ app, close } = await startApp(mini.dir));
  viewer = await loginAs(app, { org: 'acme', role: 'viewer' });
});
afterAll(() => close?.());

const signIn = () =>
  app.inject({
    method: 'POST',
    url: '/api/v1/session',
    payload: { email: viewer.email, password: TEST_PASSWORD },
  });

test('a sign-in storm beyond the bound gets 503 SIGN_IN_BUSY with Retry-After; data requests still answer', async () => {
  // Another sign-in holds the only slot until the test lets it go.
  let release!: () => void;
  const holding = passwordWork().run(() => new Promise<void>((resolve) => (release = resolve)));

  // More refusals than TRELLIS_LOGIN_MAX_FAILURES (10): a busy server is no wrong password.
  for (let i = 0; i < 12; i++) {
    const refused = await signIn();
    expect(refused.statusCode).toBe(503);
    expect(refused.headers['retry-after']).toBe('1');
    expect(refused.json()).toMatchObject({ error: 'SIGN_IN_BUSY' });
    expect(refused.headers['set-cookie']).toBeUndefined();
  }
  const data = await widgetData(viewer, 'main', 'total');
  expect(data.statusCode).toBe(200);

  release();
  await holding;
  const accepted = await signIn();
  expect(accepted.statusCode).toBe(200);
  expect(passwordWork().inFlight).toBe(0);
});
