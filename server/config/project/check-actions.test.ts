import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createMiniProject } from '../../../test/mini-project.js';
import { repoRoot } from '../../../test/paths.js';
import { presentDashboard } from '../../services/dashboards.service.js';
import type { TenantId } from '../../query/plan.js';
import { loadProject } from './load-project.js';

// An enrich pipeline of `acme` with a keys input its `from` is limited by, and a text input.
const SCREEN = `title: Screen items
organisation: acme
type: enrich
target: main
inputs:
  picked: { type: keys, max_count: 20, max_length: 40, label: Items }
  mode: { type: enum, values: [fast, thorough], default: fast }
  note: { type: text, max_length: 10 }
enrich:
  from: { table: items, columns: [id, name], keys_input: picked }
  request:
    url: https://api.example.com/v1/score
    body: { name: '\${row.name}', note: '\${input.note}' }
  result: { score: score }
tables:
  scores:
    key: [id]
    columns: { id: BIGINT, score: DOUBLE }
`;

const DASHBOARD = (action: string) => `title: Actions
dataset: items
widgets:
  - { id: list, type: table, title: List, columns: [id, name, colour], page_size: 10 }
  - { id: grouped, type: table, title: Grouped, dimensions: [colour], measures: [items] }
  - { id: total, type: kpi, title: Items, measure: items }
  - ${action}
`;

async function load(action: string, pipeline = SCREEN) {
  const mini = await createMiniProject({ 'dashboards/actions.yaml': DASHBOARD(action) });
  mkdirSync(path.join(mini.dir, 'pipelines'), { recursive: true });
  writeFileSync(path.join(mini.dir, 'pipelines', 'screen.yaml'), pipeline);
  return loadProject(mini.dir);
}

function problems(result: Awaited<ReturnType<typeof load>>): string[] {
  return result.ok ? [] : result.problems.map((p) => `${p.file}:${p.line}: ${p.message}`);
}

const GOOD =
  '{ id: go, type: action, title: Screen, pipeline: screen, from_table: list, keys_input: picked, key_column: id, inputs: { mode: thorough, note: hi }, fixed: [note] }';

describe('action widgets', () => {
  it('load, and present the form, the fixed inputs and the table selection to the pipeline’s organisation', async () => {
    const result = await load(GOOD);
    if (!result.ok) throw new Error(problems(result).join('\n'));
    const dashboard = result.project.dashboards.get('actions');
    if (!dashboard) throw new Error('no dashboard');
    const editor = { tenant: 'acme' as TenantId, role: 'editor' as const };
    const shown = presentDashboard(result.project, dashboard, undefined, 'en', editor);
    const action = shown.widgets.find((w) => w.id === 'go');
    expect(action?.type).toBe('action');
    expect(action?.action?.canRun).toBe(true);
    expect(action?.action?.pipeline).toBe('screen');
    // The keys input comes from the table and `note` is fixed: the form shows only `mode`, prefilled.
    expect(action?.action?.inputs.map((i) => [i.name, i.default])).toEqual([['mode', 'thorough']]);
    expect(action?.action?.fixed).toEqual({ note: 'hi' });
    expect(action?.action).toMatchObject({ fromTable: 'list', keysInput: 'picked' });
    expect(shown.widgets.find((w) => w.id === 'list')?.selection).toEqual({
      action: 'go',
      keyColumn: 'id',
      max: 20,
    });
    // An action reads no dataset: the dashboard's dataset list is unchanged by it.
    expect(shown.datasets).toEqual(['items']);

    const viewer = presentDashboard(result.project, dashboard, undefined, 'en', {
      ...editor,
      role: 'viewer',
    });
    expect(viewer.widgets.find((w) => w.id === 'go')?.action?.canRun).toBe(false);

    // Another organisation learns nothing of the pipeline, and its table gets no checkboxes.
    const other = presentDashboard(result.project, dashboard, undefined, 'en', {
      tenant: 'globex' as TenantId,
      role: 'admin',
    });
    expect(other.widgets.find((w) => w.id === 'go')?.action).toBeUndefined();
    expect(JSON.stringify(other)).not.toContain('Screen items');
    expect(other.widgets.find((w) => w.id === 'list')?.selection).toBeUndefined();
  });

  it('report an unknown pipeline, a from_table that is no listing table and a keys_input that is no list', async () => {
    const unknown = problems(await load('{ id: go, type: action, title: Screen, pipeline: screeen }')).join(
      '\n',
    );
    expect(unknown).toMatch(
      /dashboards\/actions\.yaml:7: widget "go": unknown pipeline "screeen" \(did you mean "screen"\?\)/,
    );

    const notTable = problems(
      await load(
        '{ id: go, type: action, title: S, pipeline: screen, from_table: total, keys_input: picked, key_column: id }',
      ),
    ).join('\n');
    expect(notTable).toMatch(/actions\.yaml:7: widget "go": from_table "total" is a kpi widget, not a table/);

    const grouped = problems(
      await load(
        '{ id: go, type: action, title: S, pipeline: screen, from_table: grouped, keys_input: picked, key_column: id }',
      ),
    ).join('\n');
    expect(grouped).toMatch(/from_table "grouped" must list rows/);

    const missing = problems(
      await load(
        '{ id: go, type: action, title: S, pipeline: screen, from_table: lst, keys_input: picked, key_column: id }',
      ),
    ).join('\n');
    expect(missing).toMatch(/from_table: unknown widget "lst" \(did you mean "list"\?\)/);

    const notKeys = problems(
      await load(
        '{ id: go, type: action, title: S, pipeline: screen, from_table: list, keys_input: note, key_column: id }',
      ),
    ).join('\n');
    expect(notKeys).toMatch(/widget "go": input "note" is a text input, not a list of keys/);

    const badColumn = problems(
      await load(
        '{ id: go, type: action, title: S, pipeline: screen, from_table: list, keys_input: picked, key_column: price }',
      ),
    ).join('\n');
    expect(badColumn).toMatch(/key_column "price" is not a column of table "list"/);

    const half = problems(
      await load('{ id: go, type: action, title: S, pipeline: screen, from_table: list }'),
    ).join('\n');
    expect(half).toMatch(/`from_table`, `keys_input` and `key_column` go together/);
  });

  it('check the widget’s input values against the pipeline’s own rules', async () => {
    const text = problems(
      await load(
        '{ id: go, type: action, title: S, pipeline: screen, inputs: { mode: slow, note: far too long a note, nope: 1 }, fixed: [absent] }',
      ),
    ).join('\n');
    expect(text).toMatch(/widget "go": Mode must be one of fast, thorough/);
    expect(text).toMatch(/widget "go": Note must be at most 10 characters/);
    expect(text).toMatch(/widget "go": pipeline "screen" has no input "nope"/);
    expect(text).toMatch(/widget "go": fixed input "absent" needs a value under `inputs`/);
  });

  it('a pipeline’s keys_input must be a keys input of it, over a one-column key', async () => {
    const text = problems(await load(GOOD, SCREEN.replace('keys_input: picked', 'keys_input: note'))).join(
      '\n',
    );
    expect(text).toMatch(/pipelines\/screen\.yaml:\d+: .*input "note" is a text input, not a list of keys/);
  });

  it('the sourcing example loads, its Screen action fed by the candidates table', async () => {
    const result = await loadProject(path.join(repoRoot, 'examples', 'sourcing'));
    if (!result.ok) throw new Error(problems(result).join('\n'));
    const dashboard = result.project.dashboards.get('screening');
    if (!dashboard) throw new Error('no screening dashboard');
    const shown = presentDashboard(result.project, dashboard, undefined, 'en', {
      tenant: 'sourcex' as TenantId,
      role: 'editor',
    });
    expect(shown.widgets.find((w) => w.id === 'screen_selected')?.action).toMatchObject({
      pipeline: 'screen',
      button: 'Screen',
      keysInput: 'candidates',
      canRun: true,
    });
    expect(shown.widgets.find((w) => w.id === 'candidates')?.selection).toEqual({
      action: 'screen_selected',
      keyColumn: 'id',
      max: 50,
    });
    expect(result.project.pipelines.get('screen')?.enrich?.from.keysInput).toBe('candidates');
  });
});
