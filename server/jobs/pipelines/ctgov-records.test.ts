import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadProject } from '../../config/project/load-project.js';
import type { Pipeline } from '../../config/project/pipeline.types.js';
import {
  CTGOV_TABLES,
  TABLE_NAMES,
  mapStudy,
} from '../../../examples/clinical-trials/transforms/ctgov-study.js';
import { clinicalTrialsDir, repoRoot } from '../../../test/paths.js';
import type { ItemMapper } from './row-mapping.js';
import { loadMapper } from './transform-module.js';

// The example's pipeline file, as the runner reads it, over every recorded real API record.
let pipeline: Pipeline;
let mapper: ItemMapper;
beforeAll(async () => {
  const loaded = await loadProject(clinicalTrialsDir);
  if (!loaded.ok) throw new Error(loaded.problems.map((p) => `${p.file}:${p.line}: ${p.message}`).join('\n'));
  const found = loaded.project.pipelines.get('ctgov');
  if (!found) throw new Error('examples/clinical-trials/pipelines/ctgov.yaml did not load');
  pipeline = found;
  mapper = await loadMapper(pipeline, clinicalTrialsDir);
});

describe('pipelines/ctgov.yaml', () => {
  it('declares exactly the tables and columns the transform writes (CTGOV_TABLES), keyed by nct_id', () => {
    expect(pipeline.tables.map((t) => t.name)).toEqual([...TABLE_NAMES]);
    for (const t of pipeline.tables) {
      expect(t.key).toEqual(['nct_id']);
      expect(t.columns).toEqual(CTGOV_TABLES[t.name as (typeof TABLE_NAMES)[number]].map((c) => ({ ...c })));
    }
  });

  it('belongs to atlas, writes the main source with org as tenant column, and feeds every dataset', () => {
    expect(pipeline.organisation).toBe('atlas');
    expect(pipeline.tenantColumn).toBe('org');
    expect(pipeline.target.file).toBe(path.join(clinicalTrialsDir, 'data', 'trials.duckdb'));
    expect(pipeline.target.ingestFile).toBe(path.join(clinicalTrialsDir, 'data', 'trials.ingest.duckdb'));
    expect([...pipeline.datasets].sort()).toEqual(
      readdirSync(path.join(clinicalTrialsDir, 'datasets'))
        .map((f) => f.replace(/\.yaml$/, ''))
        .sort(),
    );
  });

  it('uses the real API by default, one request per second, pageSize 100–1000 and page tokens', () => {
    const http = pipeline.http;
    expect(http?.url).toBe('https://clinicaltrials.gov/api/v2/studies');
    expect(http?.urlEnv).toBe('CTGOV_BASE_URL');
    expect(http?.rateLimit).toBe(1);
    const size = Number(http?.params['pageSize']);
    expect(size).toBeGreaterThanOrEqual(100);
    expect(size).toBeLessThanOrEqual(1000);
    expect(http?.params['countTotal']).toBe('true');
    expect(http?.pagination).toEqual({ type: 'token', param: 'pageToken', next: 'nextPageToken' });
  });
});

// Every recorded real API record in the shared folder (outside the repo; never copied in).
const CTGOV_DIR = path.resolve(repoRoot, '../shared/data/ctgov');
const HAVE_REAL_DATA = existsSync(CTGOV_DIR);
if (!HAVE_REAL_DATA)
  console.warn(
    `!!! SKIPPED: pipeline mapping of real ClinicalTrials.gov records — ${CTGOV_DIR} does not exist (shared test data, not part of the repo) !!!`,
  );

/** Every study object in the folder: top-level arrays, partial/ arrays and pages/ envelopes. */
function recordedStudies(): { file: string; study: unknown }[] {
  const out: { file: string; study: unknown }[] = [];
  const read = (rel: string) => JSON.parse(readFileSync(path.join(CTGOV_DIR, rel), 'utf8')) as unknown;
  for (const folder of ['', 'partial', 'pages']) {
    for (const name of readdirSync(path.join(CTGOV_DIR, folder))
      .filter((n) => n.endsWith('.json'))
      .sort()) {
      const rel = path.join(folder, name);
      const data = read(rel);
      const studies = Array.isArray(data) ? data : (data as { studies?: unknown[] }).studies;
      if (!Array.isArray(studies)) throw new Error(`${rel}: no array of studies`);
      for (const study of studies) out.push({ file: rel, study });
    }
  }
  return out;
}

const TYPE_CHECKS: Record<string, (v: unknown) => boolean> = {
  VARCHAR: (v) => typeof v === 'string',
  INTEGER: (v) => typeof v === 'number' && Number.isInteger(v) && Math.abs(v) <= 2_147_483_647,
  BIGINT: (v) => typeof v === 'number' && Number.isSafeInteger(v),
  DOUBLE: (v) => typeof v === 'number' && Number.isFinite(v),
  BOOLEAN: (v) => typeof v === 'boolean',
  DATE: (v) => typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v),
};

describe.skipIf(!HAVE_REAL_DATA)('the ctgov pipeline maps every recorded real API record', () => {
  const records = HAVE_REAL_DATA ? recordedStudies() : [];

  it('found the recorded files (509 full records, 53 partial, 172 in the 14 pages)', () => {
    expect(records.length).toBe(509 + 53 + 172);
  });

  it('maps each record to typed rows whose counts match the transform, with one key per record', () => {
    let studies = 0;
    for (const { file, study } of records) {
      const mapped = mapper(study);
      const direct = mapStudy(study);
      expect(mapped.ok, `${file}: ${mapped.ok ? '' : mapped.reason}`).toBe(direct.ok);
      if (!mapped.ok || !direct.ok) continue;
      studies++;
      expect(mapped.key).toEqual([direct.nctId]);
      for (const t of pipeline.tables) {
        const rows = mapped.rows.get(t.name) ?? [];
        expect(rows.length, `${file} ${direct.nctId} ${t.name}`).toBe(
          direct.tables[t.name as (typeof TABLE_NAMES)[number]].length,
        );
        for (const row of rows)
          t.columns.forEach((c, i) => {
            const v = row[i];
            if (v !== null)
              expect(
                TYPE_CHECKS[c.type]?.(v),
                `${file} ${direct.nctId} ${t.name}.${c.name} = ${String(v)}`,
              ).toBe(true);
          });
      }
    }
    // Every recorded record has an nctId.
    expect(studies).toBe(records.length);
  });

  it('keeps the 1,000+ locations of NCT04267848, month-precision dates and enrollment 0', () => {
    const byId = new Map<string, unknown>();
    for (const { study } of records) {
      const r = mapStudy(study);
      if (r.ok) byId.set(r.nctId, study);
    }
    const big = mapper(byId.get('NCT04267848'));
    expect(big.ok && (big.rows.get('locations')?.length ?? 0)).toBeGreaterThanOrEqual(1000);

    const studyCols = pipeline.tables[0]?.columns.map((c) => c.name) ?? [];
    const col = (name: string) => studyCols.indexOf(name);
    let monthDates = 0;
    let zeroEnrollment = 0;
    for (const { study } of records) {
      const m = mapper(study);
      if (!m.ok) continue;
      const row = m.rows.get('studies')?.[0] ?? [];
      if (row[col('start_date_precision')] === 'month') {
        monthDates++;
        expect(String(row[col('start_date')])).toMatch(/^\d{4}-\d{2}-01$/);
      }
      if (row[col('enrollment')] === 0) zeroEnrollment++;
    }
    expect(monthDates).toBeGreaterThan(0);
    expect(zeroEnrollment).toBeGreaterThan(0);
  });
});
