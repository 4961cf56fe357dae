import { describe, expect, test } from 'vitest';
import { createMiniProject } from '../../../test/mini-project.js';
import { formatProblem } from './project.types.js';
import { loadProject } from './load-project.js';
import { searchSources } from '../../services/search.service.js';
import { tenantId } from '../../query/plan.js';

const main = (created: string) => `title: Main
dataset: items
filters:
  - { id: colour, type: multi_select, label: Colour, column: colour, search: true }
  - { id: q, type: text, label: Name contains, column: name, search: true }
  - { id: created, type: date_range, label: Created, column: created${created} }
widgets:
  - { id: list, type: table, title: List, columns: [id, name, colour, created] }
`;

describe('search: on filters (trellis check)', () => {
  test('multi_select and text filters may be searched; each declared one is a search source', async () => {
    const mini = await createMiniProject({ 'dashboards/main.yaml': main('') });
    const r = await loadProject(mini.dir);
    if (!r.ok) throw new Error(r.problems.map(formatProblem).join('\n'));
    const viewer = { tenant: tenantId('acme'), role: 'viewer' as const };
    expect(searchSources(r.project, viewer).map((s) => [s.filter.id, s.dataset, s.column])).toEqual([
      ['colour', 'items', 'colour'],
      ['q', 'items', 'name'],
    ]);
  });

  test('search on a date filter is a load problem with its line', async () => {
    const mini = await createMiniProject({ 'dashboards/main.yaml': main(', search: true') });
    const r = await loadProject(mini.dir);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems.map(formatProblem).join('\n')).toMatch(
      /main\.yaml:6: .*filter "created": `search: true` is for multi_select and text filters/,
    );
  });
});
