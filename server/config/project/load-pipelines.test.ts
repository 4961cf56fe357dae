import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createMiniProject } from '../../../test/mini-project.js';
import { loadProject } from './load-project.js';
import { cronProblem } from './pipeline.schema.js';

async function projectWith(files: Record<string, string>) {
  const mini = await createMiniProject();
  mkdirSync(path.join(mini.dir, 'pipelines'), { recursive: true });
  mkdirSync(path.join(mini.dir, 'transforms'), { recursive: true });
  for (const [file, text] of Object.entries(files)) writeFileSync(path.join(mini.dir, file), text);
  return { dir: mini.dir, result: await loadProject(mini.dir) };
}

const VALID = `title: Things
organisation: acme
type: http
target: main
tenant_column: org
schedule: '*/15 * * * *'
http:
  url: https://api.example.com/things
  url_env: THINGS_URL
  params: { per_page: 100 }
  pagination: { type: link }
  items: $
map:
  rows:
    - table: things
      fields: { id: id, name: attributes.name, created: created_at }
    - table: thing_tags
      for_each: tags
      fields: { thing_id: $.id, tag: name }
tables:
  things:
    key: [id]
    columns: { id: BIGINT, name: VARCHAR, created: TIMESTAMP }
  thing_tags:
    key: [thing_id]
    columns: { thing_id: BIGINT, tag: VARCHAR }
`;

describe('pipelines/*.yaml', () => {
  it('loads a valid pipeline: resolved target files, settings and the datasets on its source', async () => {
    const { dir, result } = await projectWith({ 'pipelines/things.yaml': VALID });
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    const p = result.project.pipelines.get('things');
    expect(p?.target).toEqual({
      source: 'main',
      file: path.join(dir, 'data', 'mini.duckdb'),
      ingestFile: path.join(dir, 'data', 'mini.ingest.duckdb'),
      dataDir: path.join(dir, 'data'),
      // No server_url_env on the source: the run writes the DuckDB file.
      serverUrlEnv: null,
    });
    expect(p?.schedule).toBe('*/15 * * * *');
    expect(p?.http?.params).toEqual({ per_page: '100' });
    expect(p?.http?.timeoutMs).toBe(30_000);
    expect(p?.tables.map((t) => t.name)).toEqual(['things', 'thing_tags']);
    expect(p?.datasets).toEqual([...result.project.datasets.keys()]);
    expect(p?.datasets.length).toBeGreaterThan(0);
  });

  it('reports every problem with its file and line', async () => {
    const broken = VALID.replace("schedule: '*/15 * * * *'", "schedule: '61 * * * *'")
      .replace('target: main', 'target: nowhere')
      .replace('key: [thing_id]', 'key: [thing_id, tag]')
      .replace('fields: { thing_id: $.id, tag: name }', 'fields: { thing_id: $.id, label: name }')
      .replace(
        'columns: { id: BIGINT, name: VARCHAR, created: TIMESTAMP }',
        'columns: { id: BIGINT, name: TEXT, created: TIMESTAMP, org: VARCHAR }',
      );
    const { result } = await projectWith({ 'pipelines/things.yaml': broken });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const lines = result.problems.map((p) => `${p.file}:${p.line}: ${p.message}`);
    expect(lines).toContainEqual(
      expect.stringMatching(/^pipelines\/things\.yaml:6: schedule: minute: 61 is outside 0–59$/),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(/^pipelines\/things\.yaml:\d+: tables\.things\.columns\.name: /),
    );
    // Schema problems stop a file before its cross-checks: fix them and look again.
    const third = await projectWith({
      'pipelines/things.yaml': broken
        .replace('name: TEXT', 'name: VARCHAR')
        .replace("'61 * * * *'", "'1 * * * *'"),
    });
    if (third.result.ok) throw new Error('expected problems');
    const cross = third.result.problems.map((p) => `${p.file}:${p.line}: ${p.message}`);
    expect(cross).toEqual([
      'pipelines/things.yaml:4: unknown source "nowhere" (declared: main)',
      'pipelines/things.yaml:19: "label" is not a column of table thing_tags',
      'pipelines/things.yaml:19: map the key column "tag" of thing_tags',
      'pipelines/things.yaml:23: "org" is the tenant_column: the pipeline fills it with the organisation; do not declare it',
      "pipelines/things.yaml:25: every table's key names the item a row came from, so it has 1 column(s) like things's",
    ]);
  });

  it('needs the transform module to exist and the watermark column to be declared', async () => {
    const withTransform = VALID.replace(
      /map:\n[\s\S]*?tables:/,
      `map:\n  transform: { module: transforms/things.ts, export: mapThing }\nincremental:\n  watermark: { table: things, column: updated }\n  param: since\n  value: '{watermark}'\ntables:`,
    );
    const { result } = await projectWith({ 'pipelines/things.yaml': withTransform });
    if (result.ok) throw new Error('expected problems');
    expect(result.problems.map((p) => `${p.file}:${p.line}: ${p.message}`)).toEqual([
      'pipelines/things.yaml:14: transform module transforms/things.ts not found',
      'pipelines/things.yaml:16: "updated" is not a column of table things',
    ]);
    const fixed = await projectWith({
      'pipelines/things.yaml': withTransform.replace('column: updated', 'column: created'),
      'transforms/things.ts': 'export const mapThing = () => ({ ok: false, problem: { message: "x" } });\n',
    });
    expect(fixed.result.ok).toBe(true);
  });

  it('refuses concurrency with token or link pagination, and a file pipeline with two tables', async () => {
    const { result } = await projectWith({
      'pipelines/things.yaml': VALID.replace('items: $', 'items: $\n  concurrency: 4'),
      'pipelines/files.yaml': `title: Files
organisation: acme
type: file
target: main
file: { path: 'imports/*.csv', format: csv }
tables:
  a: { key: [id], columns: { id: INTEGER } }
  b: { key: [id], columns: { id: INTEGER } }
`,
    });
    if (result.ok) throw new Error('expected problems');
    expect(result.problems.map((p) => `${p.file}:${p.line}: ${p.message}`)).toEqual([
      'pipelines/files.yaml:6: a file pipeline writes one table (its files have that table’s columns)',
      'pipelines/things.yaml:13: http.concurrency: pages of link pagination come one after another; concurrency needs offset or page',
    ]);
  });
});

describe('cronProblem', () => {
  it('accepts numbers, ranges, lists and steps within each field', () => {
    for (const ok of ['* * * * *', '30 3 * * *', '*/15 0-6,22-23 1 1-12/2 0,7'])
      expect(cronProblem(ok), ok).toBeNull();
  });
  it('refuses wrong field counts, out-of-range values, reversed ranges and junk', () => {
    expect(cronProblem('* * * *')).toMatch(/5 fields/);
    expect(cronProblem('0 24 * * *')).toMatch(/hour: 24 is outside 0–23/);
    expect(cronProblem('0 5-2 * * *')).toMatch(/reversed/);
    expect(cronProblem('@daily')).toMatch(/5 fields/);
    expect(cronProblem('0 0 * JAN *')).toMatch(/month: "JAN"/);
  });
});
