import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadProject } from '../../config/project/load-project.js';
import type { Pipeline } from '../../config/project/pipeline.types.js';
import {
  CTGOV_TABLES,
  TABLE_NAMES,
  mapStudy,
} from '../../../examples/clinical-trials/transforms/ctgov-study.js';
import { recordingContext, silentLogger } from '../../../test/pipeline-context.js';
import { createPipelineProject, queryFile, summarise } from '../../../test/pipeline-fixture.js';
import { clinicalTrialsDir, repoRoot } from '../../../test/paths.js';
import { createPipelineRunner } from './pipeline-runner.js';
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
    // Problems are collected and compared once (an expect per cell would take seconds).
    const problems: string[] = [];
    let studies = 0;
    for (const { file, study } of records) {
      const mapped = mapper(study);
      const direct = mapStudy(study);
      if (mapped.ok !== direct.ok) problems.push(`${file}: ${mapped.ok ? 'mapped' : mapped.reason}`);
      if (!mapped.ok || !direct.ok) continue;
      studies++;
      if (JSON.stringify(mapped.key) !== JSON.stringify([direct.nctId]))
        problems.push(`${file}: key ${String(mapped.key)}`);
      for (const t of pipeline.tables) {
        const rows = mapped.rows.get(t.name) ?? [];
        const want = direct.tables[t.name as (typeof TABLE_NAMES)[number]].length;
        if (rows.length !== want)
          problems.push(`${file} ${direct.nctId} ${t.name}: ${rows.length} rows, not ${want}`);
        for (const row of rows)
          t.columns.forEach((c, i) => {
            const v = row[i];
            if (v !== null && v !== undefined && !TYPE_CHECKS[c.type]?.(v))
              problems.push(`${file} ${direct.nctId} ${t.name}.${c.name} = ${String(v)} is not ${c.type}`);
          });
      }
    }
    expect(problems).toEqual([]);
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

describe.skipIf(!HAVE_REAL_DATA)('the ctgov pipeline over the 14 recorded response pages', () => {
  it('follows their page tokens through a local server and writes the last version of each study', async () => {
    const dir = path.join(CTGOV_DIR, 'pages');
    const pages = readdirSync(dir)
      .filter((n) => n.endsWith('.json'))
      .sort()
      .map((name) => {
        const text = readFileSync(path.join(dir, name), 'utf8');
        const body = JSON.parse(text) as { studies: unknown[]; nextPageToken?: string };
        return { name, text, body };
      });
    expect(pages).toHaveLength(14);
    // Pages with a token first, the one without last: each token leads to the next file.
    const ordered = [
      ...pages.filter((p) => p.body.nextPageToken),
      ...pages.filter((p) => !p.body.nextPageToken),
    ];
    expect(ordered.filter((p) => !p.body.nextPageToken)).toHaveLength(1);
    // Some recorded pages share a token (the same query recorded twice), so the server replays in
    // order: request k must carry the token of page k - 1, and gets page k.
    let served = 0;
    const server = createServer((req, res) => {
      const token = new URL(req.url ?? '/', 'http://x').searchParams.get('pageToken');
      const expected = served === 0 ? null : ordered[served - 1]?.body.nextPageToken;
      const page = token === (expected ?? null) ? ordered[served] : undefined;
      if (!page) {
        res.writeHead(400, { 'content-type': 'application/json' }).end('{"message":"Invalid pageToken"}');
        return;
      }
      served++;
      // The recorded bytes, as the API sent them (re-indented by the collector, otherwise unchanged).
      res.writeHead(200, { 'content-type': 'application/json' }).end(page.text);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as AddressInfo).port;
      const project = await createPipelineProject();
      const loaded = await loadProject(project.dir);
      if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
      const runner = createPipelineRunner({
        project: loaded.project,
        environment: { CTGOV_BASE_URL: `http://127.0.0.1:${port}/api/v2/studies` },
        logger: silentLogger,
      });
      const ctx = recordingContext();
      expect((await runner.run('ctgov', ctx)).outcome).toBe('succeeded');
      expect(served).toBe(14);

      // Expected: every study in page order, the last occurrence of an NCT id winning.
      const last = new Map<string, ReturnType<typeof mapStudy>>();
      for (const p of ordered)
        for (const s of p.body.studies) {
          const m = mapStudy(s);
          if (m.ok) last.set(m.nctId, m);
        }
      const expected: Record<string, number> = Object.fromEntries(TABLE_NAMES.map((t) => [t, 0]));
      for (const m of last.values())
        if (m.ok) for (const t of TABLE_NAMES) expected[t] = (expected[t] ?? 0) + m.tables[t].length;
      const got = await summarise(project.served, TABLE_NAMES, 'atlas');
      expect(Object.fromEntries(Object.entries(got).map(([t, s]) => [t, s.rows]))).toEqual(expected);
      expect(ctx.progressSeen.at(-1)).toMatchObject({ done: 172, unit: 'items' });
      // A study that two pages carry with different fields holds the later page's values.
      const titles = await queryFile(
        project.served,
        'SELECT nct_id, brief_title FROM studies ORDER BY nct_id',
      );
      for (const row of titles) {
        const m = last.get(String(row['nct_id']));
        expect(row['brief_title']).toBe(m?.ok ? m.tables.studies[0]?.brief_title : undefined);
      }
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
