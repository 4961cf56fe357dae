import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loginAs, startApp, type SignedIn, type TestApp } from '../../../test/app-harness.js';
import { createMiniProject } from '../../../test/mini-project.js';
import { importUpload } from '../../../test/upload-api.js';
import { serviceGate } from '../../../test/test-services.js';
import { sendUpload } from '../../../test/upload-api.js';

/**
 * Uploads into a PostgreSQL source — and the same on MariaDB — through the API (issue 12, the tenant
 * acceptance on PostgreSQL): the target's versioned table lives in a schema (a database on MariaDB)
 * of its own on the test server; a dataset on that source reads the view like any table.
 * Organisation B never sees A's rows, versions, reports or profiles; imports, replace, upsert,
 * rollback and retention behave as on DuckDB.
 */
const pgGate = await serviceGate('postgres', 'uploads into a PostgreSQL source (API)');
const myGate = await serviceGate('mysql', 'uploads into a MariaDB source (API)');
const run = `${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
const SCHEMA = `trellis_upl_${run}`;
const URL_ENV = 'TRELLIS_UPLOAD_SERVER_URL';

/** Set-up and inspection SQL on the test server, outside Trellis ($n placeholders, double-quoted names). */
type Admin = (sql: string, params?: unknown[]) => Promise<Record<string, unknown>[]>;

const SERVERS = [
  {
    name: 'postgres',
    gate: pgGate,
    admin: (async (sql, params = []) => {
      const client = new pg.Client({ connectionString: pgGate.url });
      await client.connect();
      try {
        return (await client.query(sql, params)).rows as Record<string, unknown>[];
      } finally {
        await client.end();
      }
    }) as Admin,
    create: `CREATE SCHEMA "${SCHEMA}"`,
    drop: `DROP SCHEMA IF EXISTS "${SCHEMA}" CASCADE`,
    url: () => {
      const u = new URL(pgGate.url);
      u.searchParams.set('options', `-c search_path=${SCHEMA}`);
      return u.toString();
    },
  },
  {
    name: 'mysql',
    gate: myGate,
    admin: (async (sql, params = []) => {
      const conn = await mysql.createConnection({ uri: myGate.url });
      try {
        const [rows] = await conn.query(sql.replace(/\$\d+/g, '?').replace(/"/g, '`'), params);
        return Array.isArray(rows) ? (rows as Record<string, unknown>[]) : [];
      } finally {
        await conn.end();
      }
    }) as Admin,
    create: `CREATE DATABASE "${SCHEMA}" CHARACTER SET utf8mb4`,
    drop: `DROP DATABASE IF EXISTS "${SCHEMA}"`,
    url: () => {
      const u = new URL(myGate.url);
      u.pathname = `/${SCHEMA}`;
      return u.toString();
    },
  },
] as const;

// The only source: the mini project's other datasets name none, so they would be ambiguous beside a second.
const trellisYaml = (type: string) => `name: mini
title: Mini
sources:
  pg: { type: ${type}, url_env: ${URL_ENV}, pool: { size: 2, queue: 50 } }
limits: { query_timeout: 10s, max_rows: 1000, max_bytes: 1MB }
`;
const DATASET = `source: pg
table: pg_targets
tenant_column: org
columns:
  org: { type: string }
  sponsor: { type: string }
  target: { type: number }
measures:
  total: { agg: sum, column: target }
  rows: { agg: count }
`;
const DASHBOARD = `title: PG targets
dataset: pg_targets
widgets:
  - { id: total, type: kpi, title: Total target, measure: total }
  - { id: rows, type: kpi, title: Rows, measure: rows }
`;
const TARGET = `title: PG targets
target: pg
table: pg_targets
tenant_column: org
key: [sponsor]
mode: replace
columns:
  sponsor: { type: VARCHAR }
  target: { type: INTEGER, required: true }
keep_versions: 3
`;
const UPSERT = `title: PG upsert
target: pg
table: pg_upsert
tenant_column: org
key: [sponsor]
mode: upsert
columns:
  sponsor: { type: VARCHAR }
  target: { type: INTEGER, required: true }
`;

describe.each(SERVERS)('uploads into a $name source', ({ name, gate, admin, create, drop, url }) => {
  let app: TestApp;
  let close: (() => Promise<void>) | undefined;
  let a: SignedIn;
  let b: SignedIn;
  let viewer: SignedIn;
  let tempDir = '';

  beforeAll(async () => {
    if (!gate.available) return;
    await admin(create);
    const mini = await createMiniProject({
      'trellis.yaml': trellisYaml(name),
      'datasets/pg_targets.yaml': DATASET,
      'dashboards/pg_targets.yaml': DASHBOARD,
    });
    mkdirSync(path.join(mini.dir, 'uploads'));
    writeFileSync(path.join(mini.dir, 'uploads', 'targets.yaml'), TARGET);
    writeFileSync(path.join(mini.dir, 'uploads', 'upserts.yaml'), UPSERT);
    tempDir = mkdtempSync(path.join(tmpdir(), 'trellis-upload-pg-'));
    ({ app, close } = await startApp(mini.dir, { uploads: { tempDir }, environment: { [URL_ENV]: url() } }));
    app.services.jobs.startWorker();
    a = await loginAs(app, { org: 'acme', role: 'editor' });
    b = await loginAs(app, { org: 'globex', role: 'editor' });
    viewer = await loginAs(app, { org: 'acme', role: 'viewer' });
  }, 60_000);

  afterAll(async () => {
    await close?.();
    if (gate.available) await admin(drop);
    if (tempDir) rmSync(tempDir, { recursive: true, force: true });
  });

  const send = async (who: SignedIn, name: string, content: string, target = 'targets') => {
    const r = await sendUpload(who, name, content, { target, contentType: 'text/csv' });
    expect(r.statusCode, r.body).toBe(201);
    return r.json().id as string;
  };
  const post = (who: SignedIn, u: string) => who.inject({ method: 'POST', url: u, payload: {} });
  const importOk = async (who: SignedIn, id: string) => {
    const r = await importUpload(who, id);
    expect(r.status, JSON.stringify(r.body)).toBe('imported');
    return r.body;
  };
  /** The dashboard's KPI values (total, rows) as `who` sees them, read from PostgreSQL. */
  const kpis = async (who: SignedIn) => {
    const value = async (widget: string) => {
      const r = await who.inject({
        method: 'POST',
        url: `/api/v1/dashboards/pg_targets/widgets/${widget}/data`,
        payload: { filters: {} },
      });
      expect(r.statusCode, r.body).toBe(200);
      return Number((r.json() as { rows: unknown[][] }).rows[0]?.[0] ?? 0);
    };
    return { total: await value('total'), rows: await value('rows') };
  };

  describe.skipIf(!gate.available)('imports, versions, tenants', () => {
    test('the target is prepared at start: its view exists (empty) before the first import', async () => {
      const kinds = await admin(
        `SELECT table_name AS name, table_type AS kind FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1`,
        [SCHEMA],
      );
      expect(kinds).toEqual(
        expect.arrayContaining([
          { name: '_trellis_upload_current', kind: 'BASE TABLE' },
          { name: 'pg_targets', kind: 'VIEW' },
          { name: 'pg_targets__versions', kind: 'BASE TABLE' },
        ]),
      );
      expect(await kpis(a)).toEqual({ total: 0, rows: 0 });
    });

    test('import, replace and rollback: the dashboard reads each version from the server', async () => {
      const one = await importOk(a, await send(a, 'one.csv', 'sponsor,target\nAlpha,10\nBeta,20\n'));
      expect(one).toMatchObject({ version: { version: 1, rows: 2, mode: 'replace' }, rowDiff: null });
      expect(await kpis(a)).toEqual({ total: 30, rows: 2 });
      const two = await importOk(a, await send(a, 'two.csv', 'sponsor,target\nGamma,5\n'));
      expect(two).toMatchObject({ version: { version: 2, rows: 1 }, rowDiff: -1 });
      expect(await kpis(a)).toEqual({ total: 5, rows: 1 });

      const back = await post(a, '/api/v1/uploads/targets/targets/versions/1/rollback');
      expect(back.statusCode, back.body).toBe(200);
      expect(await kpis(a)).toEqual({ total: 30, rows: 2 });
      // The rows live in PostgreSQL, tagged with the organisation and the version.
      expect(
        await admin(
          `SELECT org, _trellis_version AS v, count(*) AS n FROM "${SCHEMA}".pg_targets__versions GROUP BY 1, 2 ORDER BY 1, 2`,
        ).then((rows) => rows.map((r) => ({ ...r, n: Number(r['n']) }))),
      ).toEqual([
        { org: 'acme', v: 1, n: 2 },
        { org: 'acme', v: 2, n: 1 },
      ]);
    });

    test('organisation B never sees A’s rows, versions, reports, profiles', async () => {
      const aUpload = await send(a, 'a-secret.csv', 'sponsor,target\nSecret,1000\n');
      for (const suffix of ['', '/preview', '/profile', '/report', '/report.csv']) {
        const r = await b.inject(`/api/v1/uploads/${aUpload}${suffix}`);
        expect(r.statusCode, suffix).toBe(404);
        expect(r.json().error).toBe('UPLOAD_NOT_FOUND');
      }
      expect((await post(b, `/api/v1/uploads/${aUpload}/import`)).statusCode).toBe(404);
      expect((await b.inject('/api/v1/uploads/targets/targets/versions')).json().versions).toEqual([]);
      expect((await b.inject('/api/v1/uploads/targets/targets/uploads')).json().uploads).toEqual([]);
      expect(
        (await a.inject('/api/v1/uploads/targets/targets/uploads')).json().uploads.length,
      ).toBeGreaterThan(0);
      expect((await b.inject('/api/v1/uploads/targets/targets/versions/diff?from=1&to=2')).statusCode).toBe(
        404,
      );
      const rb = await post(b, '/api/v1/uploads/targets/targets/versions/1/rollback');
      expect(rb.statusCode).toBe(404);
      expect(await kpis(b)).toEqual({ total: 0, rows: 0 });

      // B's own import is its own version 1 and does not move A's pointer or touch A's rows.
      const bOne = await importOk(b, await send(b, 'b.csv', 'sponsor,target\nAlpha,7\n'));
      expect(bOne).toMatchObject({ version: { version: 1, rows: 1 } });
      expect(await kpis(b)).toEqual({ total: 7, rows: 1 });
      expect(await kpis(a)).toEqual({ total: 30, rows: 2 });
      const aVersions = (await a.inject('/api/v1/uploads/targets/targets/versions')).json().versions;
      expect(aVersions.map((v: { version: number }) => v.version)).toEqual([2, 1]);
      // A's received (not imported) upload is still A's alone, untouched by B's attempt.
      expect((await a.inject(`/api/v1/uploads/${aUpload}`)).json().status).toBe('received');
      // A viewer never rolls back; a stranger never lists.
      expect((await post(viewer, '/api/v1/uploads/targets/targets/versions/2/rollback')).statusCode).toBe(
        403,
      );
      expect((await app.inject('/api/v1/uploads/targets/targets/versions')).statusCode).toBe(401);
    });

    test('retention keeps keep_versions; removed versions lose their rows on the server', async () => {
      for (const n of [3, 4]) await importOk(a, await send(a, `r${n}.csv`, `sponsor,target\nR,${n}\n`));
      const versions = (await a.inject('/api/v1/uploads/targets/targets/versions')).json().versions as {
        version: number;
        status: string;
      }[];
      expect(versions.filter((v) => v.status !== 'removed').map((v) => v.version)).toEqual([4, 3, 2]);
      const stored = await admin(
        `SELECT DISTINCT _trellis_version AS v FROM "${SCHEMA}".pg_targets__versions WHERE org = 'acme' ORDER BY 1`,
      );
      expect(stored.map((r) => r['v'])).toEqual([2, 3, 4]);
      expect((await post(a, '/api/v1/uploads/targets/targets/versions/1/rollback')).statusCode).toBe(404);
      expect(await kpis(a)).toEqual({ total: 4, rows: 1 });
    });

    test('upsert merges on the key with the current version', async () => {
      await importOk(a, await send(a, 'u1.csv', 'sponsor,target\nA,1\nB,2\n', 'upserts'));
      const r = await importOk(a, await send(a, 'u2.csv', 'sponsor,target\nB,20\nC,30\n', 'upserts'));
      expect(r).toMatchObject({ version: { version: 2, rows: 3, mode: 'upsert' }, rowDiff: 1 });
      const rows = await admin(
        `SELECT sponsor, target FROM "${SCHEMA}".pg_upsert WHERE org = 'acme' ORDER BY sponsor`,
      );
      expect(rows).toEqual([
        { sponsor: 'A', target: 1 },
        { sponsor: 'B', target: 20 },
        { sponsor: 'C', target: 30 },
      ]);
    });
  });
});
