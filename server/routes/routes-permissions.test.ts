import { afterAll, beforeAll, expect, test } from 'vitest';
import { startApp, type TestApp } from '../../test/app-harness.js';
import { createMiniProject } from '../../test/mini-project.js';
import { buildApp } from '../app.js';
import { defaultConfig } from '../config/env.js';
import { ruleOf } from '../policies/permissions.js';

let app: TestApp;
let close: () => Promise<void>;

beforeAll(async () => {
  const mini = await createMiniProject();
  ({ app, close } = await startApp(mini.dir));
});
afterAll(async () => close?.());

test('every registered route declares a permission, and the API routes need dashboards:read', () => {
  const routes = app.services.routes;
  const api = routes.filter((r) => r.url.startsWith('/api/v1/dashboards'));
  expect(api.length).toBeGreaterThanOrEqual(4);
  // Exports and presets have their own permissions, needing the same ability (policies/permissions.ts).
  expect(api.filter((r) => ruleOf(r.permission).ability !== 'dashboards:read')).toEqual([]);
  expect(ruleOf('dashboards:export').ability).toBe('dashboards:read');
  // Everything public is listed here on purpose; a new public route must be added knowingly.
  const publicRoutes = routes
    .filter((r) => r.permission === 'public' && r.method !== 'HEAD')
    .map((r) => `${r.method} ${r.url}`);
  expect(publicRoutes.sort()).toEqual([
    'GET /api/v1/openapi.json',
    'GET /healthz',
    'GET /metrics',
    'GET /readyz',
  ]);
  // Open to anyone, on purpose: signing in (password, one-time link) and out.
  const openRoutes = routes
    .filter((r) => ['session:create', 'session:delete'].includes(r.permission) && r.method !== 'HEAD')
    .map((r) => `${r.method} ${r.url}`);
  expect(openRoutes.sort()).toEqual(['DELETE /api/v1/session', 'GET /login/link', 'POST /api/v1/session']);
});

test('registering a route without a permission fails at build time', async () => {
  const bare = await buildApp({
    config: defaultConfig({ webRoot: undefined }),
    project: app.services.project,
    engines: new Map(),
  });
  expect(() => bare.get('/undeclared', async () => 'x')).toThrow(/GET \/undeclared declares no permission/);
  expect(() => bare.get('/declared', { config: { permission: 'public' } }, async () => 'x')).not.toThrow();
  await bare.close();
});
