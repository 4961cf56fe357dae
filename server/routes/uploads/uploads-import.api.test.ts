import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { SignedIn, TestApp } from '../../../test/app-harness.js';
import {
  BOUNDARY,
  importUpload,
  sendUpload,
  startUploadApi,
  widgetTotal,
  type UploadApi,
} from '../../../test/upload-api.js';

/**
 * Profile, validation report, import into versions, rollback — on the mini project's DuckDB file,
 * through the API, with two organisations and a viewer. The dashboard widget reads the upload's
 * table like any other, so "the numbers changed" is asked of the widget data route.
 */
const TARGET = `title: Targets
target: main
table: targets
tenant_column: org
key: [sponsor]
mode: replace
columns:
  sponsor: { type: VARCHAR, max_length: 10 }
  target: { type: INTEGER, required: true, min: 0, max: 1000 }
  phase: { type: VARCHAR, allowed: [P1, P2, P3] }
  code: { type: VARCHAR, pattern: '^[A-Z]{3}$' }
  starts: { type: DATE }
limits: { bytes: 1MB, rows: 50, cell_bytes: 100B }
invalid_rows: { action: skip, max_share: 0.34 }
keep_versions: 3
`;
const STRICT = `title: Strict
target: main
table: strict_targets
tenant_column: org
key: [sponsor]
mode: upsert
columns:
  sponsor: { type: VARCHAR }
  target: { type: INTEGER, required: true }
`;
/** The same rules as TARGET's first columns, profiled approximately above 5 rows. */
const APPROX = `title: Approximate
target: main
table: approx_targets
tenant_column: org
key: [sponsor]
columns:
  sponsor: { type: VARCHAR }
  target: { type: INTEGER, required: true }
  phase: { type: VARCHAR }
  code: { type: VARCHAR }
  starts: { type: DATE }
limits: { rows: 10000 }
profile: { exact_rows: 5 }
`;
let api: UploadApi;
let app: TestApp;
let tempDir: string;
let a: SignedIn;
let b: SignedIn;
let viewer: SignedIn;

beforeAll(async () => {
  api = await startUploadApi({ targets: TARGET, strict: STRICT, approx: APPROX }, 'upload-tmp');
  ({ app, tempDir, a, b, viewer } = api);
}, 60_000);
afterAll(async () => api.close());

const send = async (who: SignedIn, fileName: string, content: string, target = 'targets') => {
  const r = await sendUpload(who, fileName, content, { target, contentType: 'text/csv' });
  expect(r.statusCode).toBe(201);
  return r.json().id as string;
};
const post = (who: SignedIn, url: string) => who.inject({ method: 'POST', url, payload: {} });
const total = widgetTotal;
const totalValue = async (who: SignedIn) => Number((await total(who)).rows[0]?.[0] ?? 0);
const auditRows = (action: string) =>
  app.services.store.db.selectFrom('audit_log').selectAll().where('action', '=', action).execute();

const GOOD = 'sponsor,target,phase,code,starts\nAlpha,10,P1,ABC,2024-01-31\nBeta,20,P2,DEF,2024-02-29\n';

describe('profile', () => {
  test('per column: nulls, distinct, min/max/mean, top values, IQR outliers; duplicates; a score', async () => {
    const rows = [
      ...Array.from({ length: 9 }, (_, i) => `S${i},${10 + i},P1,ABC,`),
      'S0,1000,P1,ABC,', // an outlier of target, and a duplicate key
      'S3,13,P1,ABC,', // a duplicate row (and key)
    ];
    const id = await send(a, 'p.csv', `sponsor,target,phase,code,starts\n${rows.join('\n')}\n`);
    const r = await a.inject(`/api/v1/uploads/${id}/profile`);
    expect(r.statusCode).toBe(200);
    const p = r.json();
    expect(p.rows).toBe(11);
    const target = p.columns.find((c: { column: string }) => c.column === 'target');
    expect(target).toMatchObject({
      kind: 'number',
      nulls: 0,
      distinct: 10,
      min: '10',
      max: '1000',
      outliers: 1,
    });
    expect(target.mean).toBeCloseTo((10 + 11 + 12 + 13 + 14 + 15 + 16 + 17 + 18 + 1000 + 13) / 11);
    const starts = p.columns.find((c: { column: string }) => c.column === 'starts');
    expect(starts).toMatchObject({ nulls: 11, nullShare: 1, distinct: 0, top: [] });
    const sponsor = p.columns.find((c: { column: string }) => c.column === 'sponsor');
    expect(sponsor.top.slice(0, 2)).toEqual([
      { value: 'S0', count: 2 },
      { value: 'S3', count: 2 },
    ]);
    expect(p.duplicateRows).toBe(1);
    expect(p.duplicateKeys).toBe(2);
    expect(p.quality.score).toBeGreaterThan(0);
    expect(p.quality.score).toBeLessThan(100);
    expect(p.quality.filled).toBeCloseTo(44 / 55);
    expect(p).toMatchObject({ approximate: false, approximation: null });
  });

  test('above profile.exact_rows: estimated distinct counts, quartiles and top values, said so; duplicates exact', async () => {
    // 3,000 rows: sponsors S0..S2399 once each, then S0..S599 again (600 duplicate keys), of which
    // the first 200 repeat their whole row (200 duplicate rows); target 1..100 with 7 rows at 5000.
    const rows = Array.from({ length: 2400 }, (_, i) => `S${i},${(i % 100) + 1},P1,ABC,`);
    for (let i = 0; i < 600; i++)
      rows.push(i < 200 ? (rows[i] ?? '') : `S${i},${i < 207 ? 5000 : 50},P2,DEF,`);
    const id = await send(a, 'big.csv', `sponsor,target,phase,code,starts\n${rows.join('\n')}\n`, 'approx');
    const p = (await a.inject(`/api/v1/uploads/${id}/profile`)).json();
    expect(p).toMatchObject({
      rows: 3000,
      approximate: true,
      approximation: { exactRows: 5, distinct: 'hash64', quartiles: 't-digest', topValues: 'space-saving' },
      duplicateRows: 200,
      duplicateKeys: 600,
    });
    const col = (name: string) => p.columns.find((c: { column: string }) => c.column === name);
    // Distinct 64-bit hashes: exact here (no two of these values share a hash).
    expect(col('sponsor').distinct).toBe(2400);
    expect(col('target').distinct).toBe(101);
    // The outliers of estimated fences (quartiles ~25 and ~75): the seven 5000s, counted exactly.
    expect(col('target').outliers).toBe(7);
    // Heavy hitters are found, and their counts are exact: P1 2,600 rows, P2 400 (200 + 200 repeats).
    expect(col('phase').top).toEqual([
      { value: 'P1', count: 2600 },
      { value: 'P2', count: 400 },
    ]);
    expect(col('target').top[0]).toEqual({ value: '50', count: 24 + 2 + 393 });
    expect(col('starts')).toMatchObject({ nulls: 3000, distinct: 0, top: [] });
  });

  test('a clean file scores 100', async () => {
    const id = await send(a, 'clean.csv', GOOD);
    expect((await a.inject(`/api/v1/uploads/${id}/profile`)).json().quality.score).toBe(100);
  });

  test("another organisation's profile is not found; a viewer is refused", async () => {
    const id = await send(a, 'secret.csv', GOOD);
    const other = await b.inject(`/api/v1/uploads/${id}/profile`);
    expect(other.statusCode).toBe(404);
    expect(other.json().error).toBe('UPLOAD_NOT_FOUND');
    expect((await viewer.inject(`/api/v1/uploads/${id}/profile`)).statusCode).toBe(403);
    expect((await app.inject(`/api/v1/uploads/${id}/profile`)).statusCode).toBe(401);
  });
});

describe('validation report', () => {
  const BAD =
    'sponsor,target,phase,code,starts\n' +
    'Alpha,10,P1,ABC,2024-01-31\n' + // row 1: fine
    'Beta,ten,P9,abcd,2024-13-01\n' + // row 2: type, allowed, pattern, type (date)
    ',5,P1,ABC,\n' + // row 3: required (key)
    'Alpha,2000,P2,ABC,\n' + // row 4: range, unique
    'Waytoolongname,1,P3,ABC,\n' + // row 5: max_length
    '=cmd|calc,7,P1,ABC,\n'; // row 6: fine (a formula is text like any other)

  test('every failing cell with row number, column, value and rule; paged', async () => {
    const id = await send(a, 'bad.csv', BAD);
    const r = await a.inject(`/api/v1/uploads/${id}/report?limit=100`);
    expect(r.statusCode).toBe(200);
    const rep = r.json();
    expect(rep).toMatchObject({
      totalRows: 6,
      invalidRows: 4,
      validRows: 2,
      problems: [],
      importable: false,
    });
    expect(rep.blockedBy).toMatch(/4 of 6 rows are invalid/);
    const got = rep.failures.map((f: { row: number; column: string; value: string | null; rule: string }) =>
      [f.row, f.column, f.value, f.rule].join('|'),
    );
    expect(got).toEqual([
      '2|target|ten|type',
      '2|phase|P9|allowed',
      '2|code|abcd|pattern',
      '2|starts|2024-13-01|type',
      '3|sponsor||required',
      '4|sponsor|Alpha|unique',
      '4|target|2000|range',
      '5|sponsor|Waytoolongname|max_length',
    ]);
    expect(rep.failuresTotal).toBe(8);
    const page2 = (await a.inject(`/api/v1/uploads/${id}/report?offset=3&limit=2`)).json();
    expect(page2.failures.map((f: { row: number; rule: string }) => `${f.row}${f.rule}`)).toEqual([
      '2type',
      '3required',
    ]);
  });

  test('the CSV download defuses formula cells', async () => {
    const id = await send(a, 'formula.csv', 'sponsor,target\n=cmd|calc,x\n');
    const r = await a.inject(`/api/v1/uploads/${id}/report.csv`);
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toMatch(/text\/csv/);
    const lines = r.body.trimEnd().split('\r\n');
    expect(lines[0]).toBe('"row","column","value","rule"');
    expect(lines).toContain('1,"target","x","type"');
    // A formula in a failing cell reaches the download defused, never as a live formula.
    const id2 = await send(a, 'formula2.csv', 'sponsor,target\nA,=cmd|calc\n');
    const r2 = await a.inject(`/api/v1/uploads/${id2}/report.csv`);
    expect(r2.body).toContain('cmd|calc');
    expect(r2.body).not.toContain('"=cmd');
  });

  test('missing required columns and extra columns are file problems; import refuses the file', async () => {
    const id = await send(a, 'cols.csv', 'sponsor,colour\nAlpha,red\n');
    const rep = (await a.inject(`/api/v1/uploads/${id}/report`)).json();
    expect(rep.problems).toEqual([
      { rule: 'missing_column', column: 'target' },
      { rule: 'extra_column', column: 'colour' },
    ]);
    const imp = await importUpload(a, id);
    expect(imp.statusCode).toBe(422);
    expect(imp.body.error).toBe('UPLOAD_INVALID');
    expect((await a.inject(`/api/v1/uploads/${id}`)).json()).toMatchObject({
      status: 'rejected',
      errorCode: 'UPLOAD_INVALID',
    });
  });

  test('duplicate headers (case-insensitive) are a file problem', async () => {
    const id = await send(a, 'dup.csv', 'sponsor,target,Target\nA,1,2\n');
    const rep = (await a.inject(`/api/v1/uploads/${id}/report`)).json();
    expect(rep.problems).toContainEqual({ rule: 'duplicate_header', column: 'Target' });
  });

  test('more rows than limits.rows: too_many_rows, not importable', async () => {
    const rows = Array.from({ length: 51 }, (_, i) => `S${i},1`).join('\n');
    const id = await send(a, 'many.csv', `sponsor,target\n${rows}\n`);
    const rep = (await a.inject(`/api/v1/uploads/${id}/report`)).json();
    expect(rep.problems).toContainEqual({ rule: 'too_many_rows', column: '' });
    expect(rep.blockedBy).toMatch(/51 rows/);
  });

  test("another organisation's report and download are not found", async () => {
    const id = await send(a, 'secret2.csv', BAD);
    expect((await b.inject(`/api/v1/uploads/${id}/report`)).statusCode).toBe(404);
    expect((await b.inject(`/api/v1/uploads/${id}/report.csv`)).statusCode).toBe(404);
    expect((await viewer.inject(`/api/v1/uploads/${id}/report`)).statusCode).toBe(403);
  });
});

describe('import, versions, rollback', () => {
  test('imports a version the dashboard reads; a second replaces it; rollback brings the old numbers', async () => {
    // Prepared at start: the dashboard answers before the first import (no rows yet).
    expect((await total(a)).rows).toEqual([[null]]);
    const first = await send(a, 'v1.csv', GOOD);
    const r1 = await importUpload(a, first);
    expect(r1.status).toBe('imported');
    expect(r1.body).toMatchObject({ version: { version: 1, rows: 2, status: 'current' }, rowDiff: null });
    expect(await totalValue(a)).toBe(30);

    const second = await send(a, 'v2.csv', 'sponsor,target\nGamma,100\nDelta,200\nEps,300\n');
    const r2 = await importUpload(a, second);
    expect(r2.status).toBe('imported');
    expect(r2.body).toMatchObject({ version: { version: 2, rows: 3 }, rowDiff: 1 });
    expect(await totalValue(a)).toBe(600);
    // Another organisation sees none of it.
    expect(await totalValue(b)).toBe(0);

    const list = (await a.inject('/api/v1/uploads/targets/targets/versions')).json().versions;
    expect(list.map((v: { version: number; status: string }) => `${v.version}:${v.status}`)).toEqual([
      '2:current',
      '1:kept',
    ]);
    expect(list[1]).toMatchObject({ fileName: 'v1.csv', rows: 2, mode: 'replace' });
    expect(list[1].checksum).toMatch(/^[0-9a-f]{64}$/);
    const diff = (await a.inject('/api/v1/uploads/targets/targets/versions/diff?from=1&to=2')).json();
    expect(diff).toEqual({ from: 1, to: 2, fromRows: 2, toRows: 3, difference: 1 });

    const back = await post(a, '/api/v1/uploads/targets/targets/versions/1/rollback');
    expect(back.statusCode).toBe(200);
    expect(await totalValue(a)).toBe(30);
    expect((await auditRows('upload.rollback')).length).toBeGreaterThan(0);
    expect((await auditRows('upload.import')).filter((r) => r.outcome === 'success').length).toBeGreaterThan(
      1,
    );

    // The same upload is not imported twice; the temp folder keeps no imported file.
    const again = await importUpload(a, first);
    expect(again.statusCode).toBe(409);
    expect(again.body.error).toBe('UPLOAD_ALREADY_IMPORTED');
    expect(readdirSync(tempDir).filter((f) => f.startsWith(first))).toEqual([]);
    // A checked, importable upload keeps its typed rows beside its file until it is imported; none
    // outlives its file (nor is a partial one or a spill folder left).
    const files = readdirSync(tempDir);
    for (const f of files.filter((f) => f.endsWith('.parquet')))
      expect(files).toContain(f.replace(/\.rows\.parquet$/, ''));
    expect(files.filter((f) => f.endsWith('.tmp') || f.includes('.spill-'))).toEqual([]);
  });

  test('organisation B: its own versions; never A’s versions, rollback or rows', async () => {
    const id = await send(b, 'b.csv', 'sponsor,target\nZeta,7\n');
    expect((await importUpload(b, id)).status).toBe('imported');
    expect(await totalValue(b)).toBe(7);
    const bVersions = (await b.inject('/api/v1/uploads/targets/targets/versions')).json().versions;
    expect(bVersions.map((v: { version: number }) => v.version)).toEqual([1]);
    // A's version 2 does not exist for B; B's rollback does not move A's pointer.
    const r = await post(b, '/api/v1/uploads/targets/targets/versions/2/rollback');
    expect(r.statusCode).toBe(404);
    expect(r.json().error).toBe('UPLOAD_VERSION_NOT_FOUND');
    expect(await totalValue(a)).toBe(30);
    // A viewer never rolls back, a stranger never lists.
    expect((await post(viewer, '/api/v1/uploads/targets/targets/versions/1/rollback')).statusCode).toBe(403);
    expect((await app.inject('/api/v1/uploads/targets/targets/versions')).statusCode).toBe(401);
  });

  test('invalid rows within max_share are skipped and counted; beyond it nothing is imported', async () => {
    const before = await totalValue(a);
    const tooBad = await send(a, 'toobad.csv', 'sponsor,target\nA,1\nB,x\nC,y\n');
    const r = await importUpload(a, tooBad);
    expect(r.statusCode).toBe(422);
    expect(r.body.error).toBe('UPLOAD_INVALID');
    expect(await totalValue(a)).toBe(before);
    expect((await auditRows('upload.reject')).some((row) => String(row.detail).includes(tooBad))).toBe(true);

    const someBad = await send(a, 'somebad.csv', 'sponsor,target\nA,1\nB,2\nC,x\n');
    const ok = await importUpload(a, someBad);
    expect(ok.status).toBe('imported');
    expect(ok.body).toMatchObject({ skippedRows: 1, version: { rows: 2 } });
    expect(await totalValue(a)).toBe(3);
  });

  test('retention keeps the last keep_versions; a removed version cannot be rolled back to', async () => {
    for (const n of [1, 2, 3]) {
      const id = await send(a, `r${n}.csv`, `sponsor,target\nR,${n}\n`);
      expect((await importUpload(a, id)).status).toBe('imported');
    }
    const list = (await a.inject('/api/v1/uploads/targets/targets/versions')).json().versions;
    const live = list.filter((v: { status: string }) => v.status !== 'removed');
    expect(live).toHaveLength(3);
    const removed = list.find((v: { status: string }) => v.status === 'removed');
    const r = await post(a, `/api/v1/uploads/targets/targets/versions/${removed.version as number}/rollback`);
    expect(r.statusCode).toBe(404);
  });

  test('upsert merges on the key with the current version', async () => {
    const one = await send(a, 's1.csv', 'sponsor,target\nA,1\nB,2\n', 'strict');
    expect((await importUpload(a, one)).body.version.rows).toBe(2);
    const two = await send(a, 's2.csv', 'sponsor,target\nB,20\nC,30\n', 'strict');
    const r = await importUpload(a, two);
    expect(r.body).toMatchObject({ version: { rows: 3, mode: 'upsert' }, rowDiff: 1 });
    // The strict target refuses any invalid row (invalid_rows default: reject).
    const bad = await send(a, 's3.csv', 'sponsor,target\nD,1\nE,x\n', 'strict');
    expect((await importUpload(a, bad)).body.error).toBe('UPLOAD_INVALID');
  });

  test('an attempt that finds the import begun by a dead worker imports again, or on the last attempt fails it cleanly', async () => {
    const before = await totalValue(a);
    // The state a worker killed mid-import leaves: importing, begun, the engine untouched.
    const dead = async (content: string) => {
      const id = await send(a, 'dead.csv', content);
      expect((await a.inject(`/api/v1/uploads/${id}/report`)).json().importable).toBe(true);
      await app.services.store.db
        .updateTable('uploads')
        .set({ status: 'importing', import_started_at: Date.now(), import_job: 'job_dead' })
        .where('id', '=', id)
        .execute();
      return id;
    };
    const payload = (uploadId: string) => ({ uploadId, actor: a.userId, ip: null, requestId: null });
    const last = await dead('sponsor,target\nL,5\n');
    await app.services.uploads.runImport(payload(last), { id: 'job_dead', attempt: 3, maxAttempts: 3 });
    expect((await a.inject(`/api/v1/uploads/${last}`)).json()).toMatchObject({
      status: 'failed',
      errorCode: 'UPLOAD_IMPORT_INTERRUPTED',
    });
    expect(await totalValue(a)).toBe(before);
    expect(readdirSync(tempDir).filter((f) => f.startsWith(last))).toEqual([]);

    const again = await dead('sponsor,target\nM,6\nN,7\n');
    await app.services.uploads.runImport(payload(again), { id: 'job_dead', attempt: 2, maxAttempts: 3 });
    expect((await a.inject(`/api/v1/uploads/${again}`)).json()).toMatchObject({
      status: 'imported',
      result: { version: { rows: 2 } },
    });
    expect(await totalValue(a)).toBe(13);
    // Settled uploads are left alone by a late attempt (at-least-once delivery).
    await app.services.uploads.runImport(payload(again), { id: 'job_dead', attempt: 3, maxAttempts: 3 });
    expect((await a.inject(`/api/v1/uploads/${again}`)).json().status).toBe('imported');
  });

  test("another organisation cannot import A's upload", async () => {
    const id = await send(a, 'mine.csv', GOOD);
    const r = await importUpload(b, id);
    expect(r.statusCode).toBe(404);
    expect((await a.inject(`/api/v1/uploads/${id}`)).json().status).toBe('received');
  });
});

describe('headers', () => {
  test('a blank header is a file problem', async () => {
    const id = await send(a, 'blank.csv', 'sponsor,,target\nA,x,1\n');
    const rep = (await a.inject(`/api/v1/uploads/${id}/report`)).json();
    expect(rep.problems).toEqual([{ rule: 'blank_header', column: '#2' }]);
    expect(rep.importable).toBe(false);
  });

  test('a header-only file has nothing to import', async () => {
    const id = await send(a, 'header.csv', 'sponsor,target\n');
    const rep = (await a.inject(`/api/v1/uploads/${id}/report`)).json();
    expect(rep).toMatchObject({ totalRows: 0, importable: false });
    const r = await importUpload(a, id);
    expect(r.body.error).toBe('UPLOAD_INVALID');
  });
});

describe('bad input, each named: a clear report, nothing half-imported', () => {
  const report = async (name: string, content: string | Buffer) => {
    const id = await send(a, name, content.toString());
    const r = await a.inject(`/api/v1/uploads/${id}/report?limit=100`);
    expect(r.statusCode).toBe(200);
    return r.json() as {
      totalRows: number;
      invalidRows: number;
      problems: unknown[];
      failures: { row: number; column: string; value: string | null; rule: string }[];
    };
  };

  test('a UTF-8 byte order mark before the header: the header still matches', async () => {
    const rep = await report('bom.csv', '\uFEFFsponsor,target\nA,1\n');
    expect(rep).toMatchObject({ totalRows: 1, invalidRows: 0, problems: [] });
  });

  test('dates in several formats: ISO passes, the others are reported by row (never guessed)', async () => {
    const rep = await report(
      'dates.csv',
      'sponsor,target,starts\nA,1,2024-01-31\nB,2,31/01/2024\nC,3,Jan 31 2024\n',
    );
    expect(rep.failures.map((f) => `${f.row}|${f.column}|${f.value}|${f.rule}`)).toEqual([
      '2|starts|31/01/2024|type',
      '3|starts|Jan 31 2024|type',
    ]);
  });

  test('thousands separators and decimal commas are reported, not misread as other numbers', async () => {
    const rep = await report('numbers.csv', 'sponsor,target\nA,"1,000"\nB,"12,5"\nC,12\n');
    expect(rep.failures.map((f) => `${f.row}|${f.value}|${f.rule}`)).toEqual(['1|1,000|type', '2|12,5|type']);
  });

  test('a cell over limits.cell_bytes is reported with its row', async () => {
    const rep = await report('cell.csv', `sponsor,target\n${'x'.repeat(150)},1\nB,2\n`);
    expect(rep.failures.filter((f) => f.rule === 'cell_bytes').map((f) => f.row)).toEqual([1]);
  });

  test('formula cells are kept as text (the report and its download defuse them)', async () => {
    const rep = await report('formula.csv', 'sponsor,target\n=cmd|calc,1\n+SUM(A1),x\n');
    expect(rep.failures).toEqual([{ row: 2, column: 'target', value: 'x', rule: 'type' }]);
  });

  test('an empty file is refused at receipt; a header-only file imports nothing', async () => {
    const empty = await a.inject({
      method: 'POST',
      url: '/api/v1/uploads/targets/targets/uploads',
      headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` },
      payload: Buffer.from(
        `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="e.csv"\r\n\r\n\r\n--${BOUNDARY}--\r\n`,
      ),
    });
    expect(empty.json().error).toBe('UPLOAD_EMPTY');
    const rep = await report('only-header.csv', 'sponsor,target\n');
    expect(rep.totalRows).toBe(0);
  });
});
