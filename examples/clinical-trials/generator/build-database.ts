/**
 * Builds the offline `clinical-trials` DuckDB database: generated API-shaped studies → mapStudy
 * → six tables (+ `meta`), through the same transform real ingestion uses; then each row gets its
 * demo organisation (`org`, organisations.ts).
 *
 * The file appears atomically: everything is written to `<file>.tmp` and renamed at the end, so
 * a server never opens a half-built database and a crashed build leaves the old file in place.
 */
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { DuckDBDateValue, DuckDBInstance } from '@duckdb/node-api';
import type { DuckDBAppender, DuckDBConnection } from '@duckdb/node-api';
import type { ColumnSpec, StudyTables, TableName } from '../transforms/ctgov-study.js';
import { CTGOV_TABLES, TABLE_NAMES, isoDateToEpochDays, mapStudy } from '../transforms/ctgov-study.js';
import { versionedTableSql } from '../../../server/query/engines/index.js';
import { assignOrganisations } from './organisations.js';
import { GENERATOR_TODAY, GENERATOR_VERSION, MAX_STUDIES, generateStudies } from './generate-studies.js';

/** uploads/enrollment_targets.yaml as the versioned table it fills (the server checks they agree). */
const ENROLLMENT_TARGETS = {
  target: 'enrollment_targets',
  table: 'enrollment_targets',
  tenantColumn: 'org',
  columns: [
    { name: 'sponsor', type: 'VARCHAR' },
    { name: 'target', type: 'INTEGER' },
  ],
  key: ['sponsor'],
} as const;

export interface BuildDatabaseOptions {
  /** Final path of the DuckDB file; replaced atomically if it exists. */
  file: string;
  studies: number;
  seed: number;
  /** Called every PROGRESS_EVERY studies and once at the end. */
  onProgress?: (done: number, total: number) => void;
}

export interface BuildDatabaseResult {
  file: string;
  studies: number;
  seed: number;
  rowCounts: Record<TableName | 'meta', number>;
  seconds: number;
  bytes: number;
}

export const PROGRESS_EVERY = 1000;

/** Only the studies table has a key: child tables repeat nct_id by design. */
function createTableSql(table: TableName): string {
  // Only names and types are needed here, so the row type of each table can be forgotten.
  const columns: readonly { name: string; type: string }[] = CTGOV_TABLES[table];
  const defs = columns.map(
    (c) => `"${c.name}" ${c.type}${table === 'studies' && c.name === 'nct_id' ? ' PRIMARY KEY' : ''}`,
  );
  return `CREATE TABLE "${table}" (${defs.join(', ')})`;
}

/**
 * Appends rows column by column. Types are checked per value: a mismatch is a bug in the
 * transform, and failing the build is better than a database that quietly disagrees with it.
 */
function appendRows<R extends object>(
  appender: DuckDBAppender,
  columns: readonly ColumnSpec<R>[],
  rows: readonly R[],
): void {
  for (const row of rows) {
    for (const col of columns) {
      const v: unknown = row[col.name];
      if (v === null || v === undefined) {
        appender.appendNull();
        continue;
      }
      switch (col.type) {
        case 'VARCHAR':
          if (typeof v !== 'string') throw new TypeError(`${col.name}: expected string, got ${typeof v}`);
          appender.appendVarchar(v);
          break;
        case 'INTEGER':
          if (typeof v !== 'number' || !Number.isInteger(v))
            throw new TypeError(`${col.name}: expected integer`);
          appender.appendInteger(v);
          break;
        case 'DOUBLE':
          if (typeof v !== 'number') throw new TypeError(`${col.name}: expected number`);
          appender.appendDouble(v);
          break;
        case 'BOOLEAN':
          if (typeof v !== 'boolean') throw new TypeError(`${col.name}: expected boolean`);
          appender.appendBoolean(v);
          break;
        case 'DATE':
          if (typeof v !== 'string') throw new TypeError(`${col.name}: expected ISO date string`);
          appender.appendDate(new DuckDBDateValue(isoDateToEpochDays(v)));
          break;
      }
    }
    appender.endRow();
  }
}

type Appenders = { [T in TableName]: DuckDBAppender };

function appendTables(appenders: Appenders, t: StudyTables): void {
  appendRows(appenders.studies, CTGOV_TABLES.studies, t.studies);
  appendRows(appenders.conditions, CTGOV_TABLES.conditions, t.conditions);
  appendRows(appenders.interventions, CTGOV_TABLES.interventions, t.interventions);
  appendRows(appenders.sponsors, CTGOV_TABLES.sponsors, t.sponsors);
  appendRows(appenders.locations, CTGOV_TABLES.locations, t.locations);
  appendRows(appenders.outcomes, CTGOV_TABLES.outcomes, t.outcomes);
}

async function removeDatabaseFiles(file: string): Promise<void> {
  // DuckDB keeps uncheckpointed changes in `<file>.wal`; a stale one would be replayed on open.
  await rm(file, { force: true });
  await rm(`${file}.wal`, { force: true });
}

async function countRows(connection: DuckDBConnection, table: string): Promise<number> {
  const reader = await connection.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM "${table}"`);
  const n = reader.getRowObjects()[0]?.['n'];
  if (typeof n !== 'number') throw new Error(`count(*) of ${table} returned ${String(n)}`);
  return n;
}

export async function buildDatabase(options: BuildDatabaseOptions): Promise<BuildDatabaseResult> {
  const { studies, seed, onProgress } = options;
  if (!Number.isInteger(studies) || studies < 1 || studies > MAX_STUDIES) {
    throw new RangeError(`studies must be an integer between 1 and ${MAX_STUDIES}`);
  }
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new RangeError('seed must be an integer between 0 and 4294967295');
  }
  const file = path.resolve(options.file);
  const tmp = `${file}.tmp`;
  const started = performance.now();
  await mkdir(path.dirname(file), { recursive: true });
  await removeDatabaseFiles(tmp);

  const rowCounts = {} as Record<TableName | 'meta', number>;
  const instance = await DuckDBInstance.create(tmp);
  let connection: DuckDBConnection | undefined;
  try {
    connection = await instance.connect();
    for (const table of TABLE_NAMES) await connection.run(createTableSql(table));
    await connection.run('CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR)');

    const appenders = {} as Appenders;
    for (const table of TABLE_NAMES) appenders[table] = await connection.createAppender(table);
    let done = 0;
    for (const study of generateStudies({ count: studies, seed })) {
      const mapped = mapStudy(study);
      // The generator always writes an nctId, so a problem here is a generator bug.
      if (!mapped.ok) throw new Error(`generated study ${done} did not map: ${mapped.problem.message}`);
      appendTables(appenders, mapped.tables);
      done++;
      if (done % PROGRESS_EVERY === 0 || done === studies) {
        onProgress?.(done, studies);
        // The appender calls are synchronous; yielding keeps a host process (server, worker)
        // responsive when the build runs in-process.
        await yieldToEventLoop();
      }
    }
    for (const table of TABLE_NAMES) appenders[table].closeSync();
    await assignOrganisations(connection);
    // The upload target's (empty) versioned table, so the datasets joining it answer — and
    // `trellis check` can read their SQL — before any organisation uploads its targets.
    for (const sql of versionedTableSql(ENROLLMENT_TARGETS)) await connection.run(sql);

    const meta: [string, string][] = [
      ['generator_version', GENERATOR_VERSION],
      ['seed', String(seed)],
      ['study_count', String(studies)],
      ['generator_today', GENERATOR_TODAY],
    ];
    const metaAppender = await connection.createAppender('meta');
    for (const [key, value] of meta) {
      metaAppender.appendVarchar(key);
      metaAppender.appendVarchar(value);
      metaAppender.endRow();
    }
    metaAppender.closeSync();

    await connection.run('CHECKPOINT');
    for (const table of [...TABLE_NAMES, 'meta'] as const)
      rowCounts[table] = await countRows(connection, table);
  } catch (err) {
    connection?.closeSync();
    instance.closeSync();
    await removeDatabaseFiles(tmp);
    throw err;
  }
  connection.closeSync();
  instance.closeSync();

  await rm(`${file}.wal`, { force: true });
  await rename(tmp, file);
  await rm(`${tmp}.wal`, { force: true });
  const bytes = (await stat(file)).size;
  return { file, studies, seed, rowCounts, seconds: (performance.now() - started) / 1000, bytes };
}
