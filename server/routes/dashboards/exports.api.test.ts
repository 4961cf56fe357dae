import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loginAs, startApp, type SignedIn, type TestApp } from '../../../test/app-harness.js';
import { ExportReader } from '../../../test/export-readers.js';
import { createMiniProject } from '../../../test/mini-project.js';

/**
 * Widget exports over HTTP on the mini project (DuckDB): every format, all rows of a table (not its
 * page) under the filters, the file name, the limits and refusals, the audit row and the metrics, and
 * a client that leaves mid-download cancelling the query.
 */
let app: TestApp;
let close: () => Promise<void>;
let viewer: SignedIn;

beforeAll(async () => {
  const mini = await createMiniProject({
    // A small export limit on a second dataset over the same table, and a dashboard that forbids exports.
    'datasets/limited.yaml': `table: items\nshared: true\nexport_limit: 100\ncolumns:\n  id: { type: number }\n  colour: { type: string }\n`,
    'dashboards/locked.yaml': `title: Locked\ndataset: items\nexport: false\nwidgets:\n  - { id: list, type: table, title: List, columns: [id, name] }\n`,
    'dashboards/limited.yaml': `title: Limited\ndataset: limited\nfilters:\n  - { id: colour, type: multi_select, label: Colour, column: colour }\nwidgets:\n  - { id: list, type: table, title: List, columns: [id, colour] }\n`,
    'dashboards/admins.yaml': `title: Admins\ndataset: items\nroles: [admin]\nwidgets:\n  - { id: list, type: table, title: List, columns: [id] }\n`,
  });
  ({ app, close } = await startApp(mini.dir));
  viewer = await loginAs(app, { org: 'acme', role: 'viewer' });
});
afterAll(async () => {
  await close?.();
});

const url = (widget: string, query: Record<string, string> = {}, dashboard = 'main') =>
  `/api/v1/dashboards/${dashboard}/widgets/${widget}/export?${new URLSearchParams(query)}`;
const blue = JSON.stringify({ colour: ['blue'] });
/** Items whose colour is blue in the mini project: i % 5 == 2 of 0..499. */
const BLUE_IDS = Array.from({ length: 500 }, (_, i) => i).filter((i) => i % 5 === 2);

describe('formats', () => {
  test('CSV of a filtered table holds every filtered row (not the page), labelled and named', async () => {
    const r = await viewer.inject(url('list', { format: 'csv', filters: blue }));
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toBe('text/csv; charset=utf-8');
    const day = new Date().toISOString().slice(0, 10);
    expect(r.headers['content-disposition']).toBe(`attachment; filename="main-list-${day}.csv"`);
    expect(r.headers['cache-control']).toBe('no-store');
    expect(r.headers['x-export-rows']).toBe(String(BLUE_IDS.length));
    const lines = r.body.trimEnd().split('\r\n');
    expect(lines[0]).toBe('"Id","Name","Colour","Created","Price"');
    expect(lines.slice(1).map((l) => Number(l.split(',')[0]))).toEqual(BLUE_IDS);
    expect(lines.slice(1).every((l) => l.split(',')[2] === '"blue"')).toBe(true);
    expect(r.body.startsWith('\uFEFF')).toBe(false);
  });

  test('CSV with bom=true starts with a UTF-8 byte order mark', async () => {
    const r = await viewer.inject(url('list', { format: 'csv', bom: 'true', filters: blue }));
    expect(r.rawPayload.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
  });

  test('POST takes the filters and sort in the body; a table export follows the sort', async () => {
    const r = await viewer.inject({
      method: 'POST',
      url: url('list', { format: 'ndjson' }),
      headers: { 'x-csrf-token': viewer.csrf, origin: 'http://localhost' },
      payload: { filters: { colour: ['blue'] }, sort: { column: 'id', direction: 'desc' } },
    });
    expect(r.statusCode).toBe(200);
    const rows = r.body
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: number; colour: string });
    expect(rows.map((x) => x.id)).toEqual([...BLUE_IDS].reverse());
    expect(Object.keys(rows[0] ?? {})).toEqual(['id', 'name', 'colour', 'created', 'price']);
  });

  test('XLSX opens with typed cells and a frozen header', async () => {
    const r = await viewer.inject(url('list', { format: 'xlsx', filters: blue }));
    expect(r.statusCode).toBe(200);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(r.rawPayload as unknown as ArrayBuffer);
    const sheet = book.getWorksheet('Data');
    expect(sheet?.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(sheet?.rowCount).toBe(BLUE_IDS.length + 1);
    const second = sheet?.getRow(2);
    expect(second?.getCell(1).value).toBe(2);
    expect(second?.getCell(3).value).toBe('blue');
    expect(second?.getCell(4).value).toEqual(new Date('2020-01-07T00:00:00Z'));
    expect(typeof second?.getCell(5).value).toBe('number');
  });

  test('JSON of a chart: exactly what the chart shows, keyed by column', async () => {
    const r = await viewer.inject(url('by_colour', { format: 'json' }));
    expect(r.statusCode).toBe(200);
    const rows = r.json() as { colour: string | null; items: number; revenue: number }[];
    expect(rows).toHaveLength(5);
    expect(rows.reduce((n, x) => n + x.items, 0)).toBe(500);
  });

  test('Parquet comes from DuckDB and reads back with the filtered rows', async () => {
    const r = await viewer.inject(url('list', { format: 'parquet', filters: blue }));
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-disposition']).toMatch(/\.parquet"$/);
    const reader = await ExportReader.open();
    const rows = await reader.parquet(r.rawPayload, 'id').finally(() => reader.close());
    expect(rows.map((x) => Number(x[0]))).toEqual(BLUE_IDS);
    expect(new Set(rows.map((x) => x[2]))).toEqual(new Set(['blue']));
  });
});

describe('refusals', () => {
  test('without a session: 401', async () => {
    const r = await app.inject(url('list'));
    expect(r.statusCode).toBe(401);
  });

  test('export: false → 403 EXPORT_DISABLED, whatever the format', async () => {
    for (const format of ['csv', 'parquet']) {
      const r = await viewer.inject(url('list', { format }, 'locked'));
      expect(r.statusCode).toBe(403);
      expect(r.json().error).toBe('EXPORT_DISABLED');
    }
  });

  test('a dashboard the role may not see does not exist; nor does a text widget or an unknown one', async () => {
    expect((await viewer.inject(url('list', {}, 'admins'))).json().error).toBe('DASHBOARD_NOT_FOUND');
    expect((await viewer.inject(url('note'))).json().error).toBe('WIDGET_NOT_FOUND');
    expect((await viewer.inject(url('nope'))).json().error).toBe('WIDGET_NOT_FOUND');
  });

  test('more rows than the dataset allows → 422 EXPORT_TOO_LARGE naming the limit; narrower filters pass', async () => {
    const r = await viewer.inject(url('list', { format: 'csv' }, 'limited'));
    expect(r.statusCode).toBe(422);
    expect(r.json().error).toBe('EXPORT_TOO_LARGE');
    expect(r.json().message).toContain('500 rows');
    expect(r.json().message).toContain('100 rows');
    const ok = await viewer.inject(url('list', { format: 'csv', filters: blue }, 'limited'));
    expect(ok.statusCode).toBe(200);
    expect(ok.body.trimEnd().split('\r\n')).toHaveLength(BLUE_IDS.length + 1);
  });

  test('bad filters, sort and format are refused before anything runs', async () => {
    const bad = [
      url('list', { filters: '{not json' }),
      url('list', { filters: JSON.stringify({ colour: 'x'.repeat(10) }) }),
      url('list', { filters: JSON.stringify({ nope: ['x'] }) }),
      url('list', { sort: 'secret_column' }),
      url('list', { format: 'exe' }),
      url('by_colour', { sort: 'colour' }),
    ];
    for (const u of bad) {
      const r = await viewer.inject(u);
      expect(r.statusCode, u).toBe(400);
      expect(r.json()).toHaveProperty('error');
    }
  });
});

test('every export is audited (refusals too) and counted by format and bytes', async () => {
  const before = await app.services.store.db
    .selectFrom('audit_log')
    .select(['action', 'outcome', 'target', 'detail'])
    .where('action', '=', 'widget.export')
    .execute();
  const bytesBefore = await metricValue('trellis_export_bytes_total', 'format="csv"');
  const r = await viewer.inject(url('list', { format: 'csv', filters: blue }));
  await viewer.inject(url('list', { format: 'csv' }, 'locked'));
  const after = await app.services.store.db
    .selectFrom('audit_log')
    .select(['action', 'outcome', 'target', 'detail', 'actor'])
    .where('action', '=', 'widget.export')
    .execute();
  const added = after.slice(before.length);
  expect(added.map((a) => [a.outcome, a.target])).toEqual([
    ['success', 'main/list'],
    ['failure', 'locked/list'],
  ]);
  expect(JSON.parse(added[0]?.detail ?? '{}')).toMatchObject({ format: 'csv', rows: BLUE_IDS.length });
  await expect
    .poll(() => metricValue('trellis_export_bytes_total', 'format="csv"'))
    .toBe(bytesBefore + r.rawPayload.length);
  expect(
    await metricValue('trellis_exports_total', 'format="csv",outcome="EXPORT_DISABLED"'),
  ).toBeGreaterThan(0);
});

test.each(['csv', 'parquet'])(
  'a client that leaves mid-download (%s) cancels the query',
  async (format) => {
    // A real socket: inject() cannot hang up halfway. A cross join makes a result far larger than a socket buffer.
    const big = await createMiniProject({
      'datasets/many.yaml': `sql: sql/many.sql\nshared: true\nexport_limit: 100000000\ncolumns:\n  n: { type: number }\n  label: { type: string }\n`,
      'sql/many.sql': `SELECT i AS n, 'row ' || i || repeat('x', 40) AS label FROM range(3000000) t(i)`,
      'dashboards/many.yaml': `title: Many\ndataset: many\nwidgets:\n  - { id: rows, type: table, title: Rows, columns: [n, label] }\n`,
    });
    const started = await startApp(big.dir);
    try {
      const user = await loginAs(started.app, { org: 'acme', role: 'viewer' });
      await started.app.listen({ port: 0, host: '127.0.0.1' });
      const { port } = started.app.server.address() as AddressInfo;
      const received = await new Promise<number>((resolve, reject) => {
        const req = httpRequest(
          {
            port,
            host: '127.0.0.1',
            path: url('rows', { format }, 'many'),
            headers: { cookie: user.cookie },
          },
          (res) => {
            let bytes = 0;
            res.on('data', (chunk: Buffer) => {
              bytes += chunk.length;
              if (bytes > 1_000_000) {
                req.destroy();
                resolve(bytes);
              }
            });
            res.on('end', () => reject(new Error('the export finished before the client left')));
          },
        );
        req.on('error', () => undefined);
        req.end();
      });
      expect(received).toBeGreaterThan(1_000_000);
      const engine = started.app.services.engines.get('main');
      await expect.poll(() => engine?.stats().inFlight, { timeout: 10_000 }).toBe(0);
      const cancelled = async () => {
        const text =
          await started.app.services.metrics.registry.getSingleMetricAsString('trellis_exports_total');
        return (
          text.includes(`format="${format}",outcome="cancelled"} 1`) ||
          text.includes('outcome="QUERY_CANCELLED"')
        );
      };
      await expect.poll(cancelled, { timeout: 10_000 }).toBe(true);
    } finally {
      await started.close();
    }
  },
  60_000,
);

async function metricValue(name: string, labels: string): Promise<number> {
  const text = await app.services.metrics.registry.getSingleMetricAsString(name);
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}}`));
  return line ? Number(line.split(' ').pop()) : 0;
}
