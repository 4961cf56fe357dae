import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { serviceGate } from '../../test/test-services.js';
import { formatProblem } from '../config/project/project.types.js';
import type { Engine } from '../query/engine.js';
import { closeEngines, openEngine } from '../query/engines/index.js';
import { loadVerifiedProject } from './load-verified-project.js';

/**
 * `trellis check` / `serve` with database-server sources: the connection URL comes from the
 * environment variable named by `url_env`; a missing variable or an unreachable server is a problem
 * on the source's line, never a crash; and the datasets are checked against the real server.
 */
const pg = await serviceGate('postgres', 'project verification against PostgreSQL');
const my = await serviceGate('mysql', 'project verification against MariaDB');

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const table = `trellis_check_${process.pid}`;

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'trellis-sources-'));
  dirs.push(dir);
  for (const d of ['datasets', 'dashboards']) mkdirSync(path.join(dir, d));
  const all: Record<string, string> = {
    'trellis.yaml': `name: sources
title: Sources
sources:
  warehouse:
    type: postgres
    url_env: TRELLIS_TEST_WAREHOUSE_URL
  shop:
    type: mysql
    url_env: TRELLIS_TEST_SHOP_URL
    pool: { size: 2, acquire_timeout: 2s }
`,
    'datasets/orders.yaml': `source: warehouse
table: ${table}
columns:
  id: { type: number }
  placed: { type: date }
shared: true
`,
    'datasets/baskets.yaml': `source: shop
table: ${table}
columns:
  id: { type: number }
  placed: { type: date }
shared: true
`,
    'dashboards/main.yaml': `title: Main
widgets:
  - { id: orders, type: kpi, title: Orders, dataset: orders, measure: count }
  - { id: baskets, type: kpi, title: Baskets, dataset: baskets, measure: count }
`,
    ...files,
  };
  for (const [file, text] of Object.entries(all)) writeFileSync(path.join(dir, file), text);
  return dir;
}

async function problems(dir: string, environment: Record<string, string>): Promise<string[]> {
  const r = await loadVerifiedProject(dir, environment);
  if (r.ok) {
    await closeEngines(r.engines);
    return [];
  }
  return r.problems.map(formatProblem);
}

describe('sources on database servers', () => {
  test('a missing url_env variable is a problem on the source line, naming the variable', async () => {
    expect(await problems(project({}), {})).toEqual([
      'trellis.yaml:4: source "warehouse" cannot be opened: environment variable TRELLIS_TEST_WAREHOUSE_URL (url_env) is not set; it should hold a postgres:// connection URL',
      'trellis.yaml:7: source "shop" cannot be opened: environment variable TRELLIS_TEST_SHOP_URL (url_env) is not set; it should hold a mysql:// connection URL',
    ]);
  });

  test('an unreachable server is a problem too, reported within seconds', async () => {
    const started = performance.now();
    const found = await problems(project({}), {
      TRELLIS_TEST_WAREHOUSE_URL: 'postgres://u:secret@127.0.0.1:1/db',
      TRELLIS_TEST_SHOP_URL: 'mysql://u:secret@127.0.0.1:1/db',
    });
    expect(found).toEqual([
      expect.stringMatching(
        /^trellis\.yaml:4: source "warehouse" cannot be opened: PostgreSQL at 127\.0\.0\.1:1\/db cannot be reached: .*ECONNREFUSED/,
      ),
      expect.stringMatching(
        /^trellis\.yaml:7: source "shop" cannot be opened: MySQL at 127\.0\.0\.1:1\/db cannot be reached: .*ECONNREFUSED/,
      ),
    ]);
    expect(found.join('\n')).not.toContain('secret');
    expect(performance.now() - started).toBeLessThan(3_000);
  });

  test('a URL written into url_env is refused: secrets never live in project files', async () => {
    const dir = project({
      'trellis.yaml': `name: sources
title: Sources
sources:
  warehouse: { type: postgres, url_env: "postgres://admin:hunter2@db/sales" }
`,
    });
    const found = await problems(dir, {});
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^trellis\.yaml:4: .*url_env.*must be the name of an environment variable/);
    expect(found[0]).not.toContain('hunter2');
  });

  describe.runIf(pg.available && my.available)('against the real servers', () => {
    const env = { TRELLIS_TEST_WAREHOUSE_URL: pg.url, TRELLIS_TEST_SHOP_URL: my.url };
    const admin: Engine[] = [];
    const run = async (engine: Engine, sql: string) => {
      await engine.run({ sql, params: [] }, { timeoutMs: 5_000, maxRows: 10, maxBytes: 10_000 });
    };
    afterAll(async () => {
      for (const engine of admin) await run(engine, `DROP TABLE IF EXISTS ${table}`);
      await closeEngines(new Map(admin.map((e, i) => [String(i), e])));
    });

    test('datasets are checked against the real tables: a typo is a problem on its line', async () => {
      const pool = { size: 1, queue: 1, acquire_timeout: '5s', idle_timeout: '5s' };
      admin.push(await openEngine({ type: 'postgres', url_env: 'U', pool }, '.', { U: pg.url }));
      admin.push(await openEngine({ type: 'mysql', url_env: 'U', pool }, '.', { U: my.url }));
      for (const engine of admin) {
        await run(engine, `DROP TABLE IF EXISTS ${table}`);
        await run(engine, `CREATE TABLE ${table} (id INTEGER, placed DATE)`);
      }
      expect(await problems(project({}), env)).toEqual([]);
      const typo = project({
        'datasets/baskets.yaml': `source: shop
table: ${table}
columns:
  id: { type: number }
  placd: { type: date }
shared: true
`,
      });
      expect(await problems(typo, env)).toEqual([
        `datasets/baskets.yaml:5: column "placd" does not exist in table "${table}" (it has: id, placed)`,
      ]);
    });
  });
});
