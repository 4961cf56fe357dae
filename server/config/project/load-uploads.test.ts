import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createMiniProject } from '../../../test/mini-project.js';
import { loadProject } from './load-project.js';

async function projectWith(files: Record<string, string>) {
  const mini = await createMiniProject();
  mkdirSync(path.join(mini.dir, 'uploads'), { recursive: true });
  mkdirSync(path.join(mini.dir, 'pipelines'), { recursive: true });
  for (const [file, text] of Object.entries(files)) writeFileSync(path.join(mini.dir, file), text);
  return { dir: mini.dir, result: await loadProject(mini.dir) };
}

const VALID = `title: Enrollment targets
description: One row per sponsor.
target: main
table: enrollment_targets
tenant_column: org
key: [sponsor]
mode: upsert
columns:
  sponsor: { type: VARCHAR, max_length: 200 }
  target: { type: INTEGER, required: true, min: 0, max: 1000000 }
  phase: { type: VARCHAR, allowed: [PHASE1, PHASE2, PHASE3] }
  code: { type: VARCHAR, pattern: '^[A-Z]{3}$', header: Sponsor code }
  starts: { type: DATE, min: '2000-01-01' }
limits: { bytes: 10MB, rows: 5000 }
formats: [csv, xlsx]
`;

function problemsOf(result: Awaited<ReturnType<typeof loadProject>>): string[] {
  if (result.ok) throw new Error('expected problems');
  return result.problems.map((p) => `${p.file}:${p.line}: ${p.message}`);
}

describe('uploads/*.yaml', () => {
  it('loads a valid target with its defaults, rules and the datasets on its source', async () => {
    const { result } = await projectWith({ 'uploads/targets.yaml': VALID });
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    const u = result.project.uploads.get('targets');
    expect(u).toMatchObject({
      id: 'targets',
      file: 'uploads/targets.yaml',
      role: 'editor',
      source: 'main',
      sourceType: 'duckdb',
      table: 'enrollment_targets',
      tenantColumn: 'org',
      key: ['sponsor'],
      mode: 'upsert',
      formats: ['csv', 'xlsx'],
      limits: { bytes: 10 * 1024 * 1024, rows: 5000, columns: 200, cellBytes: 64 * 1024 },
      extraColumns: 'reject',
      invalidRows: { action: 'reject', maxShare: 0 },
      keepVersions: 10,
      profile: { exactRows: 200_000 },
    });
    expect(u?.columns.map((c) => [c.name, c.header, c.required])).toEqual([
      ['sponsor', 'sponsor', true], // a key column is required
      ['target', 'target', true],
      ['phase', 'phase', false],
      ['code', 'Sponsor code', false],
      ['starts', 'starts', false],
    ]);
    expect(u?.columns[2]?.allowed).toEqual(['PHASE1', 'PHASE2', 'PHASE3']);
    expect(u?.datasets).toEqual([...result.project.datasets.keys()]);
    expect(u?.datasets.length).toBeGreaterThan(0);
  });

  it('a project without uploads/ has none', async () => {
    const mini = await createMiniProject();
    const result = await loadProject(mini.dir);
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    expect(result.project.uploads.size).toBe(0);
  });

  it('reports schema problems at their line', async () => {
    const bad = VALID.replace('mode: upsert', 'mode: merge').replace('role', 'x');
    const { result } = await projectWith({
      'uploads/targets.yaml': bad + 'role: viewer\n',
    });
    const problems = problemsOf(result);
    expect(problems.some((p) => /^uploads\/targets\.yaml:7: .*mode/.test(p))).toBe(true);
    expect(problems.some((p) => /^uploads\/targets\.yaml:16: .*role/.test(p))).toBe(true);
  });

  it('profile.exact_rows: read as set; a negative one or an unknown key is a problem at its line', async () => {
    const set = await projectWith({ 'uploads/targets.yaml': `${VALID}profile: { exact_rows: 1000 }\n` });
    if (!set.result.ok) throw new Error(JSON.stringify(set.result.problems));
    expect(set.result.project.uploads.get('targets')?.profile).toEqual({ exactRows: 1000 });
    for (const wrong of ['profile: { exact_rows: -1 }', 'profile: { exact: 10 }']) {
      const { result } = await projectWith({ 'uploads/targets.yaml': `${VALID}${wrong}\n` });
      expect(
        problemsOf(result).some((p) => /^uploads\/targets\.yaml:\d+: .*/.test(p) && /profile|exact/.test(p)),
      ).toBe(true);
    }
  });

  it('cross-checks the target, tenant column, key, rules and tables owned by others', async () => {
    const text = `title: Bad
target: main
table: items
tenant_column: org
key: [sponsor, nope]
mode: upsert
columns:
  org: { type: VARCHAR }
  sponsor: { type: VARCHAR, min: 3 }
  n: { type: INTEGER, max_length: 4, min: 9, max: 1 }
  d: { type: DATE, max: 'not a date' }
  p: { type: VARCHAR, pattern: '([' }
  Sponsor2: { type: VARCHAR, header: SPONSOR }
limits: { bytes: 1KB, cell_bytes: 2KB }
`;
    const other = `title: Other
target: elsewhere
table: _trellis_x
tenant_column: org
columns: { a: { type: VARCHAR } }
`;
    const { result } = await projectWith({ 'uploads/bad.yaml': text, 'uploads/other.yaml': other });
    const problems = problemsOf(result);
    const expected = [
      'uploads/bad.yaml:5: key column "nope" is not a declared column',
      'uploads/bad.yaml:8: "org" is the tenant_column: Trellis fills it with the organisation; do not declare it',
      'uploads/bad.yaml:9: min applies to numeric and date columns',
      'uploads/bad.yaml:10: max_length applies to VARCHAR columns',
      'uploads/bad.yaml:10: min (9) is above max (1)',
      'uploads/bad.yaml:11: max of a DATE column is a date such as 2024-01-31',
      'uploads/bad.yaml:13: header "SPONSOR" is also the header of column sponsor',
      'uploads/bad.yaml:14: cell_bytes is larger than the file limit (bytes)',
      'uploads/other.yaml:2: unknown source "elsewhere" (declared: main)',
      'uploads/other.yaml:3: table names starting with _trellis are reserved',
    ];
    for (const e of expected) expect(problems).toContain(e);
    expect(
      problems.some((p) => p.startsWith('uploads/bad.yaml:12: pattern is not a valid regular expression')),
    ).toBe(true);
  });

  it('refuses two uploads on one table, and a table a pipeline writes', async () => {
    const pipeline = `title: Things
organisation: acme
type: file
target: main
tenant_column: org
file: { path: things.csv, format: csv }
tables:
  things:
    key: [id]
    columns: { id: BIGINT }
`;
    const a = VALID;
    const b = VALID.replace('title: Enrollment targets', 'title: Twice');
    const c = VALID.replace('table: enrollment_targets', 'table: things');
    const { result } = await projectWith({
      'pipelines/things.yaml': pipeline,
      'uploads/a.yaml': a,
      'uploads/b.yaml': b,
      'uploads/c.yaml': c,
    });
    const problems = problemsOf(result);
    expect(problems).toContain(
      'uploads/b.yaml:4: table "enrollment_targets" is already the target of upload a (uploads/a.yaml)',
    );
    expect(problems).toContain(
      'uploads/c.yaml:4: table "things" is written by pipeline things (pipelines/things.yaml); give the upload its own',
    );
  });

  it('refuses a file name that is not an id and upsert without a key', async () => {
    const { result } = await projectWith({
      'uploads/Bad Name.yaml': VALID,
      'uploads/nokey.yaml': VALID.replace('key: [sponsor]\n', ''),
    });
    const problems = problemsOf(result);
    expect(problems).toContain(
      'uploads/Bad Name.yaml:1: file name "Bad Name" must be a lower-case id (letters, digits, - or _)',
    );
    expect(problems.some((p) => /^uploads\/nokey\.yaml:\d+: .*mode upsert merges on the key/.test(p))).toBe(
      true,
    );
  });
});
