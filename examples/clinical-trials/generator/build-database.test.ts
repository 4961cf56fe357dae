import { existsSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TableName } from '../transforms/ctgov-study.js';
import {
  AGENCY_CLASSES,
  DATE_TYPES,
  INTERVENTION_TYPES,
  LOCATION_STATUSES,
  OVERALL_STATUSES,
  PHASES,
  SEXES,
  STUDY_TYPES,
  TABLE_NAMES,
} from '../transforms/ctgov-study.js';
import type { BuildDatabaseResult } from './build-database.js';
import { buildDatabase } from './build-database.js';
import { GENERATOR_TODAY, GENERATOR_VERSION, generateStudies } from './generate-studies.js';

const STUDIES = 2000;
const SEED = 4242;

let dir = '';
let first: BuildDatabaseResult;
let second: BuildDatabaseResult;
let instance: DuckDBInstance | undefined;
let db: DuckDBConnection;

/** Runs a query and returns plain JS rows (casts in the SQL keep BIGINTs out of the way). */
async function rows(connection: DuckDBConnection, sql: string): Promise<Record<string, unknown>[]> {
  return (await connection.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
}

async function one(sql: string): Promise<Record<string, unknown>> {
  const r = (await rows(db, sql))[0];
  if (r === undefined) throw new Error(`no row from: ${sql}`);
  return r;
}

async function distinct(sql: string): Promise<(string | null)[]> {
  return (await rows(db, sql)).map((r) => Object.values(r)[0] as string | null);
}

/** Row count, an order-independent hash sum and an md5 over the rows in sorted order. */
async function checksums(
  file: string,
): Promise<Record<string, { n: number; hashsum: string; digest: string }>> {
  const inst = await DuckDBInstance.create(file, { access_mode: 'READ_ONLY' });
  const conn = await inst.connect();
  try {
    const out: Record<string, { n: number; hashsum: string; digest: string }> = {};
    for (const table of [...TABLE_NAMES, 'meta']) {
      const [r] = await rows(
        conn,
        `SELECT count(*)::INTEGER AS n, sum(hash(t))::VARCHAR AS hashsum,
                md5(string_agg(CAST(t AS VARCHAR), chr(10) ORDER BY CAST(t AS VARCHAR))) AS digest
         FROM "${table}" t`,
      );
      out[table] = r as { n: number; hashsum: string; digest: string };
    }
    return out;
  } finally {
    conn.closeSync();
    inst.closeSync();
  }
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'trellis-ct-build-'));
  const a = path.join(dir, 'a.duckdb');
  // A stale temp file from a crashed build must not get in the way.
  writeFileSync(`${a}.tmp`, 'garbage from an earlier crash');
  const progress: number[] = [];
  first = await buildDatabase({
    file: a,
    studies: STUDIES,
    seed: SEED,
    onProgress: (done) => progress.push(done),
  });
  expect(progress.at(-1)).toBe(STUDIES);
  second = await buildDatabase({ file: path.join(dir, 'b.duckdb'), studies: STUDIES, seed: SEED });
  instance = await DuckDBInstance.create(a, { access_mode: 'READ_ONLY' });
  db = await instance.connect();
});

afterAll(async () => {
  db?.closeSync();
  instance?.closeSync();
  if (dir !== '') await rm(dir, { recursive: true, force: true });
});

describe('generateStudies', () => {
  it('is deterministic: same seed gives byte-identical JSON, another seed does not', () => {
    const run = (seed: number, count: number) => JSON.stringify([...generateStudies({ count, seed })]);
    expect(run(SEED, 300)).toBe(run(SEED, 300));
    expect(run(SEED + 1, 300)).not.toBe(run(SEED, 300));
  });

  it('gives a prefix of a larger run for a smaller count, and slices that join up', () => {
    const big = [...generateStudies({ count: 200, seed: SEED })];
    expect(JSON.stringify([...generateStudies({ count: 50, seed: SEED })])).toBe(
      JSON.stringify(big.slice(0, 50)),
    );
    expect(JSON.stringify([...generateStudies({ count: 150, seed: SEED, start: 50 })])).toBe(
      JSON.stringify(big.slice(50)),
    );
  });

  it('rejects bad options', () => {
    expect(() => [...generateStudies({ count: -1, seed: 1 })]).toThrow(RangeError);
    expect(() => [...generateStudies({ count: 1, seed: 1.5 })]).toThrow(RangeError);
    expect(() => [...generateStudies({ count: 1, seed: 2 ** 32 })]).toThrow(RangeError);
  });
});

describe('buildDatabase', () => {
  it('writes the file atomically and leaves no temp files behind', () => {
    expect(existsSync(first.file)).toBe(true);
    expect(existsSync(`${first.file}.tmp`)).toBe(false);
    expect(existsSync(`${first.file}.tmp.wal`)).toBe(false);
    expect(first.bytes).toBeGreaterThan(0);
  });

  it('is reproducible: two builds with the same seed have identical rows', async () => {
    expect(second.rowCounts).toEqual(first.rowCounts);
    const [a, b] = await Promise.all([checksums(first.file), checksums(second.file)]);
    expect(b).toEqual(a);
    expect(a['studies']?.n).toBe(STUDIES);
  });

  it('reports the real row counts of every table', async () => {
    for (const table of [...TABLE_NAMES, 'meta'] as const) {
      const r = await one(`SELECT count(*)::INTEGER AS n FROM "${table}"`);
      expect(r['n'], table).toBe(first.rowCounts[table]);
    }
    expect(first.rowCounts.locations).toBeGreaterThan(first.rowCounts.studies);
  });

  it('records generator version, seed and study count in meta', async () => {
    const meta = Object.fromEntries(
      (await rows(db, 'SELECT key, value FROM meta')).map((r) => [r['key'], r['value']]),
    );
    expect(meta).toEqual({
      generator_version: GENERATOR_VERSION,
      seed: String(SEED),
      study_count: String(STUDIES),
      generator_today: GENERATOR_TODAY,
    });
  });

  it('has unique study ids and no orphan child rows', async () => {
    expect((await one('SELECT count(DISTINCT nct_id)::INTEGER AS n FROM studies'))['n']).toBe(STUDIES);
    expect(
      (
        await one(
          `SELECT count(*)::INTEGER AS n FROM studies WHERE NOT regexp_full_match(nct_id, 'NCT[0-9]{8}')`,
        )
      )['n'],
    ).toBe(0);
    const children: TableName[] = ['conditions', 'interventions', 'sponsors', 'locations', 'outcomes'];
    for (const table of children) {
      const r = await one(
        `SELECT count(*)::INTEGER AS n FROM "${table}" c ANTI JOIN studies s USING (nct_id)`,
      );
      expect(r['n'], `orphans in ${table}`).toBe(0);
    }
  });

  it('splits the studies 60/40 between the demo organisations; child rows follow their study', async () => {
    const split = await rows(db, 'SELECT org, count(*)::INTEGER AS n FROM studies GROUP BY 1 ORDER BY 1');
    expect(split).toEqual([
      { org: 'atlas', n: STUDIES * 0.6 },
      { org: 'beacon', n: STUDIES * 0.4 },
    ]);
    const children: TableName[] = ['conditions', 'interventions', 'sponsors', 'locations', 'outcomes'];
    for (const table of children) {
      const r = await one(
        `SELECT count(*)::INTEGER AS n FROM "${table}" c JOIN studies s USING (nct_id)
         WHERE c.org IS DISTINCT FROM s.org`,
      );
      expect(r['n'], `rows of ${table} in another organisation than their study`).toBe(0);
    }
  });

  it('keeps the per-study counts equal to the child rows', async () => {
    const r = await one(`
      SELECT (SELECT sum(condition_count) FROM studies)::INTEGER AS cc, (SELECT count(*) FROM conditions)::INTEGER AS c,
             (SELECT sum(intervention_count) FROM studies)::INTEGER AS ic, (SELECT count(*) FROM interventions)::INTEGER AS i,
             (SELECT sum(location_count) FROM studies)::INTEGER AS lc, (SELECT count(*) FROM locations)::INTEGER AS l`);
    expect(r['cc']).toBe(r['c']);
    expect(r['ic']).toBe(r['i']);
    expect(r['lc']).toBe(r['l']);
    // Every study has exactly one LEAD sponsor row (leads without a name keep a row with a NULL name).
    expect((await one(`SELECT count(*)::INTEGER AS n FROM sponsors WHERE role = 'LEAD'`))['n']).toBe(STUDIES);
  });

  it('uses only the API value sets', async () => {
    const within = async (sql: string, allowed: readonly (string | null)[]) => {
      const values = await distinct(sql);
      expect(
        values.filter((v) => !allowed.includes(v)),
        sql,
      ).toEqual([]);
      return values;
    };
    const statuses = await within('SELECT DISTINCT overall_status FROM studies', OVERALL_STATUSES);
    for (const s of [
      'COMPLETED',
      'RECRUITING',
      'TERMINATED',
      'WITHDRAWN',
      'UNKNOWN',
      'ACTIVE_NOT_RECRUITING',
      'NOT_YET_RECRUITING',
    ]) {
      expect(statuses).toContain(s);
    }
    await within(
      `SELECT DISTINCT unnest(string_split(phase, '/')) FROM studies WHERE phase IS NOT NULL`,
      PHASES,
    );
    const phases = await distinct('SELECT DISTINCT phase FROM studies');
    expect(phases).toContain('PHASE1/PHASE2');
    await within('SELECT DISTINCT study_type FROM studies', STUDY_TYPES);
    await within('SELECT DISTINCT sponsor_class FROM studies', AGENCY_CLASSES);
    await within('SELECT DISTINCT sponsor_class FROM sponsors', [...AGENCY_CLASSES, null]);
    await within('SELECT DISTINCT role FROM sponsors', ['LEAD', 'COLLABORATOR']);
    await within('SELECT DISTINCT intervention_type FROM interventions', INTERVENTION_TYPES);
    await within('SELECT DISTINCT outcome_type FROM outcomes', ['PRIMARY', 'SECONDARY', 'OTHER']);
    await within('SELECT DISTINCT status FROM locations', [...LOCATION_STATUSES, null]);
    await within('SELECT DISTINCT sex FROM studies', [...SEXES, null]);
    for (const col of ['primary_completion_type', 'completion_type', 'enrollment_type']) {
      await within(`SELECT DISTINCT ${col} FROM studies`, [...DATE_TYPES, null]);
    }
    await within('SELECT DISTINCT start_date_precision FROM studies', ['month', 'day', null]);
  });

  it('has dates that parse, with precision and status consistent with the fixed today', async () => {
    const today = `DATE '${GENERATOR_TODAY}'`;
    const r = await one(`
      SELECT
        count(*) FILTER (WHERE start_date_precision = 'month')::INTEGER AS month_precision,
        count(*) FILTER (WHERE start_date_precision = 'day')::INTEGER AS day_precision,
        count(*) FILTER (WHERE start_date_precision = 'month' AND day(start_date) <> 1)::INTEGER AS month_not_first,
        count(*) FILTER (WHERE (start_date IS NULL) <> (start_date_precision IS NULL))::INTEGER AS precision_mismatch,
        count(*) FILTER (WHERE start_date NOT BETWEEN DATE '1990-01-01' AND DATE '2035-12-31')::INTEGER AS start_out_of_range,
        count(*) FILTER (WHERE last_updated > ${today} OR first_submitted > ${today})::INTEGER AS recorded_in_future,
        count(*) FILTER (WHERE first_submitted > last_updated)::INTEGER AS updated_before_submitted,
        count(*) FILTER (WHERE overall_status = 'COMPLETED' AND (completion_date >= ${today} OR completion_type = 'ESTIMATED'))::INTEGER AS completed_in_future,
        count(*) FILTER (WHERE overall_status = 'RECRUITING' AND (start_date > ${today} OR primary_completion_type <> 'ESTIMATED'))::INTEGER AS recruiting_wrong,
        count(*) FILTER (WHERE overall_status = 'NOT_YET_RECRUITING' AND start_date < date_trunc('month', ${today}))::INTEGER AS nyr_started,
        count(*) FILTER (WHERE primary_completion_type = 'ACTUAL' AND primary_completion_date >= ${today})::INTEGER AS actual_in_future,
        count(*) FILTER (WHERE overall_status = 'RECRUITING' AND completion_date > ${today})::INTEGER AS recruiting_future_end,
        count(*) FILTER (WHERE completion_date > primary_completion_date + INTERVAL 6 MONTH)::INTEGER AS long_follow_up
      FROM studies`);
    expect(r['month_precision']).toBeGreaterThan(0);
    expect(r['day_precision']).toBeGreaterThan(0);
    for (const bad of [
      'month_not_first',
      'precision_mismatch',
      'start_out_of_range',
      'recorded_in_future',
      'updated_before_submitted',
      'completed_in_future',
      'recruiting_wrong',
      'nyr_started',
      'actual_in_future',
    ]) {
      expect(r[bad], bad).toBe(0);
    }
    expect(r['recruiting_future_end']).toBeGreaterThan(0);
    expect(r['long_follow_up']).toBeGreaterThan(0);
  });

  it('has the shapes the dashboards rely on', async () => {
    const r = await one(`
      SELECT
        count(*) FILTER (WHERE study_type = 'OBSERVATIONAL' AND phase IS NOT NULL)::INTEGER AS observational_with_phase,
        count(*) FILTER (WHERE overall_status = 'WITHDRAWN' AND enrollment <> 0)::INTEGER AS withdrawn_enrolled,
        count(*) FILTER (WHERE enrollment = 0)::INTEGER AS zero_enrollment,
        count(*) FILTER (WHERE enrollment IS NULL)::INTEGER AS no_enrollment,
        count(*) FILTER (WHERE location_count >= 1000)::INTEGER AS mega,
        count(*) FILTER (WHERE brief_summary IS NULL)::INTEGER AS no_summary,
        count(*) FILTER (WHERE brief_title ILIKE '%diabetes%' OR brief_summary ILIKE '%diabetes%')::INTEGER AS diabetes,
        count(*) FILTER (WHERE brief_title ILIKE '%breast cancer%')::INTEGER AS breast_cancer,
        count(*) FILTER (WHERE has_results)::INTEGER AS with_results
      FROM studies`);
    expect(r['observational_with_phase']).toBe(0);
    expect(r['withdrawn_enrolled']).toBe(0);
    expect(r['zero_enrollment']).toBeGreaterThan(0);
    expect(r['no_enrollment']).toBeGreaterThan(0);
    expect(r['mega']).toBeGreaterThan(0);
    expect(r['no_summary']).toBeGreaterThan(0);
    expect(r['diabetes']).toBeGreaterThan(10);
    expect(r['breast_cancer']).toBeGreaterThan(10);
    expect(r['with_results']).toBeGreaterThan(0);
    const geo = await one(
      `SELECT count(*) FILTER (WHERE latitude NOT BETWEEN -90 AND 90 OR longitude NOT BETWEEN -180 AND 180)::INTEGER AS bad,
              count(DISTINCT country)::INTEGER AS countries FROM locations`,
    );
    expect(geo['bad']).toBe(0);
    expect(geo['countries']).toBeGreaterThanOrEqual(40);
  });

  it('rejects bad options before touching the disk', async () => {
    const file = path.join(dir, 'never.duckdb');
    await expect(buildDatabase({ file, studies: 0, seed: 1 })).rejects.toThrow(RangeError);
    await expect(buildDatabase({ file, studies: 10, seed: -1 })).rejects.toThrow(RangeError);
    expect(existsSync(file)).toBe(false);
    expect(existsSync(`${file}.tmp`)).toBe(false);
  });
});
