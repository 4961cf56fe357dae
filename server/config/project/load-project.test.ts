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
        'table: canary\ncolumns:\n  id: { type: number }\n  note: { type: text }\nfreshnes: short\nshared: true\n',
      'datasets/items.yaml': 'table: items\ncolumns:\n  id: { type: number\n',
    });
    expect(problems).toContain(
      'datasets/canary.yaml:4: columns.note.type: Invalid option: expected one of "string"|"number"|"date"|"timestamp"|"boolean"',
    );
    expect(problems).toContain('datasets/canary.yaml:5: unknown key "freshnes" (did you mean "freshness"?)');
    expect(problems.some((p) => /^datasets\/items\.yaml:\d+: YAML syntax:/.test(p))).toBe(true);
  });

  test('SQL datasets must declare every :param they use and use every param they declare', async () => {
    const problems = await problemsOf({
      'sql/q.sql': 'SELECT * FROM items WHERE price > :min_price',
      'datasets/q.yaml':
        'sql: sql/q.sql\nparams:\n  unused: { type: number, default: 1 }\ncolumns:\n  id: { type: number }\nshared: true\n',
    });
    expect(problems).toEqual([
      'datasets/q.yaml:1: sql/q.sql uses :min_price, which is not declared under `params`',
      'datasets/q.yaml:3: param "unused" is not used by sql/q.sql',
    ]);
  });

  test('every dataset says whose rows it holds: a tenant column or shared, exactly one', async () => {
    const problems = await problemsOf({
      'datasets/canary.yaml': 'table: canary\ncolumns:\n  id: { type: number }\n  note: { type: string }\n',
      'datasets/both.yaml':
        'table: canary\ntenant_column: note\nshared: true\ncolumns:\n  note: { type: string }\n',
      'datasets/off.yaml': 'table: canary\ncolumns:\n  note: { type: string }\nshared: false\n',
      'datasets/ghost.yaml': 'table: canary\ntenant_column: org\ncolumns:\n  note: { type: string }\n',
      'datasets/typed.yaml':
        'table: canary\ntenant_column: id\ncolumns:\n  id: { type: number }\n  note: { type: string, sql: "upper(note)" }\n',
      'datasets/computed.yaml':
        'table: canary\ntenant_column: loud\ncolumns:\n  loud: { type: string, sql: "upper(note)" }\n',
    });
    const declare =
      'declare whose rows these are: `tenant_column: <column>` (each organisation sees only its own rows) ' +
      'or `shared: true` (every organisation sees every row)';
    expect(problems).toEqual([
      'datasets/both.yaml:3: shared: use either `tenant_column` or `shared: true`, not both',
      `datasets/canary.yaml:1: ${declare}`,
      'datasets/computed.yaml:2: tenant_column "loud" must be a plain string column (not computed)',
      'datasets/ghost.yaml:2: tenant_column "org" is not a declared column',
      `datasets/off.yaml:4: shared: ${declare}`,
      'datasets/typed.yaml:2: tenant_column "id" must be a plain string column (not computed)',
    ]);
  });

  test('a SQL dataset with a tenant takes :tenant from the session; a shared one must not', async () => {
    const problems = await problemsOf({
      'sql/mine.sql': 'SELECT colour AS org, price FROM items WHERE colour = :tenant',
      'sql/leaky.sql': 'SELECT colour AS org, price FROM items',
      'sql/odd.sql': 'SELECT colour AS org, price FROM items WHERE colour = :tenant',
      'datasets/mine.yaml': 'sql: sql/mine.sql\ntenant_column: org\ncolumns:\n  org: { type: string }\n',
      'datasets/leaky.yaml': 'sql: sql/leaky.sql\ntenant_column: org\ncolumns:\n  org: { type: string }\n',
      'datasets/odd.yaml': 'sql: sql/odd.sql\nshared: true\ncolumns:\n  org: { type: string }\n',
      'datasets/declared.yaml':
        'sql: sql/mine.sql\ntenant_column: org\nparams:\n  tenant: { type: string, default: atlas }\ncolumns:\n  org: { type: string }\n',
    });
    expect(problems).toEqual([
      'datasets/declared.yaml:4: `tenant` is bound from the signed-in session; do not declare it under `params`',
      'datasets/leaky.yaml:1: sql/leaky.sql must filter its rows with the :tenant parameter (e.g. WHERE org = :tenant), or the dataset must be `shared: true`',
      'datasets/odd.yaml:1: sql/odd.sql uses :tenant, but the dataset is `shared: true`',
    ]);
  });

  test('identifiers that are not plain names are refused before they get anywhere near SQL', async () => {
    const problems = await problemsOf({
      'datasets/canary.yaml':
        'table: "canary; DROP TABLE items"\ncolumns:\n  "id\\"x": { type: number }\nshared: true\n',
    });
    expect(problems).toEqual([
      'datasets/canary.yaml:1: table: must be a plain identifier, or schema.table / catalog.schema.table of plain identifiers',
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
      'dashboards/main.yaml:8: filter "q": no widget on this dashboard has a column "nme"; the filter would change nothing (did you mean "name"?)',
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
          'table: canary\ncolumns:\n  id: { type: number }\n  notes: { type: string }\nshared: true\n',
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
          'table: canary\ncolumns:\n  id: { type: string }\n  note: { type: string }\nmeasures:\n  broken: { sql: "sum(no_such_column)" }\nshared: true\n',
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
      { 'datasets/canary.yaml': 'table: canaries\ncolumns:\n  id: { type: number }\nshared: true\n' },
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
