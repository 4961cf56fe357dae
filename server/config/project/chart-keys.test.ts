import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { CHART_TYPES } from '../../../contract/index.js';
import { createMiniProject } from '../../../test/mini-project.js';
import { repoRoot } from '../../../test/paths.js';
import { loadProject } from './load-project.js';
import { formatProblem } from './project.types.js';

async function problemsOf(overrides: Record<string, string>): Promise<string[]> {
  const mini = await createMiniProject(overrides);
  const r = await loadProject(mini.dir);
  return r.ok ? [] : r.problems.map(formatProblem);
}

const dashboard = (widgets: string) => `title: Charts
dataset: items
widgets:
${widgets}`;

describe('trellis check: the newer chart keys, with file:line', () => {
  test('references, types and ranges of every new widget type are checked', async () => {
    const problems = await problemsOf({
      'dashboards/charts.yaml':
        dashboard(`  - { id: box, type: boxplot, title: B, column: name, dimension: colr }
  - { id: funnel, type: funnel, title: F, dimension: colour, measure: itemz }
  - { id: gauge, type: gauge, title: G, measure: items, min: 10, max: 5 }
  - { id: cal, type: calendar, title: C, dimension: colour, measure: items }
  - { id: flow, type: sankey, title: S, source: colour, target: nme, value: items, max_nodes: 1 }
  - { id: net, type: graph, title: N, source: colour, target: name, value: revenu }
  - { id: world, type: map, title: M, map: mars, dimension: colour, measure: items }
  - { id: plan, type: floorplan, title: P, svg: ../secrets.svg, dimension: colour, measure: items }
  - { id: plan2, type: floorplan, title: P, svg: floorplans/missing.svg, dimension: colour, measure: items }
`),
    });
    expect(problems).toEqual([
      'dashboards/charts.yaml:4: widget "box": column "name" is string; expected number',
      'dashboards/charts.yaml:4: widget "box": unknown column "colr" in dataset "items" (did you mean "colour"?)',
      'dashboards/charts.yaml:5: widget "funnel": unknown measure "itemz" in dataset "items" (did you mean "items"?)',
      'dashboards/charts.yaml:6: widgets.2.max: `max` must be above `min`',
      'dashboards/charts.yaml:7: widget "cal": column "colour" is string; expected date or timestamp',
      'dashboards/charts.yaml:8: widgets.4.max_nodes: Too small: expected number to be >=2',
      'dashboards/charts.yaml:9: widget "net": unknown measure "revenu" in dataset "items" (did you mean "revenue"?)',
      'dashboards/charts.yaml:10: widgets.6.map: Invalid option: expected one of "world"|"us_states"',
      'dashboards/charts.yaml:11: widgets.7.svg: expected a path like floorplans/hall.svg',
      'floorplans/missing.svg:1: file not found (a floorplan widget names it)',
    ]);
  });

  test('an unsafe floor plan is refused at its own file and line', async () => {
    const problems = await problemsOf({
      'floorplans/hall.svg':
        '<svg xmlns="http://www.w3.org/2000/svg">\n<rect id="a"/>\n<script>alert(1)</script>\n</svg>',
      'dashboards/charts.yaml': dashboard(
        '  - { id: plan, type: floorplan, title: P, svg: floorplans/hall.svg, dimension: colour, measure: items }\n',
      ),
    });
    expect(problems).toEqual(['floorplans/hall.svg:3: element <script> is not allowed in a floor plan']);
  });

  test('the examples load, and between them show every new chart type', async () => {
    const types = new Set<string>();
    for (const example of ['clinical-trials', 'vm-inventory']) {
      const r = await loadProject(path.join(repoRoot, 'examples', example));
      if (!r.ok) throw new Error(r.problems.map(formatProblem).join('\n'));
      for (const d of r.project.dashboards.values()) for (const w of d.widgets) types.add(w.type);
    }
    const newer = CHART_TYPES.slice(CHART_TYPES.indexOf('boxplot'));
    // A US-states map needs state data that neither example has: the world map stands for `map`.
    expect(newer.filter((t) => !types.has(t))).toEqual([]);
  });
});
