import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { capturedIo } from '../../test/cli-io.js';
import { parseEnv } from '../config/env.js';
import { accountsCommand } from './accounts.command.js';
import { projectStoreFile, storeForProject } from './metadata-location.js';

const root = mkdtempSync(path.join(tmpdir(), 'trellis-store-location-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const folder = (name: string, project = false) => {
  const dir = path.join(root, name);
  mkdirSync(dir, { recursive: true });
  if (project) writeFileSync(path.join(dir, 'trellis.yaml'), 'name: p\n');
  return dir;
};
const noEnv = parseEnv({ NODE_ENV: 'test' });

async function run(cwd: string, args: string[], stdin = '') {
  const cli = capturedIo(stdin);
  const [command, ...rest] = args as ['user' | 'org', ...string[]];
  return cli.result(await accountsCommand(command, rest, noEnv, { ...cli.io, cwd: () => cwd }));
}

test('serve and the CLI agree: without TRELLIS_DATA_DIR the store is <project>/.trellis/meta.sqlite', () => {
  const project = folder('agree', true);
  expect(storeForProject(noEnv.store, project)).toEqual({
    kind: 'sqlite',
    file: path.join(project, '.trellis', 'meta.sqlite'),
  });
  const env = parseEnv({ NODE_ENV: 'test', TRELLIS_DATA_DIR: path.join(root, 'elsewhere') });
  expect(storeForProject(env.store, project)).toEqual({
    kind: 'sqlite',
    file: path.join(root, 'elsewhere', 'meta.sqlite'),
  });
});

test('inside a project, user/org use its store; from another folder, --project names it', async () => {
  const project = folder('p1', true);
  expect(await run(project, ['org', 'add', 'acme'])).toMatchObject({ code: 0 });
  expect(existsSync(projectStoreFile(project))).toBe(true);
  const away = folder('away');
  const lost = await run(away, ['org', 'list']);
  expect(lost.code).toBe(1);
  expect(lost.stderr).toMatch(/which project\?.*--project DIR/);
  expect(existsSync(path.join(away, '.trellis'))).toBe(false);
  expect(await run(away, ['org', 'list', '--project', project])).toMatchObject({
    code: 0,
    stdout: 'acme\tacme\n',
  });
  expect(await run(away, ['org', 'list', '--data-dir', path.join(project, '.trellis')])).toMatchObject({
    code: 0,
    stdout: 'acme\tacme\n',
  });
  const notProject = await run(away, ['org', 'list', '--project', away]);
  expect(notProject).toMatchObject({ code: 1 });
  expect(notProject.stderr).toMatch(/not a Trellis project/);
});

test('a command that would create an empty store while another exists says so and creates nothing', async () => {
  // An older version kept the store in the folder `serve` ran from: .trellis/ of the working directory.
  const old = folder('old-cwd');
  const oldProject = folder('old-project', true);
  expect(await run(old, ['org', 'add', 'acme', '--data-dir', path.join(old, '.trellis')])).toMatchObject({
    code: 0,
  });
  const r = await run(
    old,
    ['user', 'reset-password', '--email', 'a@example.com', '--project', oldProject],
    'x\n',
  );
  expect(r.code).toBe(1);
  expect(r.stderr).toContain(`there is one at ${path.join(old, '.trellis', 'meta.sqlite')}`);
  expect(r.stderr).toContain(`TRELLIS_DATA_DIR=${path.join(old, '.trellis')}`);
  expect(existsSync(path.join(oldProject, '.trellis'))).toBe(false);
});

test('reading commands on a project without a store yet refuse instead of creating one', async () => {
  const project = folder('fresh', true);
  const r = await run(
    project,
    ['user', 'reset-password', '--email', 'a@example.com'],
    'a long enough passphrase\n',
  );
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(/no metadata store at .*\.trellis\/meta\.sqlite yet/);
  expect(existsSync(path.join(project, '.trellis'))).toBe(false);
});
