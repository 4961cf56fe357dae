import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { loadVerifiedProject } from '../../server/cli/load-verified-project.js';
import { loadProject } from '../../server/config/project/load-project.js';
import { isDataWidget } from '../../server/config/project/project.schema.js';
import { closeEngines } from '../../server/query/engines/index.js';
import { benchProject, DASHBOARD, LIVE_DASHBOARD, TEMPLATE_DIR } from './bench-project.js';

describe('bench project', () => {
  test('the template is a valid project with an 8-widget dashboard', async () => {
    const loaded = await loadProject(TEMPLATE_DIR);
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
    const widgets = loaded.project.dashboards.get(DASHBOARD)?.widgets ?? [];
    expect(widgets.filter((w) => w.type !== 'text')).toHaveLength(8);
    expect(widgets.map((w) => w.type).sort()).toEqual(
      ['heatmap', 'kpi', 'kpi', 'kpi', 'kpi', 'line', 'bar', 'table'].sort(),
    );
  });

  test('a materialised copy adds live twins and points at its own data size', async () => {
    const p = await benchProject({ rows: 5_000, memoryLimit: '256MB' });
    expect(path.basename(p.dataFile)).toBe('events-5k.duckdb');
    const loaded = await loadProject(p.dir);
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
    const { project } = loaded;
    expect(project.datasets.get('events')?.freshness).toBe('short');
    expect(project.datasets.get('events_live')?.freshness).toBe('live');
    const live = project.dashboards.get(LIVE_DASHBOARD);
    expect(live?.widgets.every((w) => !isDataWidget(w) || w.dataset === 'events_live')).toBe(true);
    const source = project.sources.get('events');
    expect(source).toMatchObject({ type: 'duckdb', memory_limit: '256MB' });
    expect(path.resolve(p.dir, (source as { path: string }).path)).toBe(p.dataFile);
    // What `trellis check` does: every dataset verified against the generated table.
    const verified = await loadVerifiedProject(p.dir, {});
    if (!verified.ok) throw new Error(JSON.stringify(verified.problems));
    await closeEngines(verified.engines);
  });
});
