import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { startApp, type TestApp } from '../../test/app-harness.js';
import { executions } from '../../test/metrics-reader.js';
import { createMiniProject } from '../../test/mini-project.js';
import { TrellisError } from '../errors.js';
import { tenantId } from '../query/plan.js';
import type { Viewer } from './viewer.js';
import { widgetData } from './widget-data.service.js';

/**
 * The memo of prepared widget requests (resolved, checked, planned, compiled): what it saves must
 * never change an answer — not across tenants, bodies, roles, invalidations or refused requests.
 */
describe('widget data: prepared requests are remembered, answers are not', () => {
  let app: TestApp;
  let close: () => Promise<void>;
  const viewer = (org: string, role: Viewer['role'] = 'viewer'): Viewer => ({ tenant: tenantId(org), role });

  beforeAll(async () => {
    const mini = await createMiniProject({
      // Rows per organisation: the tenant must be part of what is remembered.
      'datasets/owned.yaml': `sql: sql/owned.sql
tenant_column: org
columns:
  org: { type: string }
  n: { type: number }
measures:
  total: { agg: sum, column: n }
`,
      'sql/owned.sql': `SELECT * FROM (VALUES ('acme', 1), ('acme', 2), ('globex', 40)) t(org, n) WHERE org = :tenant`,
      'dashboards/owned.yaml': `title: Owned
dataset: owned
widgets:
  - { id: total, type: kpi, title: Total, measure: total }
`,
      'dashboards/editors.yaml': `title: Editors only
dataset: items
roles: [editor, admin]
widgets:
  - { id: total, type: kpi, title: Items, measure: items }
`,
    });
    ({ app, close } = await startApp(mini.dir));
  });
  afterAll(async () => close());

  const ask = (dashboard: string, widget: string, v: Viewer, filters: Record<string, unknown> = {}) =>
    widgetData(app.services.project, app.services.runner, {
      dashboard,
      widget,
      request: { filters },
      viewer: v,
    });

  test('a repeated request is prepared once and served from the cache; its rows are unchanged', async () => {
    const prepare = vi.spyOn(app.services.runner, 'prepare');
    try {
      const first = await ask('main', 'by_colour', viewer('acme'), { colour: ['red'] });
      const again = await ask('main', 'by_colour', viewer('acme'), { colour: ['red'] });
      expect(prepare).toHaveBeenCalledTimes(1);
      expect(again.body.meta.cache).toBe('hit');
      expect(again.body.rows).toEqual(first.body.rows);
      expect(again.cacheability.etag).toBe(first.cacheability.etag);
      // Another body is another preparation, with its own rows.
      const blue = await ask('main', 'by_colour', viewer('acme'), { colour: ['blue'] });
      expect(prepare).toHaveBeenCalledTimes(2);
      expect(blue.body.rows).not.toEqual(first.body.rows);
    } finally {
      prepare.mockRestore();
    }
  });

  test('the tenant is part of what is remembered: each organisation gets its own rows', async () => {
    const acme = await ask('owned', 'total', viewer('acme'));
    const globex = await ask('owned', 'total', viewer('globex'));
    const acmeAgain = await ask('owned', 'total', viewer('acme'));
    expect(acme.body.rows).toEqual([[3]]);
    expect(globex.body.rows).toEqual([[40]]);
    expect(acmeAgain.body.rows).toEqual([[3]]);
    expect(globex.cacheability.etag).not.toBe(acme.cacheability.etag);
  });

  test('an invalidated dataset runs again even though its request is remembered', async () => {
    await ask('main', 'total', viewer('acme'), { colour: ['green'] });
    expect((await ask('main', 'total', viewer('acme'), { colour: ['green'] })).body.meta.cache).toBe('hit');
    const before = await executions(app, 'items');
    await app.services.runner.invalidate(['items']);
    const after = await ask('main', 'total', viewer('acme'), { colour: ['green'] });
    expect(after.body.meta.cache).toBe('miss');
    expect((await executions(app, 'items')) - before).toBe(1);
  });

  test('the role is checked on every request: a remembered request does not open a dashboard', async () => {
    const editor = await ask('editors', 'total', viewer('acme', 'editor'));
    expect(editor.body.rows).toHaveLength(1);
    await expect(ask('editors', 'total', viewer('acme', 'viewer'))).rejects.toMatchObject({
      code: 'DASHBOARD_NOT_FOUND',
    });
  });

  test('refused requests are refused every time, and do not disturb good ones', async () => {
    for (let i = 0; i < 2; i++) {
      await expect(ask('main', 'nope', viewer('acme'))).rejects.toMatchObject({ code: 'WIDGET_NOT_FOUND' });
      const bad = ask('main', 'total', viewer('acme'), { colour: 'not-a-list' });
      await expect(bad).rejects.toBeInstanceOf(TrellisError);
    }
    expect((await ask('main', 'total', viewer('acme'))).body.rows).toHaveLength(1);
  });
});
