import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { capturedIo } from '../../test/cli-io.js';
import { repoRoot } from '../../test/paths.js';
import { listAudit } from '../audit/audit-log.js';
import { parseEnv } from '../config/env.js';
import { openStore } from '../store/store.js';
import { verifyPassword } from '../auth/passwords.js';
import { accountsCommand } from './accounts.command.js';

const dataDir = mkdtempSync(path.join(tmpdir(), 'trellis-cli-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
const config = parseEnv({ NODE_ENV: 'test', TRELLIS_DATA_DIR: dataDir });
const storeConfig = { kind: 'sqlite', file: path.join(dataDir, 'meta.sqlite') } as const;

/** Runs one command with `stdin` piped in, as `printf '%s\n' "$PW" | trellis user add …` would. */
async function run(args: string[], stdin = '') {
  const cli = capturedIo(stdin);
  const [command, ...rest] = args as ['user' | 'org', ...string[]];
  return cli.result(await accountsCommand(command, rest, config, cli.io));
}

test('org add, then user add reads the password from stdin and stores only its argon2id hash', async () => {
  expect(await run(['org', 'add', 'acme', '--name', 'Acme Corp'])).toMatchObject({ code: 0 });
  const added = await run(
    ['user', 'add', '--email', 'Ann@Example.com', '--org', 'acme', '--role', 'admin'],
    'a long enough passphrase\n',
  );
  expect(added).toMatchObject({ code: 0, stdout: 'user ann@example.com added to acme as admin\n' });
  const store = await openStore(storeConfig);
  try {
    const user = await store.db
      .selectFrom('users')
      .selectAll()
      .where('email', '=', 'ann@example.com')
      .executeTakeFirstOrThrow();
    expect(user.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await verifyPassword(user.password_hash, 'a long enough passphrase')).toBe(true);
    const audit = await listAudit(store.db, { limit: 10 });
    expect(audit.map((a) => [a.action, a.actor, a.target])).toEqual([
      ['user.create', 'cli', 'ann@example.com'],
      ['organisation.create', 'cli', 'acme'],
    ]);
  } finally {
    await store.close();
  }
  expect((await run(['user', 'list'])).stdout).toBe('ann@example.com\tacme:admin\tactive\n');
  expect((await run(['org', 'list'])).stdout).toBe('acme\tAcme Corp\n');
});

test('a password on the command line is refused outright, a weak one from stdin too', async () => {
  const argv = await run([
    'user',
    'add',
    '--email',
    'b@example.com',
    '--org',
    'acme',
    '--role',
    'viewer',
    '--password=x',
  ]);
  expect(argv.code).toBe(2);
  expect(argv.stderr).toMatch(/never taken from the command line/);
  const weak = await run(
    ['user', 'add', '--email', 'b@example.com', '--org', 'acme', '--role', 'viewer'],
    'short\n',
  );
  expect(weak).toMatchObject({
    code: 1,
    stderr: 'trellis user: the password must have at least 12 characters\n',
  });
  const noRole = await run(
    ['user', 'add', '--email', 'b@example.com', '--org', 'acme', '--role', 'owner'],
    'long enough password\n',
  );
  expect(noRole.stderr).toMatch(/"owner" is not a role/);
  const noOrg = await run(
    ['user', 'add', '--email', 'b@example.com', '--org', 'nope', '--role', 'viewer'],
    'long enough password\n',
  );
  expect(noOrg.stderr).toMatch(/no organisation "nope"/);
  expect((await run(['user', 'list'])).stdout).not.toMatch(/b@example.com/);
});

test('user disable marks the user disabled and reports the sessions it ended', async () => {
  const r = await run(['user', 'disable', '--email', 'ann@example.com']);
  expect(r).toMatchObject({ code: 0, stdout: 'user ann@example.com disabled; 0 session(s) ended\n' });
  expect((await run(['user', 'list'])).stdout).toBe('ann@example.com\tacme:admin\tdisabled\n');
  expect((await run(['user', 'disable', '--email', 'who@example.com'])).code).toBe(1);
});

test('the built CLI reads the password from piped stdin (npm test builds dist/ first)', () => {
  const bin = path.join(repoRoot, 'bin', 'trellis.js');
  if (!existsSync(path.join(repoRoot, 'dist', 'server', 'main.js')))
    throw new Error('dist/ is missing: run "npm test" (it builds first) or "npm run build"');
  const env = { ...process.env, TRELLIS_DATA_DIR: dataDir };
  const r = spawnSync(
    process.execPath,
    [bin, 'user', 'add', '--email', 'piped@example.com', '--org', 'acme', '--role', 'viewer'],
    { input: 'piped long passphrase\n', encoding: 'utf8', env, timeout: 30_000 },
  );
  expect(r.stderr).toBe('');
  expect(r.stdout).toBe('user piped@example.com added to acme as viewer\n');
  expect(r.status).toBe(0);
});

test('user reset-password (stdin) ends sessions; user disable then enable', async () => {
  await run(
    ['user', 'add', '--email', 'rita@example.com', '--org', 'acme', '--role', 'viewer'],
    'first long password\n',
  );
  const reset = await run(
    ['user', 'reset-password', '--email', 'rita@example.com'],
    'second long password\n',
  );
  expect(reset).toMatchObject({
    code: 0,
    stdout: 'password of rita@example.com changed; 0 session(s) ended\n',
  });
  expect(await run(['user', 'reset-password', '--email', 'rita@example.com'], 'short\n')).toMatchObject({
    code: 1,
  });
  expect(
    await run(['user', 'reset-password', '--email', 'nobody@example.com'], 'second long password\n'),
  ).toMatchObject({
    code: 1,
  });
  const store = await openStore(storeConfig);
  try {
    const user = await store.db
      .selectFrom('users')
      .selectAll()
      .where('email', '=', 'rita@example.com')
      .executeTakeFirstOrThrow();
    expect(await verifyPassword(user.password_hash, 'second long password')).toBe(true);
  } finally {
    await store.close();
  }
  expect(await run(['user', 'disable', '--email', 'rita@example.com'])).toMatchObject({ code: 0 });
  expect((await run(['user', 'list'])).stdout).toContain('rita@example.com\tacme:viewer\tdisabled');
  expect(await run(['user', 'enable', '--email', 'rita@example.com'])).toMatchObject({ code: 0 });
  expect((await run(['user', 'list'])).stdout).toContain('rita@example.com\tacme:viewer\tactive');
});

test('org add normalises the name (NFC, trimmed) and refuses NUL, bidi overrides and markup', async () => {
  const decomposed = 'Cafe\u0301 Lab';
  expect(await run(['org', 'add', 'cafe', '--name', `  ${decomposed}  `])).toMatchObject({ code: 0 });
  for (const [slug, name] of [
    ['nul', 'Acme\u0000Evil'],
    ['bidi', 'Acme \u202Egro.elpmaxe'],
    ['markup', 'Acme <script>alert(1)</script>'],
    ['newline', 'Acme\nInjected'],
  ] as const) {
    const refused = await run(['org', 'add', slug, '--name', name]);
    expect(refused.code, slug).not.toBe(0);
    expect(refused.stderr, slug).toMatch(/organisation name must not contain/);
  }
  const store = await openStore(storeConfig);
  try {
    const orgs = await store.db.selectFrom('organisations').select(['slug', 'name']).execute();
    expect(orgs.find((o) => o.slug === 'cafe')?.name).toBe('Caf\u00e9 Lab');
    expect(orgs.map((o) => o.slug)).not.toContain('nul');
    expect(orgs.map((o) => o.slug)).not.toContain('bidi');
  } finally {
    await store.close();
  }
});
