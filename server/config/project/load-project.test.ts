import { describe, expect, test } from 'vitest';
import { createMiniProject } from '../../../test/mini-project.js';
import { loadVerifiedProject } from '../../cli/load-verified-project.js';
import { closeEngines } from '../../query/engines/index.js';
import { loadProject } from './load-project.js';
import { formatProblem } from './project.types.js';

async function problemsOf(overrides: Record<string, string>, verify = false): Promise<string[]> {
  const mini = await createMiniProject(overrides);
  if (verify) {
    const r = await loadVerifiedProject(mini.dir, {});
    if (r.ok) await closeEngines(r.engines);
    return r.ok ? [] : r.problems.map(formatProblem);
  }
  const r = await loadProject(mini.dir);
  return r.ok ? [] : r.problems.map(formatProblem);
}

describe('loadProject', () => {
  test('the mini project is valid and resolves widgets to datasets', async () => {
    const mini = await createMiniProject();
    const r = await loadProject(mini.dir);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const main = r.project.dashboards.get('main');
    expect(main?.widgets.find((w) => w.id === 'total')).toMatchObject({ dataset: 'items' });
    expect(main?.filters.map((f) => f.id)).toEqual(['colour', 'created', 'updated', 'price', 'q']);
    expect(r.project.limits).toEqual({ queryTimeoutMs: 5_000, maxRows: 1_000, maxBytes: 1024 * 1024 });
    // Every dataset can count rows even when it declares no count measure.
    expect(r.project.datasets.get('canary')?.measures.has('count')).toBe(true);
  });

  test('a typo in a dashboard column names the file and line, with a suggestion', async () => {
    const mini = await createMiniProject();
    const { readFileSync } = await import('node:fs');
    const text = readFileSync(`${mini.dir}/dashboards/main.yaml`, 'utf8').replace(
      'dimension: colour, measures',
      'dimension: color, measures',
    );
    const problems = await problemsOf({ 'dashboards/main.yaml': text });
    expect(problems).toEqual([
      'dashboards/main.yaml:11: widget "by_colour": unknown column "color" in dataset "items" (did you mean "colour"?)',
    ]);
  });

  test('unknown keys, bad enums and YAML syntax are reported per file and line, all at once', async () => {
    const problems = await problemsOf({
      'datasets/canary.yaml':
        'table: canary\ncolumns:\n  id: { type: number }\n  note: { type: text }\nfreshnes: short\n',
      'datasets/items.yaml': 'table: items\ncolumns:\n  id: { type: number\n',
    });
    expect(problems).toContain(
      'datasets/canary.yaml:4: columns.note.type: Invalid option: expected one of "string"|"number"|"date"|"timestamp"|"boolean"',
    );
    expect(problems).toContain('datasets/canary.yaml:1: unknown key "freshnes"');
    expect(problems.some((p) => /^datasets\/items\.yaml:\d+: YAML syntax:/.test(p))).toBe(true);
  });

  test('SQL datasets must declare every :param they use and use every param they declare', async () => {
    const problems = await problemsOf({
      'sql/q.sql': 'SELECT * FROM items WHERE price > :min_price',
      'datasets/q.yaml':
        'sql: sql/q.sql\nparams:\n  unused: { type: number, default: 1 }\ncolumns:\n  id: { type: number }\n',
    });
    expect(problems).toEqual([
      'datasets/q.yaml:1: sql/q.sql uses :min_price, which is not declared under `params`',
      'datasets/q.yaml:3: param "unused" is not used by sql/q.sql',
    ]);
  });

  test('identifiers that are not plain names are refused before they get anywhere near SQL', async () => {
    const problems = await problemsOf({
      'datasets/canary.yaml': 'table: "canary; DROP TABLE items"\ncolumns:\n  "id\\"x": { type: number }\n',
    });
    expect(problems).toEqual([
      'datasets/canary.yaml:1: table: must be a plain identifier (letters, digits, _; not starting with a digit)',
      'datasets/canary.yaml:3: columns.id"x: keys here must be plain identifiers (letters, digits, _; not starting with a digit)',
    ]);
  });

  test('a filter that no widget can use, and a filter on a column of the wrong type', async () => {
    const mini = await createMiniProject();
    const { readFileSync } = await import('node:fs');
    const text = readFileSync(`${mini.dir}/dashboards/main.yaml`, 'utf8')
      .replace(
        '{ id: q, type: text, label: Name contains, column: name }',
        '{ id: q, type: text, label: Name contains, column: nme }',
      )
      .replace(
        '{ id: price, type: number_range, label: Price, column: price }',
        '{ id: price, type: date_range, label: Price, column: price }',
      );
    const problems = await problemsOf({ 'dashboards/main.yaml': text });
    expect(problems).toEqual([
      'dashboards/main.yaml:7: filter "price": date_range filters need a date or timestamp column; "price" in dataset "items" is number',
      'dashboards/main.yaml:8: filter "q": no widget on this dashboard has a column "nme"; the filter would change nothing',
    ]);
  });
});

test('server_url_env holds the name of a variable; a URL written there is refused', async () => {
  const main = (value: string) => ({
    'trellis.yaml': `name: mini
title: Mini
sources:
  main: { type: duckdb, path: data/mini.duckdb, server_url_env: ${value} }
`,
  });
  expect(await problemsOf(main('VM_INVENTORY_DATABASE_URL'))).toEqual([]);
  expect(await problemsOf(main('"postgres://u:pw@db/x"'))).toEqual([
    'trellis.yaml:4: sources.main.server_url_env: must be the name of an environment variable holding the URL (e.g. WAREHOUSE_URL), not the URL itself',
  ]);
});

describe('verification against the source (trellis check)', () => {
  test('a declared column that the table lacks is reported at its line in the dataset file', async () => {
    const problems = await problemsOf(
      {
        'datasets/canary.yaml':
          'table: canary\ncolumns:\n  id: { type: number }\n  notes: { type: string }\n',
      },
      true,
    );
    expect(problems).toEqual([
      'datasets/canary.yaml:4: column "notes" does not exist in table "canary" (it has: id, note)',
    ]);
  });

  test('a declared type that does not match the table, and a measure expression that does not compile', async () => {
    const problems = await problemsOf(
      {
        'datasets/canary.yaml':
          'table: canary\ncolumns:\n  id: { type: string }\n  note: { type: string }\nmeasures:\n  broken: { sql: "sum(no_such_column)" }\n',
      },
      true,
    );
    expect(problems[0]).toBe(
      'datasets/canary.yaml:3: column "id" is declared string but table "canary" has BIGINT',
    );
    expect(problems[1]).toMatch(/^datasets\/canary\.yaml:6: measure "broken": .*no_such_column/);
  });

  test('a missing table is reported on the table line', async () => {
    const problems = await problemsOf(
      { 'datasets/canary.yaml': 'table: canaries\ncolumns:\n  id: { type: number }\n' },
      true,
    );
    expect(problems[0]).toMatch(/^datasets\/canary\.yaml:1: cannot read table "canaries": /);
  });
});

test('where conditions need values that fit their operator', async () => {
  const mini = await createMiniProject();
  const { readFileSync } = await import('node:fs');
  const text = readFileSync(`${mini.dir}/dashboards/main.yaml`, 'utf8').replace(
    '{ id: total, type: kpi, title: Items, measure: items }',
    '{ id: total, type: kpi, title: Items, measure: items, where: [{ column: price, op: gt }, { column: colour, op: in, value: red }] }',
  );
  const problems = await problemsOf({ 'dashboards/main.yaml': text });
  expect(problems).toEqual([
    'dashboards/main.yaml:10: widget "total": `gt` needs a single value',
    'dashboards/main.yaml:10: widget "total": `in` needs a non-empty list of values',
  ]);
});
