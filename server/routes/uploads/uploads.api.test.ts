import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loginAs, startApp, type SignedIn, type TestApp } from '../../../test/app-harness.js';
import { createMiniProject } from '../../../test/mini-project.js';
import { until } from '../../../test/until.js';

// An upload target with a small byte limit, so "over the limit" is cheap to send and exercises the
// same streaming path as 256MB would.
const TARGET = `title: Targets
target: main
table: targets
tenant_column: org
key: [sponsor]
columns:
  sponsor: { type: VARCHAR }
  target: { type: INTEGER, required: true }
limits: { bytes: 64KB }
formats: [csv, tsv, xlsx, json, parquet]
`;
const ADMIN_ONLY = `title: Secret
role: admin
target: main
table: secret_targets
tenant_column: org
columns: { a: { type: VARCHAR } }
`;

let app: TestApp;
let close: () => Promise<void>;
let tempDir: string;
let a: SignedIn;
let b: SignedIn;
let viewer: SignedIn;

beforeAll(async () => {
  const mini = await createMiniProject();
  mkdirSync(path.join(mini.dir, 'uploads'));
  writeFileSync(path.join(mini.dir, 'uploads', 'targets.yaml'), TARGET);
  writeFileSync(path.join(mini.dir, 'uploads', 'secret.yaml'), ADMIN_ONLY);
  tempDir = mkdtempSync(path.join(tmpdir(), 'trellis-upload-tmp-'));
  ({ app, close } = await startApp(mini.dir, { uploads: { tempDir } }));
  a = await loginAs(app, { org: 'acme', role: 'editor' });
  b = await loginAs(app, { org: 'globex', role: 'editor' });
  viewer = await loginAs(app, { org: 'acme', role: 'viewer' });
});
afterAll(async () => close());

const BOUNDARY = '----trellis-test-boundary';
function multipart(fileName: string, content: Buffer | string, field = 'file'): Buffer {
  return Buffer.concat([
    Buffer.from(
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${field}"; filename="${fileName}"\r\n` +
        'Content-Type: application/octet-stream\r\n\r\n',
    ),
    Buffer.isBuffer(content) ? content : Buffer.from(content),
    Buffer.from(`\r\n--${BOUNDARY}--\r\n`),
  ]);
}
const send = (
  who: SignedIn,
  fileName: string,
  content: Buffer | string,
  target = 'targets',
  field = 'file',
) =>
  who.inject({
    method: 'POST',
    url: `/api/v1/uploads/targets/${target}/uploads`,
    headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` },
    payload: multipart(fileName, content, field),
  });
const files = () => readdirSync(tempDir);

async function auditRows(action: string) {
  return app.services.store.db.selectFrom('audit_log').selectAll().where('action', '=', action).execute();
}

describe('uploads: receiving a file', () => {
  test('a CSV is streamed to the temp folder, hashed, recorded, audited and counted', async () => {
    const csv = 'sponsor,target\nAcme Pharma,120\nBeta Bio,80\n';
    const r = await send(a, 'targets.csv', csv);
    expect(r.statusCode).toBe(201);
    const body = r.json();
    expect(body).toMatchObject({
      target: 'targets',
      fileName: 'targets.csv',
      format: 'csv',
      bytes: Buffer.byteLength(csv),
      sha256: createHash('sha256').update(csv).digest('hex'),
      status: 'received',
    });
    expect(body.id).toMatch(/^upl_[A-Za-z0-9_-]{22}$/);
    expect(readFileSync(path.join(tempDir, `${body.id}.upload`), 'utf8')).toBe(csv);
    const audit = await auditRows('upload.receive');
    expect(audit.some((row) => JSON.parse(row.detail).upload === body.id)).toBe(true);
    const metrics = await app.inject('/metrics');
    expect(metrics.body).toMatch(/trellis_uploads_total\{target="targets",result="received"\} [1-9]/);
    const listed = await a.inject('/api/v1/uploads/targets/targets/uploads');
    expect(listed.json().uploads.map((u: { id: string }) => u.id)).toContain(body.id);
  });

  test('a file name with a path keeps only its base name (display only, never a path here)', async () => {
    const r = await send(a, '../../etc/passwd.csv', 'a,b\n1,2\n');
    expect(r.statusCode).toBe(201);
    expect(r.json().fileName).toBe('passwd.csv');
    expect(existsSync(path.join(tempDir, `${r.json().id}.upload`))).toBe(true);
  });

  test('over the limit: cut off while streaming with 413 UPLOAD_TOO_LARGE, nothing left behind', async () => {
    const before = files().length;
    const big = `sponsor,target\n${'Acme,1\n'.repeat(20_000)}`; // ~140KB > 64KB
    const r = await send(a, 'big.csv', big);
    expect(r.statusCode).toBe(413);
    expect(r.json().error).toBe('UPLOAD_TOO_LARGE');
    expect(r.headers.connection).toBe('close');
    expect(files().length).toBe(before);
    const rejected = await auditRows('upload.reject');
    expect(rejected.some((row) => JSON.parse(row.detail).code === 'UPLOAD_TOO_LARGE')).toBe(true);
  });

  test.each([
    ['an empty file', 'empty.csv', Buffer.alloc(0), 400, 'UPLOAD_EMPTY'],
    [
      'binary garbage behind .csv',
      'garbage.csv',
      Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 37) % 256)),
      415,
      'UPLOAD_FORMAT_MISMATCH',
    ],
    ['NUL bytes in a CSV', 'nul.csv', Buffer.from('a,b\n1,\u0000\n'), 415, 'UPLOAD_FORMAT_MISMATCH'],
    ['a CSV behind .xlsx', 'sheet.xlsx', 'a,b\n1,2\n', 415, 'UPLOAD_FORMAT_MISMATCH'],
    ['a CSV behind .parquet', 'data.parquet', 'a,b\n1,2\n', 415, 'UPLOAD_FORMAT_MISMATCH'],
    ['an object behind .json (an array is expected)', 'rows.json', '{"a": 1}', 415, 'UPLOAD_FORMAT_MISMATCH'],
    ['an unknown extension', 'tool.exe', 'MZ', 415, 'UPLOAD_FORMAT_NOT_ACCEPTED'],
    ['a format the target does not accept', 'rows.ndjson', '{"a":1}\n', 415, 'UPLOAD_FORMAT_NOT_ACCEPTED'],
  ] as const)('%s: %i %s, no file kept', async (_name, fileName, content, status, code) => {
    const before = files().length;
    const r = await send(a, fileName, content);
    expect({ status: r.statusCode, error: r.json().error }).toEqual({ status, error: code });
    expect(files().length).toBe(before);
  });

  test('UTF-16 with its BOM is text, not binary', async () => {
    const text = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('sponsor,target\nA,1\n', 'utf16le')]);
    const r = await send(a, 'utf16.csv', text);
    expect(r.statusCode).toBe(201);
  });

  test('a request that is not multipart, or a file in another field: 400 UPLOAD_INVALID_REQUEST', async () => {
    const json = await a.inject({
      method: 'POST',
      url: '/api/v1/uploads/targets/targets/uploads',
      payload: { file: 'a,b' },
    });
    expect(json.statusCode).toBe(400);
    expect(json.json().error).toBe('UPLOAD_INVALID_REQUEST');
    const field = await send(a, 'x.csv', 'a,b\n', 'targets', 'other');
    expect(field.json().error).toBe('UPLOAD_INVALID_REQUEST');
  });
});

describe('uploads: who may see and send what', () => {
  test('another organisation never sees an upload: 404 for its id, absent from its list', async () => {
    const sent = await send(a, 'mine.csv', 'sponsor,target\nA,1\n');
    const id = sent.json().id as string;
    expect((await a.inject(`/api/v1/uploads/${id}`)).statusCode).toBe(200);
    const other = await b.inject(`/api/v1/uploads/${id}`);
    expect(other.statusCode).toBe(404);
    expect(other.json().error).toBe('UPLOAD_NOT_FOUND');
    const list = await b.inject('/api/v1/uploads/targets/targets/uploads');
    expect(list.json().uploads.map((u: { id: string }) => u.id)).not.toContain(id);
    // An id shaped like no upload id is not found either (never a path on this server).
    expect((await a.inject('/api/v1/uploads/..%2F..%2Fetc%2Fpasswd')).statusCode).toBe(404);
  });

  test('a viewer may not upload or list; an editor does not see an admin-only target', async () => {
    const v = await send(viewer, 'x.csv', 'a,b\n');
    expect(v.statusCode).toBe(403);
    expect((await viewer.inject('/api/v1/uploads/targets')).statusCode).toBe(403);
    const targets = await a.inject('/api/v1/uploads/targets');
    expect(targets.json().targets.map((t: { id: string }) => t.id)).toEqual(['targets']);
    const secret = await send(a, 'x.csv', 'a\n1\n', 'secret');
    expect(secret.statusCode).toBe(404);
    expect(secret.json().error).toBe('UPLOAD_TARGET_NOT_FOUND');
    const admin = await loginAs(app, { org: 'acme', role: 'admin' });
    expect((await send(admin, 'x.csv', 'a\n1\n', 'secret')).statusCode).toBe(201);
  });

  test('a stranger gets 401 and writes nothing', async () => {
    const before = files().length;
    const r = await app.inject({
      method: 'POST',
      url: '/api/v1/uploads/targets/targets/uploads',
      headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` },
      payload: multipart('x.csv', 'a,b\n1,2\n'),
    });
    expect(r.statusCode).toBe(401);
    expect(files().length).toBe(before);
  });
});

describe('uploads: a client that disconnects mid-upload', () => {
  test('the partial file is removed and the rejection audited', async () => {
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as { port: number };
    const before = (await auditRows('upload.reject')).length;
    const filesBefore = files().length;
    const head = Buffer.from(
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="slow.csv"\r\n\r\nsponsor,target\n`,
    );
    const req = http.request({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: '/api/v1/uploads/targets/targets/uploads',
      headers: {
        'content-type': `multipart/form-data; boundary=${BOUNDARY}`,
        'content-length': String(60_000),
        cookie: a.cookie,
        'x-csrf-token': a.csrf,
      },
    });
    req.on('error', () => {});
    req.write(head);
    req.write('Acme,1\n'.repeat(2000));
    // The server has the file open in the temp folder…
    await until(() => files().length > filesBefore, 15_000, 'the partial file in the temp folder');
    // …then the client goes away before the end.
    req.destroy();
    await until(async () => (await auditRows('upload.reject')).length > before);
    const rows = await auditRows('upload.reject');
    expect(JSON.parse(rows.at(-1)?.detail ?? '{}')).toMatchObject({
      fileName: 'slow.csv',
      code: 'UPLOAD_ABORTED',
    });
    // Every kept file is a recorded upload: the partial one is gone.
    const kept = await app.services.store.db.selectFrom('uploads').select('id').execute();
    expect(files().sort()).toEqual(kept.map((k) => `${k.id}.upload`).sort());
  });
});

describe('uploads: preview', () => {
  const preview = async (who: SignedIn, fileName: string, content: string | Buffer) => {
    const sent = await send(who, fileName, content);
    expect(sent.statusCode).toBe(201);
    return who.inject(`/api/v1/uploads/${sent.json().id as string}/preview`);
  };

  test('a semicolon CSV with quotes: sniffed dialect, inferred vs declared types, values as in the file', async () => {
    const r = await preview(a, 'semi.csv', 'Sponsor;TARGET;note\n"Acme; Inc";120;x\nBeta;80;\n');
    expect(r.statusCode).toBe(200);
    const p = r.json();
    expect(p.dialect).toEqual({ delimiter: ';', quote: '"', header: true });
    expect(p.columns).toEqual([
      { header: 'Sponsor', inferredType: 'VARCHAR', column: 'sponsor', declaredType: 'VARCHAR' },
      { header: 'TARGET', inferredType: 'BIGINT', column: 'target', declaredType: 'INTEGER' },
      { header: 'note', inferredType: 'VARCHAR', column: null, declaredType: null },
    ]);
    expect(p.rows).toEqual([
      ['Acme; Inc', '120', 'x'],
      ['Beta', '80', null],
    ]);
    expect(p.missing).toEqual([]);
    expect(p.extra).toEqual(['note']);
  });

  test('at most 100 rows; a missing required column is named', async () => {
    const csv = `sponsor,other\n${Array.from({ length: 250 }, (_, i) => `S${i},${i}`).join('\n')}\n`;
    const p = (await preview(a, 'many.csv', csv)).json();
    expect(p.rows).toHaveLength(100);
    expect(p.rows[99]).toEqual(['S99', '99']);
    expect(p.missing).toEqual(['target']);
  });

  test('JSON arrays of objects are read by DuckDB too', async () => {
    const p = (
      await preview(a, 'rows.json', '[{"sponsor":"A","target":5},{"sponsor":"B","target":7}]')
    ).json();
    expect(p.columns.map((c: { header: string }) => c.header)).toEqual(['sponsor', 'target']);
    expect(p.rows).toEqual([
      ['A', '5'],
      ['B', '7'],
    ]);
    expect(p.dialect).toBeNull();
  });

  test('a broken JSON file: 422 UPLOAD_UNREADABLE', async () => {
    const r = await preview(a, 'broken.json', '[{"sponsor": "A", ');
    expect(r.statusCode).toBe(422);
    expect(r.json().error).toBe('UPLOAD_UNREADABLE');
  });

  test('another organisation cannot preview an upload', async () => {
    const sent = await send(a, 'secret.csv', 'sponsor,target\nA,1\n');
    const r = await b.inject(`/api/v1/uploads/${sent.json().id as string}/preview`);
    expect(r.statusCode).toBe(404);
    expect(r.json().error).toBe('UPLOAD_NOT_FOUND');
  });
});
