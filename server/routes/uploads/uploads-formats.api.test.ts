import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { SignedIn, TestApp } from '../../../test/app-harness.js';
import {
  importUpload,
  expectOnlyRecordedFiles,
  sendUpload,
  BOUNDARY,
  startUploadApi,
  widgetTotal,
  type UploadApi,
} from '../../../test/upload-api.js';

/**
 * XLSX (streamed through exceljs, one sheet picked, zip bombs capped, formulas kept as text), text
 * encodings (detected or chosen, transcoded to UTF-8), and the bad inputs of those paths — through
 * the API, with the import into the DuckDB source and the widget that reads it.
 */
const TARGET = `title: Targets
target: main
table: targets
tenant_column: org
key: [sponsor]
mode: replace
columns:
  sponsor: { type: VARCHAR }
  target: { type: INTEGER, required: true }
  note: { type: VARCHAR }
  starts: { type: DATE }
limits: { bytes: 64KB, rows: 50, columns: 6, cell_bytes: 1KB }
`;
let api: UploadApi;
let app: TestApp;
let tempDir: string;
let a: SignedIn;
let b: SignedIn;
let viewer: SignedIn;

beforeAll(async () => {
  api = await startUploadApi({ targets: TARGET }, 'upload-fmt');
  ({ app, tempDir, a, b, viewer } = api);
}, 60_000);
afterAll(async () => api.close());

const send = (who: SignedIn, fileName: string, content: Buffer | string, query = '') =>
  sendUpload(who, fileName, content, { query });
/** Every file left in the temp folder is a recorded upload's (no partial or converted leftovers). */
const onlyRecorded = () => expectOnlyRecordedFiles(api);
const preview = async (who: SignedIn, id: string) => {
  const r = await who.inject(`/api/v1/uploads/${id}/preview`);
  expect(r.statusCode, r.body).toBe(200);
  return r.json() as { columns: { header: string }[]; rows: (string | null)[][] };
};
const totalOf = async (who: SignedIn) => Number((await widgetTotal(who)).rows[0]?.[0] ?? 0);

async function workbook(build: (wb: ExcelJS.Workbook) => void): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  build(wb);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

const TWO_SHEETS = () =>
  workbook((wb) => {
    const notes = wb.addWorksheet('Notes');
    notes.addRow(['just', 'text']);
    notes.state = 'hidden';
    const first = wb.addWorksheet('Targets');
    first.addRow(['Sponsor', 'Target', 'Note', 'Starts']);
    first.addRow([
      'Acme, "Inc"',
      120,
      { richText: [{ text: 'bold ' }, { text: 'plain' }] },
      new Date(Date.UTC(2024, 0, 31)),
    ]);
    first.addRow(['Beta', 80, { formula: "cmd|' /C calc'!A0", result: 0 }, null]);
    first.addRow(['Gamma', { formula: 'B2+B3', result: 200 }, 'line\nbreak', '2024-02-29']);
    const second = wb.addWorksheet('Second');
    second.addRow(['Sponsor', 'Target']);
    second.addRow(['Delta', 7]);
  });

describe('XLSX', () => {
  test('the first visible sheet is converted: values, rich text, dates, formulas kept as text', async () => {
    const r = await send(a, 'targets.xlsx', await TWO_SHEETS());
    expect(r.statusCode, r.body).toBe(201);
    expect(r.json().format).toBe('xlsx');
    expect(r.json().readAs).toEqual({ sheet: 'Targets', sheets: ['Notes', 'Targets', 'Second'] });
    const p = await preview(a, r.json().id);
    expect(p.columns.map((c) => c.header)).toEqual(['Sponsor', 'Target', 'Note', 'Starts']);
    expect(p.rows).toEqual([
      ['Acme, "Inc"', '120', 'bold plain', '2024-01-31'],
      ['Beta', '80', "=cmd|' /C calc'!A0", null],
      ['Gamma', '=B2+B3', 'line\nbreak', '2024-02-29'],
    ]);
    // The formula in a declared INTEGER column is a value that does not cast: a finding.
    const report = (await a.inject(`/api/v1/uploads/${r.json().id}/report`)).json();
    expect(report.failures).toEqual([{ row: 3, column: 'target', value: '=B2+B3', rule: 'type' }]);
    const audit = await app.services.store.db
      .selectFrom('audit_log')
      .select('detail')
      .where('action', '=', 'upload.receive')
      .execute();
    expect(audit.map((row) => JSON.parse(row.detail)).find((d) => d.upload === r.json().id)).toMatchObject({
      sheet: 'Targets',
    });
  });

  test('a sheet picked by name (case-insensitive) is imported, and the widget sums it', async () => {
    const r = await send(a, 'targets.xlsx', await TWO_SHEETS(), '?sheet=second');
    expect(r.statusCode, r.body).toBe(201);
    expect((await preview(a, r.json().id)).rows).toEqual([['Delta', '7']]);
    const imported = await importUpload(a, r.json().id as string);
    expect(imported.status, JSON.stringify(imported.body)).toBe('imported');
    expect(await totalOf(a)).toBe(7);
    // Another organisation neither sees the rows nor the upload.
    expect(await totalOf(b)).toBe(0);
    expect((await b.inject(`/api/v1/uploads/${r.json().id}/preview`)).statusCode).toBe(404);
  });

  test('an unknown sheet: 422 UPLOAD_SHEET_NOT_FOUND naming the sheets, nothing kept', async () => {
    const r = await send(a, 'targets.xlsx', await TWO_SHEETS(), '?sheet=Nope');
    expect(r.statusCode).toBe(422);
    expect(r.json().error).toBe('UPLOAD_SHEET_NOT_FOUND');
    expect(r.json().message).toContain('Notes, Targets, Second');
    await onlyRecorded();
  });

  test('a zip bomb (a few KB that unpack past the cap): 413 UPLOAD_XLSX_TOO_LARGE, nothing kept', async () => {
    // 4 MB of one letter in one cell packs to a few KB; the cap is 16 × 64 KB = 1 MB.
    const bomb = await workbook((wb) => {
      const s = wb.addWorksheet('Bomb');
      s.addRow(['Sponsor', 'Target']);
      s.addRow(['x'.repeat(4 * 1024 * 1024), 1]);
    });
    expect(bomb.length).toBeLessThan(64 * 1024);
    const r = await send(a, 'bomb.xlsx', bomb);
    expect(r.statusCode).toBe(413);
    expect(r.json().error).toBe('UPLOAD_XLSX_TOO_LARGE');
    await onlyRecorded();
  });

  test('more rows than the target allows: 413 UPLOAD_XLSX_TOO_LARGE while converting', async () => {
    const many = await workbook((wb) => {
      const s = wb.addWorksheet('Many');
      s.addRow(['Sponsor', 'Target']);
      for (let i = 0; i < 51; i++) s.addRow([`S${i}`, i]);
    });
    const r = await send(a, 'many.xlsx', many);
    expect(r.statusCode).toBe(413);
    expect(r.json().error).toBe('UPLOAD_XLSX_TOO_LARGE');
    await onlyRecorded();
  });

  test('more columns than the target allows: 422 UPLOAD_TOO_MANY_COLUMNS', async () => {
    const wide = await workbook((wb) => {
      wb.addWorksheet('Wide').addRow(['a', 'b', 'c', 'd', 'e', 'f', 'g']);
    });
    const r = await send(a, 'wide.xlsx', wide);
    expect(r.json().error).toBe('UPLOAD_TOO_MANY_COLUMNS');
    await onlyRecorded();
  });

  test('a broken zip behind .xlsx: 422 UPLOAD_UNREADABLE; a viewer and a stranger cannot send one', async () => {
    const good = await TWO_SHEETS();
    const broken = Buffer.concat([good.subarray(0, 200), Buffer.alloc(500, 7)]);
    const r = await send(a, 'broken.xlsx', broken);
    expect(r.statusCode).toBe(422);
    expect(r.json().error).toBe('UPLOAD_UNREADABLE');
    await onlyRecorded();
    expect((await send(viewer, 'targets.xlsx', good)).statusCode).toBe(403);
    const stranger = await app.inject({
      method: 'POST',
      url: '/api/v1/uploads/targets/targets/uploads?sheet=Second',
      headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` },
      payload: good,
    });
    expect(stranger.statusCode).toBe(401);
    await onlyRecorded();
  });
});

describe('encodings', () => {
  const TEXT = 'sponsor,target,note\nSociété Générale,5,naïve “quotes” €\n';
  const stored = (id: string) => readFileSync(path.join(tempDir, `${id}.upload`), 'utf8');
  const be = (s: string) => {
    const le = Buffer.from(s, 'utf16le');
    for (let i = 0; i < le.length; i += 2) [le[i], le[i + 1]] = [le[i + 1] ?? 0, le[i] ?? 0];
    return le;
  };
  const cp1252 = (s: string) =>
    Buffer.from([...s].map((ch) => ({ '“': 0x93, '”': 0x94, '€': 0x80 })[ch] ?? ch.charCodeAt(0)));

  test.each([
    ['UTF-8', Buffer.from(TEXT), 'utf-8'],
    ['UTF-8 with its BOM', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(TEXT)]), 'utf-8'],
    [
      'UTF-16 LE with its BOM',
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(TEXT, 'utf16le')]),
      'utf-16le',
    ],
    ['UTF-16 BE with its BOM', Buffer.concat([Buffer.from([0xfe, 0xff]), be(TEXT)]), 'utf-16be'],
    ['Windows-1252 (no valid UTF-8 sequence)', cp1252(TEXT), 'windows-1252'],
  ] as const)('%s is detected and stored as UTF-8 without a BOM', async (_name, bytes, encoding) => {
    const r = await send(a, 'enc.csv', bytes);
    expect(r.statusCode, r.body).toBe(201);
    const id = r.json().id as string;
    expect(r.json().readAs).toEqual({ encoding });
    expect(stored(id)).toBe(TEXT);
    expect((await preview(a, id)).rows).toEqual([['Société Générale', '5', 'naïve “quotes” €']]);
    const audit = await app.services.store.db
      .selectFrom('audit_log')
      .select('detail')
      .where('action', '=', 'upload.receive')
      .execute();
    expect(audit.map((row) => JSON.parse(row.detail)).find((d) => d.upload === id)).toMatchObject({
      encoding,
    });
  });

  test('a quote in a quoted value is not taken for an escape: every row is checked (found by the property test)', async () => {
    // DuckDB's sniffer read this file with `'` as the escape (the `'"` at the end of the first value),
    // made the rest of the file one value and the check refused it: 422 UPLOAD_UNREADABLE.
    const text = [
      'note|sponsor|starts|target',
      '|"ßcü,\'"||-75684',
      '0.08|bAc||84031',
      '|zx’ß|1990-01-01|-99995x',
      '0.17|y’x|1990-01-01|-70567',
      '|c€y9||68273',
      '-0.17|B|2023-06-28|99991',
      '-1937.13|b10’|2030-12-30|99988',
      '9999.97|ß|2028-08-13|77417x',
      '|"|Z|’"|2023-02-30|99993',
    ].join('\n');
    const r = await send(a, 'quotes.csv', text);
    expect(r.statusCode, r.body).toBe(201);
    const report = await a.inject(`/api/v1/uploads/${r.json().id}/report`);
    expect(report.statusCode, report.body).toBe(200);
    expect(report.json()).toMatchObject({ validRows: 6, invalidRows: 3 });
  });

  test('the user may choose the encoding (Latin text that happens to be valid UTF-8 is read as chosen)', async () => {
    // "Ã©" in UTF-8 is C3 83 C2 A9; read as Windows-1252 it stays those four characters' meaning.
    const bytes = Buffer.from('sponsor,target\nCafÃ©,1\n', 'latin1');
    const chosen = await send(a, 'chosen.csv', bytes, '?encoding=windows-1252');
    expect(chosen.statusCode, chosen.body).toBe(201);
    expect(stored(chosen.json().id)).toBe('sponsor,target\nCafÃ©,1\n');
    const tsv = await send(
      a,
      'chosen.tsv',
      Buffer.from('sponsor\ttarget\nZoë\t2\n', 'utf16le'),
      '?encoding=utf-16le',
    );
    expect(tsv.statusCode, tsv.body).toBe(201);
    expect((await preview(a, tsv.json().id)).rows).toEqual([['Zoë', '2']]);
  });

  test('mixed encodings (UTF-8 and Windows-1252 in one file): 422 UPLOAD_ENCODING, nothing kept', async () => {
    const mixed = Buffer.concat([Buffer.from('sponsor,target\nSociété,1\n'), cp1252('Café,2\n')]);
    const r = await send(a, 'mixed.csv', mixed);
    expect(r.statusCode).toBe(422);
    expect(r.json().error).toBe('UPLOAD_ENCODING');
    await onlyRecorded();
  });

  test('invalid bytes for the chosen encoding: 422 UPLOAD_ENCODING naming the line', async () => {
    const r = await send(
      a,
      'bad.csv',
      Buffer.from('sponsor,target\nA,1\nB\xff,2\n', 'latin1'),
      '?encoding=utf-8',
    );
    expect(r.statusCode).toBe(422);
    expect(r.json().error).toBe('UPLOAD_ENCODING');
    expect(r.json().message).toContain('line 3');
    // A lone UTF-16 surrogate is invalid too.
    const lone = Buffer.concat([
      Buffer.from([0xff, 0xfe]),
      Buffer.from('a,b\n', 'utf16le'),
      Buffer.from([0x00, 0xd8, 0x41, 0x00]),
    ]);
    expect((await send(a, 'lone.csv', lone)).json().error).toBe('UPLOAD_ENCODING');
    // An unknown encoding is a bad request, not a guess.
    expect((await send(a, 'x.csv', 'a\n1\n', '?encoding=ebcdic')).statusCode).toBe(400);
    await onlyRecorded();
  });
});

describe('bad text input past the content check', () => {
  test('NUL bytes after the first 4 KB: 415 UPLOAD_FORMAT_MISMATCH, nothing kept', async () => {
    const text = `sponsor,target\n${'Acme,1\n'.repeat(1000)}Bad\u0000,2\n`;
    const r = await send(a, 'nul-late.csv', text);
    expect(r.statusCode).toBe(415);
    expect(r.json().error).toBe('UPLOAD_FORMAT_MISMATCH');
    await onlyRecorded();
  });

  test('a single line longer than the line limit: 413 UPLOAD_LINE_TOO_LONG, nothing kept', async () => {
    // 6 columns × (1 KB + 3) ≈ 6 KB per line here; 40 KB in one line, inside the 64 KB byte limit.
    const r = await send(a, 'long.csv', `sponsor,target\n${'x'.repeat(40_000)},1\n`);
    expect(r.statusCode).toBe(413);
    expect(r.json().error).toBe('UPLOAD_LINE_TOO_LONG');
    await onlyRecorded();
  });

  test('a single line longer than the byte limit ("1 GB in one line"): cut at the limit, 413', async () => {
    const r = await send(a, 'one-line.csv', 'x'.repeat(200_000));
    expect(r.statusCode).toBe(413);
    expect(r.json().error).toBe('UPLOAD_TOO_LARGE');
    await onlyRecorded();
  });
});

test('the temp folder holds nothing but recorded uploads after all of the above', async () => {
  await onlyRecorded();
  expect(existsSync(tempDir)).toBe(true);
});
