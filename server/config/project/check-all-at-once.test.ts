import { expect, test } from 'vitest';
import { createMiniProject } from '../../../test/mini-project.js';
import { loadProject } from './load-project.js';
import { formatProblem } from './project.types.js';
import { didYouMean } from './did-you-mean.js';

async function problemsOf(overrides: Record<string, string>): Promise<string[]> {
  const mini = await createMiniProject(overrides);
  const r = await loadProject(mini.dir);
  return r.ok ? [] : r.problems.map(formatProblem);
}

test('one run reports schema and reference problems of every file, without follow-on errors', async () => {
  const problems = await problemsOf({
    // A typo'd key in trellis.yaml no longer stops the run before datasets and dashboards.
    'trellis.yaml':
      'name: mini\ntitle: Mini\nsources:\n  main: { type: duckdb, path: data/mini.duckdb }\nlimts: { max_rows: 10 }\n',
    // A refused table name and a typo'd key: the dataset is still known by its columns.
    'datasets/items.yaml':
      'table: "items; drop table canary"\nshared: true\ncolums: 1\ncolumns:\n  id: { type: number }\n  name: { type: string }\n  colour: { type: string }\n  price: { type: number }\nmeasures:\n  items: { agg: count }\n',
    // One schema error (widget type) and one reference error (measure) in the same file.
    'dashboards/main.yaml': `title: Main
dataset: items
filters:
  - { id: colour, type: multi_select, label: Colour, column: colour }
  - { id: price, type: number_range, label: Price, column: price }
widgets:
  - { id: total, type: kpi, title: Items, measure: itemz }
  - { id: by_colour, type: barr, title: By colour, dimension: colour, measures: [items] }
  - { id: list, type: table, title: List, columns: [id, nam] }
  - { id: canary_rows, type: kpi, title: Canary, dataset: canery, measure: count }
`,
  });
  expect(problems).toEqual([
    'dashboards/main.yaml:7: widget "total": unknown measure "itemz" in dataset "items" (did you mean "items"?)',
    expect.stringMatching(/^dashboards\/main\.yaml:8: widgets\.1\.type: unknown type/),
    'dashboards/main.yaml:9: widget "list": unknown column "nam" in dataset "items" (did you mean "name"?)',
    'dashboards/main.yaml:10: widget "canary_rows": unknown dataset "canery" (did you mean "canary"?)',
    'datasets/items.yaml:1: table: must be a plain identifier, or schema.table / catalog.schema.table of plain identifiers',
    'datasets/items.yaml:3: unknown key "colums" (did you mean "columns"?)',
    'trellis.yaml:5: unknown key "limts" (did you mean "limits"?)',
  ]);
  // No cascade: the filters on `colour` and `price` are not called useless though the dataset
  // file and one widget were refused.
  expect(problems.join('\n')).not.toMatch(/no widget on this dashboard/);
});

test('did you mean: the nearest known name within a third of the length, case-insensitive', () => {
  expect(didYouMean('colr', ['colour', 'price'])).toBe(' (did you mean "colour"?)');
  expect(didYouMean('Title', ['title'])).toBe(' (did you mean "title"?)');
  expect(didYouMean('zzzzzz', ['colour', 'price'])).toBe('');
  expect(didYouMean('x', [])).toBe('');
});

test('schema-qualified tables (main.items) and DuckDB catalogs (mini.main.items) verify and read', async () => {
  const { loadVerifiedProject } = await import('../../cli/load-verified-project.js');
  const { closeEngines } = await import('../../query/engines/index.js');
  const items = (table: string) =>
    `table: ${table}\nshared: true\ncolumns:\n  id: { type: number }\n  name: { type: string }\n  colour: { type: string }\n  created: { type: date }\n  updated_at: { type: timestamp }\n  price: { type: number }\n  active: { type: boolean }\nmeasures:\n  items: { agg: count }\n  revenue: { agg: sum, column: price }\n  avg_price: { agg: avg, column: price }\n`;
  for (const table of ['main.items', 'mini.main.items']) {
    const mini = await createMiniProject({ 'datasets/items.yaml': items(table) });
    const r = await loadVerifiedProject(mini.dir, {});
    expect(r.ok ? [] : r.problems.map(formatProblem)).toEqual([]);
    if (r.ok) await closeEngines(r.engines);
  }
  const missing = await createMiniProject({ 'datasets/items.yaml': items('nowhere.items') });
  const r = await loadVerifiedProject(missing.dir, {});
  expect(r.ok ? [] : r.problems.map(formatProblem)).toEqual([
    expect.stringMatching(/^datasets\/items\.yaml:1: cannot read table "nowhere\.items"/),
  ]);
});
