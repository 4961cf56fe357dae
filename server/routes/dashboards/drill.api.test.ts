import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loginAs, startApp, widgetData, type SignedIn, type TestApp } from '../../../test/app-harness.js';
import { createMiniProject } from '../../../test/mini-project.js';
import { loadProject } from '../../config/project/load-project.js';
import { formatProblem } from '../../config/project/project.types.js';

// Items are created every 3 days from 2020-01-01 (test/mini-project.ts): 500 of them over ~4 years.
const DRILL = `title: Drill
dataset: items
filters:
  - { id: colour, type: multi_select, label: Colour, column: colour }
widgets:
  - { id: per_period, type: bar, title: Items per period, dimension: created, grain: year, measures: [items], drill: { levels: [year, month, day] } }
  - { id: flat, type: line, title: Flat, dimension: created, grain: year, measures: [items] }
`;

type Data = { rows: [string, number][]; columns: { key: string; format?: string }[] };
let app: TestApp;
let close: () => Promise<void>;
let viewer: SignedIn;

beforeAll(async () => {
  const mini = await createMiniProject({ 'dashboards/drill.yaml': DRILL });
  ({ app, close } = await startApp(mini.dir));
  viewer = await loginAs(app, { org: 'acme', role: 'viewer' });
});
afterAll(async () => close?.());

const level = async (drill?: string[], filters: object = {}) => {
  const res = await widgetData(viewer, 'drill', 'per_period', { filters, ...(drill ? { drill } : {}) });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as Data;
};
const total = (d: Data) => d.rows.reduce((n, r) => n + Number(r[1]), 0);

describe('drill down a time hierarchy (year → month → day)', () => {
  test('the definition tells the page the levels; each level is inside the one above and adds up to it', async () => {
    const def = (await viewer.inject('/api/v1/dashboards/drill')).json() as {
      widgets: { id: string; drill?: { levels: string[] } }[];
    };
    expect(def.widgets.find((w) => w.id === 'per_period')?.drill).toEqual({
      levels: ['year', 'month', 'day'],
    });
    expect(def.widgets.find((w) => w.id === 'flat')?.drill).toBeUndefined();

    const years = await level();
    expect(years.rows.map((r) => r[0])).toEqual([
      '2020-01-01',
      '2021-01-01',
      '2022-01-01',
      '2023-01-01',
      '2024-01-01',
    ]);
    expect(total(years)).toBe(500);
    const y2021 = years.rows.find((r) => r[0] === '2021-01-01')?.[1];

    const months = await level(['2021-01-01']);
    expect(months.rows).toHaveLength(12);
    expect(months.rows.every((r) => r[0].startsWith('2021-') && r[0].endsWith('-01'))).toBe(true);
    expect(months.columns[0]?.format).toBe('month');
    expect(total(months)).toBe(Number(y2021));
    const march = months.rows.find((r) => r[0] === '2021-03-01')?.[1];

    const days = await level(['2021-01-01', '2021-03-01']);
    expect(days.rows.every((r) => r[0] >= '2021-03-01' && r[0] <= '2021-03-31')).toBe(true);
    expect(total(days)).toBe(Number(march));
    expect(days.columns[0]?.format).toBe('date');
  });

  test('filters still apply inside a drilled level', async () => {
    const all = total(await level(['2021-01-01']));
    const red = total(await level(['2021-01-01'], { colour: ['red'] }));
    expect(red).toBeGreaterThan(0);
    expect(red).toBeLessThan(all);
  });

  test.each([
    ['deeper than the hierarchy', ['2021-01-01', '2021-03-01', '2021-03-04']],
    ['a year that does not start on 1 January', ['2021-02-01']],
    ['a month outside its year', ['2021-01-01', '2022-03-01']],
    ['a month that does not start on the 1st', ['2021-01-01', '2021-03-02']],
  ])('a path %s is DRILL_INVALID', async (_name, drill) => {
    const res = await widgetData(viewer, 'drill', 'per_period', { filters: {}, drill });
    expect([res.statusCode, res.json().error]).toEqual([400, 'DRILL_INVALID']);
  });

  test('only dates are accepted, and only by widgets that drill', async () => {
    const sql = await widgetData(viewer, 'drill', 'per_period', {
      filters: {},
      drill: ["2021-01-01' or 1=1 --"],
    });
    expect([sql.statusCode, sql.json().error]).toEqual([400, 'VALIDATION_FAILED']);
    const flat = await widgetData(viewer, 'drill', 'flat', { filters: {}, drill: ['2021-01-01'] });
    expect([flat.statusCode, flat.json().error]).toEqual([400, 'DRILL_INVALID']);
    const many = await widgetData(viewer, 'drill', 'per_period', {
      filters: {},
      drill: Array(50).fill('2021-01-01'),
    });
    expect(many.statusCode).toBe(400);
  });

  test('a stranger is asked to sign in', async () => {
    const res = await widgetData(app, 'drill', 'per_period', { filters: {}, drill: ['2021-01-01'] });
    expect(res.statusCode).toBe(401);
  });
});

describe('`trellis check` on drill', () => {
  test.each([
    [
      'levels from fine to coarse',
      'grain: month, measures: [items], drill: { levels: [month, year] }',
      'drill levels go from coarse to fine',
    ],
    ['no grain', 'measures: [items], drill: { levels: [year, month] }', 'a widget with drill needs a grain'],
    [
      'a first level other than the grain',
      'grain: year, measures: [items], drill: { levels: [month, day] }',
      "the first drill level must be the widget's grain",
    ],
    ['weeks', 'grain: year, measures: [items], drill: { levels: [year, week] }', 'drill.levels'],
  ])('%s is reported with its place', async (_name, keys, message) => {
    const mini = await createMiniProject({
      'dashboards/drill.yaml': `title: Drill\ndataset: items\nwidgets:\n  - { id: w, type: bar, title: W, dimension: created, ${keys} }\n`,
    });
    const loaded = await loadProject(mini.dir);
    expect(loaded.ok).toBe(false);
    const text = loaded.ok ? '' : loaded.problems.map(formatProblem).join('\n');
    expect(text).toContain('dashboards/drill.yaml');
    expect(text).toContain(message);
  });

  test('a drill on a column that is not a date is reported', async () => {
    const mini = await createMiniProject({
      'dashboards/drill.yaml': `title: Drill\ndataset: items\nwidgets:\n  - { id: w, type: bar, title: W, dimension: colour, grain: year, measures: [items], drill: { levels: [year, month] } }\n`,
    });
    const loaded = await loadProject(mini.dir);
    expect(loaded.ok ? '' : loaded.problems.map(formatProblem).join('\n')).toContain(
      'expected date or timestamp',
    );
  });
});
