import { afterAll, beforeAll, expect, test } from 'vitest';
import { loginAs, startApp, type SignedIn, type TestApp } from '../../../test/app-harness.js';
import { createMiniProject } from '../../../test/mini-project.js';

/**
 * The operator's default: no address range opened to webhooks. An alert's webhook to loopback, the
 * cloud metadata address or a private network is refused when the rule is saved (names are judged
 * again after DNS on every notification, as report deliveries are: webhook-client.test.ts).
 */
let app: TestApp;
let close: () => Promise<void>;
let viewer: SignedIn;

beforeAll(async () => {
  const mini = await createMiniProject();
  ({ app, close } = await startApp(mini.dir));
  viewer = await loginAs(app, { org: 'acme', role: 'viewer' });
}, 60_000);
afterAll(async () => close?.());

test.each([
  'http://127.0.0.1/hook',
  'http://127.0.0.1:8080/internal',
  'http://169.254.169.254/latest/meta-data/',
  'http://[::1]/hook',
  'http://192.168.1.10/hook',
  'http://2130706433/hook',
])('an alert webhook to %s is refused', async (url) => {
  const r = await viewer.inject({
    method: 'POST',
    url: '/api/v1/alerts',
    payload: {
      dashboard: 'main',
      widget: 'total',
      condition: 'above',
      threshold: 1,
      everyMinutes: 5,
      channel: 'webhook',
      url,
    },
  });
  expect(r.statusCode).toBe(400);
  expect((r.json() as { error: string }).error).toBe('WEBHOOK_URL_FORBIDDEN');
  expect((await viewer.inject('/api/v1/alerts')).json()).toEqual({ alerts: [] });
});

test('a public address is taken (the control: the refusals above are not every webhook refused)', async () => {
  const r = await viewer.inject({
    method: 'POST',
    url: '/api/v1/alerts',
    payload: {
      dashboard: 'main',
      widget: 'total',
      condition: 'above',
      threshold: 1,
      everyMinutes: 5,
      channel: 'webhook',
      url: 'https://hooks.example.com/alerts',
    },
  });
  expect(r.statusCode, r.body).toBe(201);
  expect((r.json() as { webhookSecret: string }).webhookSecret).toMatch(/^[A-Za-z0-9_-]{40,}$/);
});
