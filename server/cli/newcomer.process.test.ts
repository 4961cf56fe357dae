import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { repoRoot } from '../../test/paths.js';
import { mariadbSalesTable, pgSalesSchema, salesFilesFolder } from '../../test/sales-fixture.js';
import { startServe } from '../../test/serve-process.js';
import { installPackedCli } from '../../test/packed-cli.js';
import { serviceGate } from '../../test/test-services.js';

/**
 * The newcomer's path (issue 16), as a user runs it: in a folder outside the checkout, the packed CLI
 * (`npm pack`, installed into a private global prefix: test/packed-cli.ts says how) scaffolds a project from
 * their own data, checks it, serves it in demo mode; they sign in with the printed link, mint an API
 * token and fetch a widget's rows with curl as docs/api.md shows. No TRELLIS_DATA_DIR: the metadata
 * store is the project's own .trellis/, and `trellis user list` run inside the project finds it.
 */
const home = mkdtempSync(path.join(tmpdir(), 'trellis-newcomer-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));
if (!existsSync(path.join(repoRoot, 'dist', 'server', 'main.js')))
  throw new Error('dist/ is missing: run "npm test" (it builds first) or "npm run build"');
// Outside `home`, so the projects' folder holds only what the newcomer made.
const installDir = mkdtempSync(path.join(tmpdir(), 'trellis-packed-'));
afterAll(() => rmSync(installDir, { recursive: true, force: true }));
const installed = installPackedCli(installDir);

function withoutTrellisEnv(extra: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env))
    if (v !== undefined && !k.startsWith('TRELLIS_') && k !== 'NODE_ENV') env[k] = v;
  // The installed command first on PATH, as `npm install -g` leaves it.
  return {
    ...env,
    NODE_ENV: 'development',
    PATH: `${installed.binDir}:${env.PATH ?? '/usr/bin:/bin'}`,
    ...extra,
  };
}

function trellis(args: string[], env: Record<string, string>, cwd = home) {
  return spawnSync('trellis', args, {
    cwd,
    env: withoutTrellisEnv(env),
    encoding: 'utf8',
    timeout: 120_000,
  });
}

const sh = (script: string, env: Record<string, string>) =>
  spawnSync('bash', ['--noprofile', '--norc', '-c', `set -euo pipefail\n${script}`], {
    cwd: home,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });

/** init → check → serve --demo → link → token → curl: returns the widget's row count. */
async function newcomer(project: string, initArgs: string[], env: Record<string, string>): Promise<number> {
  const init = trellis(['init', project, ...initArgs, '--yes'], env);
  expect(init.stderr).toBe('');
  expect(init.status).toBe(0);
  const check = trellis(['check', project], env);
  expect(check.stderr).toBe('');
  expect(check.stdout).toMatch(/: ok \(\d+ datasets?, \d+ dashboards?, \d+ widgets\)/);
  const server = await startServe(
    ['--demo', project],
    withoutTrellisEnv(env),
    90_000,
    home,
    installed.trellis,
  );
  try {
    const link = (await server.waitFor(/(http:\/\/\S+\/login\/link\?token=[A-Za-z0-9_-]{43})/))[1] ?? '';
    const dataset = (await import('node:fs'))
      .readdirSync(path.join(home, project, 'datasets'))
      .find((f) => f.includes('sales'))
      ?.replace(/\.yaml$/, '');
    const r = sh(
      `curl -s -c cookies.txt -o /dev/null "$TRELLIS_LINK"
CSRF=$(curl -s -b cookies.txt "$TRELLIS_URL/api/v1/session" | jq -r .csrfToken)
TOKEN=$(curl -s -b cookies.txt -H "x-csrf-token: $CSRF" -H 'content-type: application/json' \\
  -d '{"name":"script","role":"viewer","expiresInDays":1}' "$TRELLIS_URL/api/v1/tokens" | jq -r .secret)
curl -s -H "Authorization: Bearer $TOKEN" -H 'content-type: application/json' \\
  -d '{"filters":{"f_region":["north","south"],"f_sold_on":{"from":"2024-01-01"},"f_amount":{"min":0}}}' \\
  "$TRELLIS_URL/api/v1/dashboards/${dataset}/widgets/by_region/data" | jq -c '.rows'`,
      { TRELLIS_URL: server.url, TRELLIS_LINK: link },
    );
    expect(r.stderr).toBe('');
    const rows = JSON.parse(r.stdout) as [string, number][];
    expect(rows.map((row) => row[0]).sort()).toEqual(['north', 'south']);
    // The account commands find the server's store from inside the project folder.
    const users = trellis(['user', 'list'], env, path.join(home, project));
    expect(users.stdout).toMatch(/^admin@acme\.example\tacme:admin\tactive$/m);
    expect(existsSync(path.join(home, project, '.trellis', 'meta.sqlite'))).toBe(true);
    expect(existsSync(path.join(home, '.trellis'))).toBe(false);
    return rows.reduce((n, row) => n + row[1], 0);
  } finally {
    await server.stop();
  }
}

const unique = `nc_${process.pid}_${Date.now() % 100000}`;
test('the installed command is the packed one, and works from any folder', () => {
  const help = spawnSync('trellis', ['--help'], {
    cwd: tmpdir(),
    env: withoutTrellisEnv({}),
    encoding: 'utf8',
  });
  expect(help.status).toBe(0);
  expect(help.stdout).toMatch(/^ {2}dev DIR/m);
  const which = spawnSync('bash', ['-c', 'command -v trellis'], {
    env: withoutTrellisEnv({}),
    encoding: 'utf8',
  });
  expect(which.stdout.trim()).toBe(installed.trellis);
});

const pgGate = await serviceGate('postgres', 'the newcomer path from PostgreSQL');
const myGate = await serviceGate('mysql', 'the newcomer path from MariaDB');

describe.runIf(pgGate.available)('from PostgreSQL', () => {
  test('a schema-qualified sales table → a served dashboard → rows over curl with a token', async () => {
    const fixture = await pgSalesSchema(pgGate.url, unique);
    try {
      const counted = await newcomer(
        'pg-project',
        ['--from', pgGate.url, '--tables', `${unique}.sales`, '--tenant-column', 'org'],
        { DATABASE_URL: pgGate.url },
      );
      // acme's half of the rows, in two of four regions.
      expect(counted).toBe(500);
    } finally {
      await fixture.drop();
    }
  }, 240_000);
});

describe.runIf(myGate.available)('from MariaDB', () => {
  test('a sales table → a served dashboard → rows over curl with a token', async () => {
    const fixture = await mariadbSalesTable(myGate.url, `${unique}_sales`);
    try {
      const counted = await newcomer(
        'mysql-project',
        ['--from', myGate.url, '--tables', `${unique}_sales`, '--tenant-column', 'org'],
        { DATABASE_URL: myGate.url },
      );
      expect(counted).toBe(500);
    } finally {
      await fixture.drop();
    }
  }, 240_000);
});

test('from a folder of Parquet files → a served dashboard → rows over curl with a token', async () => {
  const folder = path.join(home, 'exports');
  await salesFilesFolder(folder);
  const counted = await newcomer(
    'files-project',
    ['--from', folder, '--tables', 'sales', '--tenant-column', 'org'],
    {},
  );
  expect(counted).toBe(500);
}, 240_000);
