import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loginAs, startApp, type SignedIn, type TestApp } from '../../../test/app-harness.js';
import { createMiniProject } from '../../../test/mini-project.js';
import { storeTargets } from '../../../test/store-targets.js';
import { MAX_LAYOUT_HEIGHT, type DashboardLayout } from '../../../contract/index.js';
import type { Store } from '../../store/store.js';

// Own layouts on both metadata stores: dashboard_user_settings.layout (migration 0006), per
// organisation, user and dashboard; widget ids checked against the dashboard; audited.
const targets = await storeTargets('the layouts API on a PostgreSQL store');

const URL = '/api/v1/dashboards/main/layout';
const LAYOUT = [
  { widget: 'total', x: 6, y: 0, w: 6, h: 3 },
  { widget: 'by_colour', x: 0, y: 0, w: 6, h: 8 },
  { widget: 'list', x: 0, y: 8, w: 12, h: 10 },
];

describe.each(targets)('own layouts on $name', (target) => {
  let store: Store;
  let dispose: () => Promise<void>;
  let app: TestApp;
  let close: () => Promise<void>;
  let editor: SignedIn;
  let viewer: SignedIn;
  let other: SignedIn;

  beforeAll(async () => {
    ({ store, dispose } = await target.open());
    const mini = await createMiniProject();
    ({ app, close } = await startApp(mini.dir, {}, { store }));
    editor = await loginAs(app, { org: 'acme', role: 'editor' });
    viewer = await loginAs(app, { org: 'acme', role: 'viewer' });
    other = await loginAs(app, { org: 'globex', role: 'admin' });
  });
  afterAll(async () => {
    await close?.();
    await dispose?.();
  });

  const get = async (who: SignedIn) => (await who.inject(URL)).json() as DashboardLayout;
  const put = (who: SignedIn, items: unknown, url = URL) =>
    who.inject({ method: 'PUT', url, payload: { items } });
  const audit = (action: string) =>
    store.db.selectFrom('audit_log').selectAll().where('action', '=', action).execute();

  test('none saved: the project’s layout (null); saved: read back for its user only; reset: null again, audited', async () => {
    expect(await get(editor)).toEqual({ items: null });
    const saved = await put(editor, LAYOUT);
    expect(saved.statusCode).toBe(200);
    expect(saved.json()).toEqual({ items: LAYOUT });
    expect(await get(editor)).toEqual({ items: LAYOUT });
    // Another member of the same organisation keeps the project's layout.
    expect(await get(viewer)).toEqual({ items: null });
    expect(JSON.parse((await audit('layout.save')).at(-1)?.detail ?? '{}')).toEqual({ widgets: 3 });

    const reset = await editor.inject({ method: 'DELETE', url: URL });
    expect(reset.statusCode).toBe(204);
    expect(await get(editor)).toEqual({ items: null });
    expect((await audit('layout.reset')).at(-1)).toMatchObject({ target: 'main' });
  });

  test('a viewer may arrange their own view; a reset keeps their default preset', async () => {
    const preset = await viewer.inject({
      method: 'POST',
      url: '/api/v1/dashboards/main/presets',
      payload: { name: 'mine', filters: {} },
    });
    const presetId = (preset.json() as { id: string }).id;
    await viewer.inject({
      method: 'PUT',
      url: '/api/v1/dashboards/main/default-preset',
      payload: { presetId },
    });
    expect((await put(viewer, [{ widget: 'note', x: 0, y: 0, w: 4, h: 2 }])).statusCode).toBe(200);
    expect((await get(viewer)).items).toHaveLength(1);
    expect((await viewer.inject({ method: 'DELETE', url: URL })).statusCode).toBe(204);
    const presets = (await viewer.inject('/api/v1/dashboards/main/presets')).json() as {
      defaultPresetId: string | null;
    };
    expect(presets.defaultPresetId).toBe(presetId);
  });

  test('another organisation neither reads nor changes a member’s layout; unknown dashboards are 404', async () => {
    await put(editor, LAYOUT);
    expect(await get(other)).toEqual({ items: null });
    const theirs = [{ widget: 'list', x: 0, y: 0, w: 3, h: 3 }];
    expect((await put(other, theirs)).statusCode).toBe(200);
    expect((await other.inject({ method: 'DELETE', url: URL })).statusCode).toBe(204);
    // Acme's editor still has theirs, untouched by globex's save and reset.
    expect(await get(editor)).toEqual({ items: LAYOUT });
    for (const r of [
      await editor.inject('/api/v1/dashboards/nope/layout'),
      await put(editor, LAYOUT, '/api/v1/dashboards/nope/layout'),
      await editor.inject({ method: 'DELETE', url: '/api/v1/dashboards/nope/layout' }),
    ])
      expect([r.statusCode, (r.json() as { error: string }).error]).toEqual([404, 'DASHBOARD_NOT_FOUND']);
  });

  test('a stranger is asked to sign in; a write without the CSRF token is refused', async () => {
    expect((await app.inject(URL)).statusCode).toBe(401);
    expect((await app.inject({ method: 'PUT', url: URL, payload: { items: LAYOUT } })).statusCode).toBe(401);
    expect((await app.inject({ method: 'DELETE', url: URL })).statusCode).toBe(401);
    const noCsrf = await app.inject({
      method: 'PUT',
      url: URL,
      headers: { cookie: viewer.cookie },
      payload: { items: LAYOUT },
    });
    expect(noCsrf.statusCode).toBe(403);
  });

  test('only the dashboard’s widget ids, each once, in bounded sizes (400)', async () => {
    const before = await get(editor);
    const unknown = await put(editor, [{ widget: "list') or 1=1 --", x: 0, y: 0, w: 3, h: 3 }]);
    expect([unknown.statusCode, unknown.json().error]).toEqual([400, 'LAYOUT_INVALID']);
    const twice = await put(editor, [LAYOUT[2], LAYOUT[2]]);
    expect([twice.statusCode, twice.json().error]).toEqual([400, 'LAYOUT_INVALID']);
    for (const bad of [
      [{ widget: 'list', x: 8, y: 0, w: 6, h: 3 }], // past the 12th column
      [{ widget: 'list', x: 0, y: 0, w: 0, h: 3 }],
      [{ widget: 'list', x: 0, y: 0, w: 3, h: MAX_LAYOUT_HEIGHT + 1 }],
      [{ widget: 'list', x: -1, y: 0, w: 3, h: 3 }],
      [{ widget: 'list', x: 0.5, y: 0, w: 3, h: 3 }],
      [{ widget: 'list', x: 0, y: 0, w: 3, h: 3, owner: 'someone' }],
      [],
      'list',
    ]) {
      const r = await put(editor, bad);
      expect(r.statusCode, JSON.stringify(bad)).toBe(400);
    }
    // Nothing of the refused writes was kept.
    expect(await get(editor)).toEqual(before);
  });
});
