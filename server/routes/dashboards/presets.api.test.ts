import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loginAs, startApp, type SignedIn, type TestApp } from '../../../test/app-harness.js';
import { createMiniProject } from '../../../test/mini-project.js';
import { storeTargets } from '../../../test/store-targets.js';
import { MAX_OWN_PRESETS, type FilterPreset, type PresetList } from '../../../contract/index.js';
import type { Store } from '../../store/store.js';
import { trustedOrganisationId } from '../../policies/tenant.js';

// The presets API on both metadata stores: migration 0006's tables, its cascades and the tenant scope.
const targets = await storeTargets('the presets API on a PostgreSQL store');

const BASE = '/api/v1/dashboards/main/presets';
const GREEN = { colour: ['green'], price: { min: 3 } };

describe.each(targets)('presets on $name', (target) => {
  let store: Store;
  let dispose: () => Promise<void>;
  let app: TestApp;
  let close: () => Promise<void>;
  let editor: SignedIn;
  let viewer: SignedIn;
  let admin: SignedIn;
  let other: SignedIn;

  beforeAll(async () => {
    ({ store, dispose } = await target.open());
    const mini = await createMiniProject();
    ({ app, close } = await startApp(mini.dir, {}, { store }));
    editor = await loginAs(app, { org: 'acme', role: 'editor' });
    viewer = await loginAs(app, { org: 'acme', role: 'viewer' });
    admin = await loginAs(app, { org: 'acme', role: 'admin' });
    other = await loginAs(app, { org: 'globex', role: 'admin' });
  });
  afterAll(async () => {
    await close?.();
    await dispose?.();
  });

  const create = (who: SignedIn, body: object, url = BASE) =>
    who.inject({ method: 'POST', url, payload: body });
  const list = async (who: SignedIn) => (await who.inject(BASE)).json() as PresetList;
  const audit = (action: string) =>
    store.db.selectFrom('audit_log').selectAll().where('action', '=', action).execute();

  test('a personal preset: saved with checked values, listed for its owner only, audited', async () => {
    const res = await create(editor, { name: '  Green, from 3  ', filters: { ...GREEN, q: '' } });
    expect(res.statusCode).toBe(201);
    const preset = res.json() as FilterPreset;
    expect(preset).toMatchObject({
      name: 'Green, from 3',
      shared: false,
      mine: true,
      editable: true,
      // The empty text filter is no filter: not kept.
      filters: GREEN,
      dropped: [],
    });
    expect(preset.id).toMatch(/^prs_[A-Za-z0-9_-]{22}$/);
    expect((await list(editor)).presets.map((p) => p.id)).toContain(preset.id);
    expect((await list(viewer)).presets.map((p) => p.id)).not.toContain(preset.id);
    expect((await viewer.inject(`${BASE}/${preset.id}`)).statusCode).toBe(404);
    const rows = await audit('preset.create');
    expect(rows.at(-1)).toMatchObject({ target: 'main', organisation_id: expect.any(String) });
    expect(JSON.parse(rows.at(-1)?.detail ?? '{}')).toMatchObject({ preset: preset.id, shared: false });
  });

  test('shared by an editor: a viewer of the same organisation sees and applies it, cannot change it', async () => {
    const preset = (
      await create(editor, { name: 'Team view', filters: GREEN, shared: true })
    ).json() as FilterPreset;
    const seen = (await list(viewer)).presets.find((p) => p.id === preset.id);
    expect(seen).toMatchObject({ shared: true, mine: false, editable: false, filters: GREEN });
    const applied = await viewer.inject(`${BASE}/${preset.id}`);
    expect(applied.statusCode).toBe(200);
    expect((applied.json() as FilterPreset).filters).toEqual(GREEN);
    // Visible, so a refusal says why (no oracle: they already know it exists).
    const del = await viewer.inject({ method: 'DELETE', url: `${BASE}/${preset.id}` });
    expect(del.statusCode).toBe(403);
    const rename = await viewer.inject({
      method: 'PATCH',
      url: `${BASE}/${preset.id}`,
      payload: { name: 'x' },
    });
    expect(rename.statusCode).toBe(403);
    // An admin may tidy the organisation's shared list.
    const byAdmin = await admin.inject({
      method: 'PATCH',
      url: `${BASE}/${preset.id}`,
      payload: { name: 'Team' },
    });
    expect(byAdmin.statusCode).toBe(200);
    expect((byAdmin.json() as FilterPreset).name).toBe('Team');
  });

  test('a viewer keeps personal presets but cannot share one, not even by renaming it shared', async () => {
    const refused = await create(viewer, { name: 'Mine', filters: GREEN, shared: true });
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ error: 'FORBIDDEN' });
    const own = await create(viewer, { name: 'Mine', filters: GREEN });
    expect(own.statusCode).toBe(201);
    const id = (own.json() as FilterPreset).id;
    const share = await viewer.inject({ method: 'PATCH', url: `${BASE}/${id}`, payload: { shared: true } });
    expect(share.statusCode).toBe(403);
    expect((await list(editor)).presets.map((p) => p.id)).not.toContain(id);
  });

  test('another organisation cannot see, apply, change, delete or default to a preset (404, as for no preset)', async () => {
    const preset = (
      await create(editor, { name: 'Acme only', filters: GREEN, shared: true })
    ).json() as FilterPreset;
    const never = 'prs_AAAAAAAAAAAAAAAAAAAAAA';
    expect((await list(other)).presets.map((p) => p.id)).not.toContain(preset.id);
    for (const id of [preset.id, never]) {
      const answers = [
        await other.inject(`${BASE}/${id}`),
        await other.inject({ method: 'PATCH', url: `${BASE}/${id}`, payload: { name: 'mine now' } }),
        await other.inject({ method: 'DELETE', url: `${BASE}/${id}` }),
        await other.inject({
          method: 'PUT',
          url: '/api/v1/dashboards/main/default-preset',
          payload: { presetId: id },
        }),
      ];
      // The same status and body for the existing preset as for one that never existed.
      expect(answers.map((r) => [r.statusCode, (r.json() as { error: string }).error])).toEqual([
        [404, 'PRESET_NOT_FOUND'],
        [404, 'PRESET_NOT_FOUND'],
        [404, 'PRESET_NOT_FOUND'],
        [404, 'PRESET_NOT_FOUND'],
      ]);
    }
    // Still there, unchanged, for its organisation.
    expect((await editor.inject(`${BASE}/${preset.id}`)).json()).toMatchObject({ name: 'Acme only' });
    // A preset is bound to its dashboard too: another dashboard's path does not find it.
    const elsewhere = await editor.inject(`/api/v1/dashboards/nope/presets/${preset.id}`);
    expect(elsewhere.statusCode).toBe(404);
  });

  test('a stranger is asked to sign in; a write without the CSRF token is refused', async () => {
    expect((await app.inject(BASE)).statusCode).toBe(401);
    const anon = await app.inject({ method: 'POST', url: BASE, payload: { name: 'x', filters: {} } });
    expect(anon.statusCode).toBe(401);
    const noCsrf = await app.inject({
      method: 'POST',
      url: BASE,
      headers: { cookie: editor.cookie },
      payload: { name: 'x', filters: {} },
    });
    expect(noCsrf.statusCode).toBe(403);
  });

  test('presets hold only the dashboard’s filter ids and values that fit them', async () => {
    const unknown = await create(editor, { name: 'x', filters: { "colour') or 1=1 --": ['a'] } });
    expect(unknown.json()).toMatchObject({ error: 'UNKNOWN_FILTER' });
    const wrong = await create(editor, { name: 'x', filters: { price: ['not', 'a', 'range'] } });
    expect(wrong.json()).toMatchObject({ error: 'INVALID_FILTER_VALUE' });
    const noName = await create(editor, { name: '   ', filters: {} });
    expect(noName.statusCode).toBe(400);
    const extra = await create(editor, { name: 'x', filters: {}, owner: 'someone' });
    expect(extra.statusCode).toBe(400);
    const big = await create(editor, {
      name: 'big',
      filters: { colour: Array.from({ length: 500 }, (_, i) => `${'v'.repeat(80)}${i}`) },
    });
    expect([big.statusCode, big.json()]).toEqual([
      413,
      expect.objectContaining({ error: 'PRESET_TOO_LARGE' }),
    ]);
  });

  test('applying re-checks against the dashboard as it is now: a removed filter is dropped and named', async () => {
    const preset = (await create(editor, { name: 'Old', filters: GREEN })).json() as FilterPreset;
    const dashboard = app.services.project.dashboards.get('main');
    if (!dashboard) throw new Error('no main dashboard');
    const without = { ...dashboard, filters: dashboard.filters.filter((f) => f.id !== 'price') };
    const session = { organisationId: '', userId: '', role: 'editor' as const };
    const row = await store.db
      .selectFrom('filter_presets')
      .select(['organisation_id', 'owner_id'])
      .where('id', '=', preset.id)
      .executeTakeFirstOrThrow();
    const tenant = trustedOrganisationId(row.organisation_id);
    const got = await app.services.presets.get(
      tenant,
      { ...session, organisationId: tenant, userId: row.owner_id },
      without,
      preset.id,
    );
    expect(got.filters).toEqual({ colour: ['green'] });
    expect(got.dropped).toEqual(['price']);
  });

  test('a default per user per dashboard; deleting the preset clears it', async () => {
    const preset = (await create(editor, { name: 'Default me', filters: GREEN })).json() as FilterPreset;
    const put = (presetId: string | null) =>
      editor.inject({ method: 'PUT', url: '/api/v1/dashboards/main/default-preset', payload: { presetId } });
    expect((await put(preset.id)).statusCode).toBe(204);
    expect((await list(editor)).defaultPresetId).toBe(preset.id);
    // Someone else's default is their own.
    expect((await list(admin)).defaultPresetId).toBeNull();
    expect((await editor.inject({ method: 'DELETE', url: `${BASE}/${preset.id}` })).statusCode).toBe(204);
    expect((await list(editor)).defaultPresetId).toBeNull();
    expect((await editor.inject(`${BASE}/${preset.id}`)).statusCode).toBe(404);
    expect((await audit('preset.delete')).length).toBeGreaterThan(0);
    expect((await audit('preset.default')).length).toBeGreaterThan(0);
    expect((await put(null)).statusCode).toBe(204);
  });

  test(`at most ${MAX_OWN_PRESETS} personal presets per user and dashboard (PRESET_LIMIT)`, async () => {
    const someone = await loginAs(app, { org: 'acme', role: 'viewer', email: 'many@acme.test' });
    for (let i = 0; i < MAX_OWN_PRESETS; i++)
      expect((await create(someone, { name: `p${i}`, filters: {} })).statusCode).toBe(201);
    const over = await create(someone, { name: 'one more', filters: {} });
    expect([over.statusCode, over.json()]).toEqual([409, expect.objectContaining({ error: 'PRESET_LIMIT' })]);
    expect((await list(someone)).presets.filter((p) => p.mine)).toHaveLength(MAX_OWN_PRESETS);
  });
});
