import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { repoRoot } from '../../../test/paths.js';
import { serviceGate } from '../../../test/test-services.js';

/** The generator's CLI as `npm run vm-inventory:load-postgres` runs it: the built file (npm test builds first). */
const mainJs = path.join(repoRoot, 'dist', 'examples', 'vm-inventory', 'generator', 'main.js');
const run = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [mainJs, ...args], {
    encoding: 'utf8',
    timeout: 120_000,
    env: { PATH: process.env.PATH ?? '', ...env },
  });

const pgGate = await serviceGate('postgres', 'vm-inventory generator loading PostgreSQL (CLI)');
const dir = mkdtempSync(path.join(tmpdir(), 'trellis-vm-cli-'));

beforeAll(() => {
  if (!existsSync(mainJs))
    throw new Error(`${mainJs} is missing: run "npm test" (it builds first) or "npm run build"`);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('vm-inventory generator CLI', () => {
  test('refuses to run without a target, and a URL where the variable name belongs', () => {
    const none = run([]);
    expect(none.status).toBe(1);
    expect(none.stderr).toContain('name a target');
    const url = run(['--postgres-env', 'postgres://u:s3cret@db/x']);
    expect(url.status).toBe(1);
    expect(url.stderr).toContain('--postgres-env takes the NAME of an environment variable, not a URL');
    const unset = run(['--postgres-env', 'NOT_SET_ANYWHERE']);
    expect(unset.status).toBe(1);
    expect(unset.stderr).toContain('environment variable NOT_SET_ANYWHERE must hold a postgres:// URL');
    expect(run(['--out', path.join(dir, 'x.duckdb'), '--vms', '5e3']).status).toBe(1);
  });

  test('writes a DuckDB file', () => {
    const out = path.join(dir, 'small.duckdb');
    const r = run(['--out', out, '--vms', '300', '--seed', '1']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^generated 300 VMs \(seed 1\)/);
    expect(existsSync(out)).toBe(true);
  });

  test.runIf(pgGate.available)(
    'loads PostgreSQL from the URL in the named variable, never printing it',
    async () => {
      const database = `vm_inventory_cli_${process.pid}_${Date.now()}`;
      const admin = new pg.Client({ connectionString: pgGate.url });
      await admin.connect();
      // The name is ours (letters, digits, _): safe to splice as an identifier.
      await admin.query(`CREATE DATABASE ${database}`);
      try {
        const u = new URL(pgGate.url);
        u.pathname = `/${database}`;
        // A password the local trust authentication ignores, to see that it is never echoed.
        if (!u.password) u.password = 'never-printed';
        const r = run(['--postgres-env', 'TARGET_URL', '--vms', '200'], { TARGET_URL: u.toString() });
        expect(r.stderr).toBe('');
        expect(r.status).toBe(0);
        expect(r.stdout).toContain(
          `loaded PostgreSQL ${u.hostname}:${u.port || 5432}/${database} (from TARGET_URL)`,
        );
        expect(r.stdout + r.stderr).not.toContain(u.password);
        const db = new pg.Client({ connectionString: u.toString() });
        await db.connect();
        try {
          const n = await db.query<{ n: string }>('SELECT count(*) AS n FROM vms');
          expect(Number(n.rows[0]?.n)).toBe(200);
        } finally {
          await db.end();
        }
        // Loading again replaces the tables rather than failing or duplicating rows.
        expect(
          run(['--postgres-env', 'TARGET_URL', '--vms', '100'], { TARGET_URL: u.toString() }).status,
        ).toBe(0);
        const again = new pg.Client({ connectionString: u.toString() });
        await again.connect();
        try {
          const n = await again.query<{ n: string }>('SELECT count(*) AS n FROM vms');
          expect(Number(n.rows[0]?.n)).toBe(100);
        } finally {
          await again.end();
        }
      } finally {
        await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
        await admin.end();
      }
    },
  );
});
