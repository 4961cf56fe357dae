import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createMiniProject } from '../../../test/mini-project.js';
import { recordingContext, silentLogger } from '../../../test/pipeline-context.js';
import { queryFile } from '../../../test/pipeline-fixture.js';
import { loadProject } from '../../config/project/load-project.js';
import { isTrellisError } from '../../errors.js';
import { globToRegExp } from './file-pipeline-run.js';
import { createPipelineRunner } from './pipeline-runner.js';

// File pipelines: CSV/JSON files from the data folder into a table of the project's DuckDB file,
// upserted by key in batches (one checkpoint each), files already imported skipped next time.
const PIPELINE = (pattern: string, format: string) => `title: Readings
organisation: acme
type: file
target: main
tenant_column: org
file: { path: '${pattern}', format: ${format}, batch_rows: 100 }
publish_every: { pages: 1 }
tables:
  readings:
    key: [sensor, day]
    columns: { sensor: VARCHAR, day: DATE, value: DOUBLE, note: VARCHAR }
`;

function csv(rows: number, from = 0, value = (i: number) => i * 0.5): string {
  const lines = ['sensor,day,value,note'];
  for (let i = from; i < from + rows; i++)
    lines.push(
      `s${i % 7},${new Date(Date.UTC(2024, 0, 1 + Math.floor(i / 7))).toISOString().slice(0, 10)},${value(i)},"row ${i}"`,
    );
  return `${lines.join('\n')}\n`;
}

async function setup(pattern = 'imports/*.csv', format = 'csv') {
  const mini = await createMiniProject();
  mkdirSync(path.join(mini.dir, 'pipelines'));
  mkdirSync(path.join(mini.dir, 'data', 'imports'));
  writeFileSync(path.join(mini.dir, 'pipelines', 'readings.yaml'), PIPELINE(pattern, format));
  const loaded = await loadProject(mini.dir);
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
  const runner = createPipelineRunner({ project: loaded.project, environment: {}, logger: silentLogger });
  return { dir: mini.dir, db: mini.db, runner, imports: path.join(mini.dir, 'data', 'imports') };
}

const count = async (db: string) =>
  Number((await queryFile(db, `SELECT count(*) AS n FROM readings WHERE org = 'acme'`))[0]?.['n']);

describe('file pipelines', () => {
  it('imports every matching file in batches, keeps the other tables, and skips unchanged files next time', async () => {
    const { db, runner, imports } = await setup();
    writeFileSync(path.join(imports, 'a.csv'), csv(350));
    writeFileSync(path.join(imports, 'b.csv'), csv(120, 350));
    writeFileSync(path.join(imports, 'ignored.txt'), 'not,a,match\n');
    const ctx = recordingContext();
    const result = await runner.run('readings', ctx);
    expect(result).toEqual({ outcome: 'succeeded', rowsWritten: 470 });
    expect(await count(db)).toBe(470);
    expect(ctx.progressSeen.at(-1)).toMatchObject({ done: 2, total: 2, unit: 'files' });
    // The mini project's own tables are still there, untouched.
    expect(Number((await queryFile(db, 'SELECT count(*) AS n FROM canary'))[0]?.['n'])).toBe(7);
    const typed = await queryFile(
      db,
      `SELECT typeof(day) AS t, value FROM readings WHERE sensor = 's3' AND day = DATE '2024-01-01'`,
    );
    expect(typed).toEqual([{ t: 'DATE', value: 1.5 }]);

    const again = await runner.run('readings', recordingContext('run-2'));
    expect(again.rowsWritten).toBe(0);

    // A changed file is imported again: rows are replaced by key, none duplicated.
    writeFileSync(
      path.join(imports, 'b.csv'),
      csv(120, 350, () => 9999),
    );
    expect((await runner.run('readings', recordingContext('run-3'))).rowsWritten).toBe(120);
    expect(await count(db)).toBe(470);
    const changed = await queryFile(db, `SELECT count(*) AS n FROM readings WHERE value = 9999`);
    expect(Number(changed[0]?.['n'])).toBe(120);
  });

  it('resumes a cancelled import after the last batch written', async () => {
    const { db, runner, imports } = await setup();
    writeFileSync(path.join(imports, 'big.csv'), csv(1000));
    const ctx = recordingContext('run-1', (p, c) => {
      if (p.message?.startsWith('imports/big.csv: 200 rows')) c.controller.abort();
    });
    expect(await runner.run('readings', ctx)).toEqual({ outcome: 'cancelled', rowsWritten: 200 });
    expect(await count(db)).toBe(200);
    const next = recordingContext('run-2');
    expect(await runner.run('readings', next)).toEqual({ outcome: 'succeeded', rowsWritten: 800 });
    expect(next.logs.map((l) => l.message)).toContain('imports/big.csv: resuming after row 200');
    expect(await count(db)).toBe(1000);
  });

  it('reads JSON files too, and a later row of the same key wins', async () => {
    const { db, runner, imports } = await setup('imports/*.json', 'json');
    const rows = [
      { sensor: 'x', day: '2024-02-01', value: 1, note: 'first' },
      { sensor: 'x', day: '2024-02-01', value: 2, note: 'second' },
      { sensor: 'y', day: '2024-02-01', value: 3, note: null },
    ];
    writeFileSync(path.join(imports, 'r.json'), JSON.stringify(rows));
    await runner.run('readings', recordingContext());
    expect(await queryFile(db, `SELECT sensor, value, note FROM readings ORDER BY sensor`)).toEqual([
      { sensor: 'x', value: 2, note: 'second' },
      { sensor: 'y', value: 3, note: null },
    ]);
  });

  it('never reads outside the data folder', async () => {
    const { runner } = await setup('../*.yaml');
    const err = await runner.run('readings', recordingContext()).then(
      () => null,
      (e: unknown) => e,
    );
    expect(isTrellisError(err) && err.code).toBe('PIPELINE_FAILED');
    expect((err as Error).message).toBe('Pipeline readings: "../*.yaml" leaves the data folder');
  });

  it('globToRegExp: *, ?, [set] and {a,b} in file names', () => {
    const re = globToRegExp('r?-[0-9]*.{csv,tsv}');
    expect(['r1-2024.csv', 'ra-9.tsv'].every((n) => re.test(n))).toBe(true);
    expect(['r1-x.csv', 'r12-1.csv', 'r1-1.json', 'r1-1.csv.bak'].some((n) => re.test(n))).toBe(false);
  });
});
