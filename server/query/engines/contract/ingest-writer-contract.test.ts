import { afterAll, describe, expect, test } from 'vitest';
import {
  duckdbWriterTarget,
  mysqlWriterTarget,
  postgresWriterTarget,
  type WriterTarget,
} from '../../../../test/engine-contract/ingest-targets.js';
import { serviceGate } from '../../../../test/test-services.js';
import type { Dataset } from '../../../config/project/project.types.js';
import {
  IngestSchemaError,
  type IngestCell,
  type IngestTable,
  type IngestWriter,
} from '../../ingest-writer.js';
import { openIngestWriter } from '../index.js';

/**
 * The ingest-writer contract (ingest-writer.ts): the same pages written through the seam into DuckDB,
 * PostgreSQL and MariaDB, and the same answers — replace by key across a parent and a child table,
 * checkpoint in the page's transaction (a failed page leaves neither rows nor checkpoint), other
 * organisations untouched, types checked on open, pages larger than one statement's values, and the
 * rows visible to the Engine seam's readers after `publish`.
 */
const pgGate = await serviceGate('postgres', 'PostgreSQL ingest-writer contract tests');
const myGate = await serviceGate('mysql', 'MariaDB ingest-writer contract tests');

const TARGETS = [
  { name: 'duckdb', available: true, make: duckdbWriterTarget },
  { name: 'postgres', available: pgGate.available, make: () => postgresWriterTarget(pgGate.url) },
  { name: 'mysql', available: myGate.available, make: () => mysqlWriterTarget(myGate.url) },
] as const;

const suffix = () => `${process.pid}_${Math.random().toString(36).slice(2, 8)}`;

function tablesFor(id: string): { studies: IngestTable; conditions: IngestTable } {
  return {
    studies: {
      name: `ic_studies_${id}`,
      key: ['id'],
      columns: [
        { name: 'id', type: 'VARCHAR' },
        { name: 'enrolled', type: 'INTEGER' },
        { name: 'started', type: 'DATE' },
        { name: 'score', type: 'DOUBLE' },
        { name: 'active', type: 'BOOLEAN' },
      ],
    },
    conditions: {
      name: `ic_conditions_${id}`,
      key: ['id'],
      columns: [
        { name: 'id', type: 'VARCHAR' },
        { name: 'condition', type: 'VARCHAR' },
      ],
    },
  };
}

type Rows = readonly (readonly IngestCell[])[];

describe.each(TARGETS)('ingest writer contract: $name', ({ available, make }) => {
  const id = suffix();
  const { studies, conditions } = tablesFor(id);
  const tables = [studies, conditions];
  const stateKey = `contract_${id}`;
  let target: WriterTarget | undefined;
  const page = (studyRows: Rows, conditionRows: Rows) =>
    new Map<string, Rows>([
      [studies.name, studyRows],
      [conditions.name, conditionRows],
    ]);

  /** One writer at a time, opened and closed around its work, as pipeline runs take turns on a target. */
  const withWriter = async (tenant: string, work: (writer: IngestWriter) => Promise<void>) => {
    target ??= make();
    const { writer } = await openIngestWriter({ target: target.target, tables, tenantColumn: 'org', tenant });
    try {
      await work(writer);
    } finally {
      await writer.close();
    }
  };

  afterAll(async () => {
    await target?.teardown([
      studies.name,
      conditions.name,
      `ic_typed_${id}`,
      `ic_results_${id}`,
      `ic_input_${id}`,
      `ic_ledres_${id}`,
      `ic_usage_${id}`,
    ]);
  });

  test.skipIf(!available)(
    'a page replaces its keys in every table, with the checkpoint, in one go',
    async () => {
      await withWriter('acme', async (acme) => {
        const inserted = await acme.writePage(
          [['s1'], ['s2']],
          page(
            [
              ['s1', 10, '2024-01-02', 0.5, true],
              ['s2', 20, '2024-03-04', null, false],
            ],
            [
              ['s1', 'asthma'],
              ['s1', 'copd'],
              ['s2', 'flu'],
            ],
          ),
          stateKey,
          '{"page":1}',
        );
        expect(inserted).toBe(5);
        expect(await acme.count(studies.name)).toBe(2);
        expect(await acme.count(conditions.name)).toBe(3);
        expect(await acme.readState(stateKey)).toBe('{"page":1}');

        // s1 again with one condition, s2 again with none: the key's rows are replaced, not added to.
        await acme.writePage(
          [['s1'], ['s2']],
          page(
            [
              ['s1', 11, '2024-01-02', 0.75, true],
              ['s2', 21, '2024-03-05', 1, true],
            ],
            [['s1', 'asthma']],
          ),
          stateKey,
          '{"page":2}',
        );
        expect(await acme.count(studies.name)).toBe(2);
        expect(await acme.count(conditions.name)).toBe(1);
        expect(await acme.maxValue(studies.name, 'started')).toBe('2024-03-05');
      });
      // Committed: a writer opened again finds the rows and the checkpoint.
      await withWriter('acme', async (acme) => {
        expect(await acme.readState(stateKey)).toBe('{"page":2}');
        expect(await acme.count(studies.name)).toBe(2);
      });
    },
  );

  test.skipIf(!available)(
    'another organisation writing the same keys leaves the first one’s rows alone',
    async () => {
      await withWriter('globex', async (globex) => {
        expect(await globex.count(studies.name)).toBe(0);
        await globex.writePage(
          [['s1']],
          page([['s1', 99, '2030-01-01', 2, false]], []),
          `${stateKey}_g`,
          '{}',
        );
        expect(await globex.count(studies.name)).toBe(1);
        expect(await globex.maxValue(studies.name, 'started')).toBe('2030-01-01');
      });
      await withWriter('acme', async (acme) => {
        expect(await acme.count(studies.name)).toBe(2);
        expect(await acme.count(conditions.name)).toBe(1);
        expect(await acme.maxValue(studies.name, 'started')).toBe('2024-03-05');
        expect(await acme.readState(stateKey)).toBe('{"page":2}');
      });
    },
  );

  test.skipIf(!available)('a page that fails leaves neither its rows nor its checkpoint', async () => {
    await withWriter('acme', async (acme) => {
      const bad = acme.writePage(
        [['s3'], ['s1']],
        // The second row's `enrolled` is not an integer: the page fails part way through.
        page(
          [
            ['s3', 30, '2024-05-06', 1, true],
            ['s1', 'not a number', '2024-01-02', 1, true],
          ],
          [['s3', 'gout']],
        ),
        stateKey,
        '{"page":3}',
      );
      await expect(bad).rejects.toThrow(/number|integer/i);
      expect(await acme.count(studies.name)).toBe(2);
      expect(await acme.count(conditions.name)).toBe(1);
      expect(await acme.readState(stateKey)).toBe('{"page":2}');
    });
  });

  test.skipIf(!available)('a page larger than one statement’s bound values lands whole', async () => {
    await withWriter('acme', async (acme) => {
      const n = 2_500; // × 6 stored columns = 15,000 values: more than one INSERT on a server
      const keys = Array.from({ length: n }, (_, i) => [`b${i}`]);
      const rows = keys.map(([k], i) => [k ?? '', i, '2025-01-01', i / 2, i % 2 === 0]);
      expect(await acme.writePage(keys, page(rows, []), stateKey, '{"page":4}')).toBe(n);
      expect(await acme.count(studies.name)).toBe(n + 2);
      expect(await acme.readState(stateKey)).toBe('{"page":4}');
    });
  });

  test.skipIf(!available)(
    'after publish, readers through the Engine seam see every committed row',
    async () => {
      await withWriter('acme', async (acme) => {
        await acme.saveState(stateKey, '{"status":"complete"}');
        await acme.publish();
      });
      expect(target).toBeDefined();
      const reader = await (target as WriterTarget).reader();
      try {
        const q = (name: string) => reader.dialect.quoteIdentifier(name);
        const r = await reader.run(
          {
            sql: `SELECT ${q('org')}, count(*) FROM ${q(studies.name)} GROUP BY ${q('org')} ORDER BY ${q('org')}`,
            params: [],
          },
          { timeoutMs: 10_000, maxRows: 10, maxBytes: 100_000 },
        );
        expect(r.rows.map((row) => [row[0], Number(row[1])])).toEqual([
          ['acme', 2_502],
          ['globex', 1],
        ]);
      } finally {
        await reader.close();
      }
      await withWriter('acme', async (acme) =>
        expect(await acme.readState(stateKey)).toBe('{"status":"complete"}'),
      );
    },
  );

  test.skipIf(!available)(
    'a column of another type than the pipeline writes is refused on open',
    async () => {
      const typed: IngestTable = {
        name: `ic_typed_${id}`,
        key: ['id'],
        columns: [
          { name: 'id', type: 'VARCHAR' },
          { name: 'n', type: 'INTEGER' },
        ],
      };
      target ??= make();
      await target.createTable(`CREATE TABLE "${typed.name}" ("id" VARCHAR(20), "n" DATE)`);
      // DuckDB meets the table on the ingest file's first build: a fresh ingest file for this one.
      const t =
        target.target.kind === 'duckdb'
          ? { ...target.target, ingestFile: `${target.target.ingestFile}.typed` }
          : target.target;
      const opening = openIngestWriter({ target: t, tables: [typed], tenantColumn: null, tenant: 'acme' });
      await expect(opening).rejects.toBeInstanceOf(IngestSchemaError);
      await expect(opening).rejects.toThrow(`column n is`);
    },
  );

  test.skipIf(!available)(
    'enrichment reads: batches in key order after a cursor, filtered by their results, per organisation',
    async () => {
      const results: IngestTable = {
        name: `ic_results_${id}`,
        key: ['id'],
        columns: [
          { name: 'id', type: 'VARCHAR' },
          { name: 'status', type: 'VARCHAR' },
        ],
      };
      const input: IngestTable = {
        name: `ic_input_${id}`,
        key: ['id'],
        columns: [
          { name: 'id', type: 'VARCHAR' },
          { name: 'enrolled', type: 'INTEGER' },
          { name: 'score', type: 'DOUBLE' },
        ],
      };
      const ids = ['r1', 'r2', 'r3', 'r4', 'r5'];
      target ??= make();
      for (const org of ['acme', 'globex']) {
        const opened = await openIngestWriter({
          target: target.target,
          tables: [input],
          tenantColumn: 'org',
          tenant: org,
        });
        await opened.writer.writePage(
          ids.map((k) => [k]),
          new Map([[input.name, ids.map((k, i) => [k, i, i / 2])]]),
          `${stateKey}_${org}`,
          '{}',
        );
        await opened.writer.close();
      }
      const { writer } = await openIngestWriter({
        target: target.target,
        tables: [results],
        tenantColumn: 'org',
        tenant: 'acme',
      });
      try {
        // r2 enriched, r4 failed (for acme); globex's rows and results never show.
        await writer.writePage(
          [['r2'], ['r4']],
          new Map([
            [
              results.name,
              [
                ['r2', 'ok'],
                ['r4', 'failed'],
              ],
            ],
          ]),
          `${stateKey}_results`,
          '{}',
        );
        const query = (mode: 'pending' | 'failed' | 'all', after: IngestCell[] | null = null) => ({
          from: input.name,
          columns: ['id', 'enrolled', 'score'],
          key: ['id'],
          after,
          results: { table: results.name, statusColumn: 'status', mode },
        });
        expect(await writer.readRows(query('pending'), 10)).toEqual([
          ['r1', 0, 0],
          ['r3', 2, 1],
          ['r5', 4, 2],
        ]);
        expect(await writer.readRows(query('pending', ['r1']), 1)).toEqual([['r3', 2, 1]]);
        expect(await writer.readRows(query('failed'), 10)).toEqual([['r4', 3, 1.5]]);
        expect((await writer.readRows(query('all', ['r3']), 10)).map((r) => r[0])).toEqual(['r4', 'r5']);
        expect(await writer.countRows(query('pending'))).toBe(3);
        expect(await writer.countRows(query('all'))).toBe(5);
        // A run's `keys` input (an action widget's selection): only those keys, still by result.
        const only = (
          mode: 'pending' | 'failed' | 'all',
          keys: string[],
          after: IngestCell[] | null = null,
        ) => ({
          ...query(mode, after),
          only: keys,
        });
        expect(
          (await writer.readRows(only('pending', ['r1', 'r2', 'r5', 'zz']), 10)).map((r) => r[0]),
        ).toEqual(['r1', 'r5']);
        expect(await writer.countRows(only('pending', ['r1', 'r2', 'r5', 'zz']))).toBe(2);
        expect((await writer.readRows(only('all', ['r2', 'r4'], ['r2']), 10)).map((r) => r[0])).toEqual([
          'r4',
        ]);
        // An empty list selects nothing, never everything.
        expect(await writer.countRows(only('all', []))).toBe(0);
        // A key quoted like SQL stays a value.
        expect(await writer.countRows(only('all', ["r1' OR '1'='1"]))).toBe(0);
        expect(Object.fromEntries(await writer.countBy(results.name, 'status'))).toEqual({
          ok: 1,
          failed: 1,
        });

        // Over a dataset instead of the table: its SQL (with a parameter), scoped to the writer's
        // organisation by the dataset's tenancy; the same cursor and result filters on top.
        const dataset: Dataset = {
          id: 'enrolled',
          file: 'datasets/enrolled.yaml',
          title: 'Enrolled',
          source: 'main',
          from: {
            kind: 'sql',
            file: 'sql/enrolled.sql',
            text: `SELECT id, enrolled, score, org FROM ${input.name} WHERE enrolled >= :min`,
          },
          params: new Map([['min', { type: 'number', value: 1 }]]),
          tenancy: { kind: 'tenant', column: 'org' },
          freshness: 0,
          columns: new Map(),
          measures: new Map(),
        };
        const overDataset = (mode: 'pending' | 'failed' | 'all', after: IngestCell[] | null = null) => ({
          ...query(mode, after),
          from: dataset.id,
          dataset,
        });
        // r1 is below the dataset's `min`; r2 has a result; r4 failed.
        expect(await writer.readRows(overDataset('pending'), 10)).toEqual([
          ['r3', 2, 1],
          ['r5', 4, 2],
        ]);
        expect(await writer.readRows(overDataset('pending', ['r3']), 10)).toEqual([['r5', 4, 2]]);
        expect(await writer.readRows(overDataset('failed'), 10)).toEqual([['r4', 3, 1.5]]);
        // acme's four rows from r2 on, not globex's copies of them.
        expect(await writer.countRows(overDataset('all'))).toBe(4);
        expect(await writer.countRows(overDataset('pending'))).toBe(2);
      } finally {
        await writer.close();
      }
    },
  );

  test.skipIf(!available)(
    'ledger rows are appended in the page’s transaction: with the page, or not at all',
    async () => {
      const results: IngestTable = {
        name: `ic_ledres_${id}`,
        key: ['id'],
        columns: [
          { name: 'id', type: 'VARCHAR' },
          { name: 'n', type: 'INTEGER' },
        ],
      };
      const ledger: IngestTable = {
        name: `ic_usage_${id}`,
        key: ['batch'],
        columns: [
          { name: 'day', type: 'DATE' },
          { name: 'batch', type: 'INTEGER' },
          { name: 'calls', type: 'INTEGER' },
          { name: 'cost', type: 'DOUBLE' },
        ],
      };
      target ??= make();
      const { writer } = await openIngestWriter({
        target: target.target,
        tables: [results],
        ledgers: [ledger],
        tenantColumn: 'org',
        tenant: 'acme',
      });
      try {
        const usage = (batch: number) => new Map([[ledger.name, [['2026-12-07', batch, 50, 0.1]]]]);
        await writer.writePage(
          [['a']],
          new Map([[results.name, [['a', 1]]]]),
          `${stateKey}_l`,
          '1',
          usage(1),
        );
        // The same key again: the result is replaced, the ledger row appended (a second batch's calls).
        await writer.writePage(
          [['a']],
          new Map([[results.name, [['a', 2]]]]),
          `${stateKey}_l`,
          '2',
          usage(2),
        );
        expect(await writer.count(results.name)).toBe(1);
        expect(await writer.count(ledger.name)).toBe(2);
        expect(await writer.maxValue(ledger.name, 'batch')).toBe('2');
        // A page that fails takes its ledger row with it.
        const bad = writer.writePage(
          [['b']],
          new Map([[results.name, [['b', 'not a number']]]]),
          `${stateKey}_l`,
          '3',
          usage(3),
        );
        await expect(bad).rejects.toThrow(/number|integer/i);
        expect(await writer.count(ledger.name)).toBe(2);
        expect(await writer.readState(`${stateKey}_l`)).toBe('2');
        // Only declared ledgers take rows.
        await expect(
          writer.writePage([], new Map(), `${stateKey}_l`, '4', new Map([['elsewhere', [[1]]]])),
        ).rejects.toThrow(/not a ledger table/);
      } finally {
        await writer.close();
      }
    },
  );
});
