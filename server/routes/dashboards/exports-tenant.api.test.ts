import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loginAs, startApp, type SignedIn, type TestApp } from '../../../test/app-harness.js';
import {
  ORDER_ROWS,
  createTenantFixture,
  type Engine,
  type TenantFixture,
} from '../../../test/tenant-fixture.js';
import { serviceGate } from '../../../test/test-services.js';

/**
 * Exports and tenants, on DuckDB, PostgreSQL and MariaDB: a viewer of one organisation exports only
 * that organisation's rows — whatever filters ask for another's values — in every format, and a
 * SQL dataset (`:tenant` inside) as well as a table; the admin-only dashboard stays out of reach.
 */
const pg = await serviceGate('postgres', 'export tenant tests on PostgreSQL');
const my = await serviceGate('mysql', 'export tenant tests on MariaDB');

const ENGINES: { engine: Engine; available: boolean; url: string }[] = [
  { engine: 'duckdb', available: true, url: '' },
  { engine: 'postgres', available: pg.available, url: pg.url },
  { engine: 'mysql', available: my.available, url: my.url },
];

const idsOf = (org: string, pred: (r: (typeof ORDER_ROWS)[number]) => boolean = () => true) =>
  ORDER_ROWS.filter((r) => r.org === org && pred(r))
    .map((r) => r.id)
    .sort((a, b) => a - b);

describe.each(ENGINES)('exports on $engine', ({ engine, available, url }) => {
  let fixture: TenantFixture;
  let app: TestApp;
  let close: () => Promise<void>;
  let beacon: SignedIn;
  let atlas: SignedIn;
  beforeAll(async () => {
    if (!available) return;
    fixture = await createTenantFixture(engine, url);
    ({ app, close } = await startApp(fixture.dir, { environment: fixture.environment }));
    beacon = await loginAs(app, { org: 'beacon', role: 'viewer' });
    atlas = await loginAs(app, { org: 'atlas', role: 'viewer' });
  }, 60_000);
  afterAll(async () => {
    await close?.();
    await fixture?.teardown();
  });

  const exportUrl = (widget: string, query: Record<string, string>, dashboard = 'ops') =>
    `/api/v1/dashboards/${dashboard}/widgets/${widget}/export?${new URLSearchParams(query)}`;

  test.skipIf(!available)(
    "a viewer of B gets exactly B's rows, never A's, in every text format",
    async () => {
      const csv = await beacon.inject(exportUrl('list', { format: 'csv' }));
      expect(csv.statusCode).toBe(200);
      const lines = csv.body.trimEnd().split('\r\n').slice(1);
      expect(lines.map((l) => Number(l.split(',')[0])).sort((a, b) => a - b)).toEqual(idsOf('beacon'));
      expect(lines.every((l) => l.split(',')[1] === '"beacon"')).toBe(true);

      const nd = await beacon.inject(exportUrl('lines', { format: 'ndjson' }));
      const rows = nd.body
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l) as { id: number; org: string });
      expect(rows.map((r) => r.id).sort((a, b) => a - b)).toEqual(idsOf('beacon'));
      expect(new Set(rows.map((r) => r.org))).toEqual(new Set(['beacon']));
    },
    30_000,
  );

  test.skipIf(!available)(
    "filters naming A's values find nothing of A's",
    async () => {
      // north, south and east are only atlas's regions; hub is both.
      const filters = JSON.stringify({ region: ['north', 'south', 'hub'] });
      const r = await beacon.inject(exportUrl('list', { format: 'json', filters }));
      const rows = r.json() as { id: number; org: string; region: string }[];
      expect(rows.map((x) => x.id).sort((a, b) => a - b)).toEqual(idsOf('beacon', (x) => x.region === 'hub'));
      expect(rows.every((x) => x.org === 'beacon')).toBe(true);
      const theirs = await atlas.inject(exportUrl('list', { format: 'json', filters }));
      const atlasRows = theirs.json() as { id: number; org: string; region: string }[];
      expect(atlasRows.map((x) => x.id).sort((a, b) => a - b)).toEqual(
        idsOf('atlas', (x) => ['north', 'south', 'hub'].includes(x.region)),
      );
    },
    30_000,
  );

  test.skipIf(!available)(
    'grouped tables and charts export only the caller’s groups',
    async () => {
      const r = await beacon.inject(exportUrl('by_org', { format: 'json' }));
      expect(r.json()).toEqual([expect.objectContaining({ org: 'beacon', count: idsOf('beacon').length })]);
    },
    30_000,
  );

  test.skipIf(!available)('the admin-only dashboard does not exist for a viewer', async () => {
    const r = await beacon.inject(exportUrl('list', { format: 'csv' }, 'admin'));
    expect(r.statusCode).toBe(404);
    expect(r.json().error).toBe('DASHBOARD_NOT_FOUND');
  });

  test.skipIf(!available)('Parquet: written by DuckDB, refused with a catalogue code elsewhere', async () => {
    const r = await beacon.inject(exportUrl('list', { format: 'parquet' }));
    if (engine === 'duckdb') {
      expect(r.statusCode).toBe(200);
      expect(r.rawPayload.subarray(0, 4).toString()).toBe('PAR1');
    } else {
      expect(r.statusCode).toBe(422);
      expect(r.json().error).toBe('EXPORT_FORMAT_UNSUPPORTED');
    }
    // The dashboard tells the menu which formats the source writes, so it never offers a failing one.
    const definition = await beacon.inject('/api/v1/dashboards/ops');
    const widget = (
      definition.json() as { widgets: { id: string; exportFormats?: string[] }[] }
    ).widgets.find((w) => w.id === 'list');
    expect(widget?.exportFormats).toEqual(
      engine === 'duckdb' ? ['csv', 'xlsx', 'parquet', 'json', 'ndjson'] : ['csv', 'xlsx', 'json', 'ndjson'],
    );
  });
});
