import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createMiniProject } from '../../test/mini-project.js';
import { until } from '../../test/until.js';
import { loadProject } from '../config/project/load-project.js';
import { initCommand } from './init.command.js';

/**
 * `trellis init` in a terminal: its questions on stderr, the answers typed on stdin. The terminal is
 * played by streams (stdin says isTTY), and each answer is typed only once its question is shown, as
 * a person would. The scripted path (flags, --yes) is init.command.test.ts.
 */
const root = mkdtempSync(path.join(tmpdir(), 'trellis-init-prompts-'));
let db: string;
beforeAll(async () => {
  // Two tables: items (text columns name, colour) and canary (text column note).
  db = path.join((await createMiniProject()).dir, 'data', 'mini.duckdb');
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A question, and the answer typed once it shows (given what the terminal shows by then). */
type Turn = readonly [question: RegExp, answer: string | ((shown: string) => string)];

/** Runs init with a terminal that answers each question, in order, as the dialogue says. */
async function initInTerminal(args: string[], dialogue: readonly Turn[]) {
  const stdin = Object.assign(new PassThrough(), { isTTY: true });
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  const done = initCommand(args, { stdin, stdout, stderr });
  let seen = 0;
  for (const [question, answer] of dialogue) {
    await until(
      () => {
        const match = question.exec(err.slice(seen));
        if (match) seen += match.index + match[0].length;
        return match !== null;
      },
      30_000,
      `the question ${question.source}`,
    );
    stdin.write(`${typeof answer === 'string' ? answer : answer(err)}\n`);
  }
  const code = await done;
  return { code, stdout: out, stderr: err };
}

/** The number `init` listed a table under. */
const numberOf = (table: string) => (shown: string) => {
  const n = new RegExp(`^\\s+(\\d+)\\. ${table}$`, 'm').exec(shown)?.[1];
  if (!n) throw new Error(`${table} is not listed in:\n${shown}`);
  return n;
};
const TABLES = /Which ones \(numbers or names, comma-separated; Enter = all\)\? /;
const tenantOf = (table: string) =>
  new RegExp(`${table}: which column holds the organisation[^\n]*Enter = none[^\n]*: `);

test('tables by number; a tenant column that is not a text column is asked again', async () => {
  const dir = path.join(root, 'by-number');
  const r = await initInTerminal(
    [dir, '--from', db],
    [
      [TABLES, numberOf('items')],
      [tenantOf('items'), 'price'],
      [tenantOf('items'), 'colour'],
    ],
  );
  expect(r.code, r.stderr).toBe(0);
  // Asked twice: `price` is a number, and only text columns name organisations.
  expect(
    r.stderr.match(/items: which column holds the organisation a row belongs to \(name, colour\)/g),
  ).toHaveLength(2);
  expect(r.stderr).toContain('"price" is not a text column of items.');
  const loaded = await loadProject(dir);
  expect(loaded.ok).toBe(true);
  if (!loaded.ok) return;
  expect([...loaded.project.datasets.keys()]).toEqual(['items']);
  expect(loaded.project.datasets.get('items')?.tenancy).toEqual({ kind: 'tenant', column: 'colour' });
});

test('Enter takes every table, and Enter again makes each one shared', async () => {
  const dir = path.join(root, 'all-shared');
  const r = await initInTerminal(
    [dir, '--from', db],
    [
      [TABLES, ''],
      [tenantOf('(canary|items)'), ''],
      [tenantOf('(canary|items)'), ''],
    ],
  );
  expect(r.code, r.stderr).toBe(0);
  const loaded = await loadProject(dir);
  expect(loaded.ok).toBe(true);
  if (!loaded.ok) return;
  expect([...loaded.project.datasets.keys()].sort()).toEqual(['canary', 'items']);
  for (const d of loaded.project.datasets.values()) expect(d.tenancy).toEqual({ kind: 'shared' });
});

test('--yes asks nothing even in a terminal, and a name answered for a table works too', async () => {
  const quiet = await initInTerminal(
    [path.join(root, 'yes'), '--from', db, '--tables', 'canary', '--shared', '--yes'],
    [],
  );
  expect(quiet.code, quiet.stderr).toBe(0);
  expect(quiet.stderr).not.toMatch(/Which ones|which column/);
  const named = await initInTerminal(
    [path.join(root, 'named'), '--from', db, '--shared'],
    [[TABLES, 'canary']],
  );
  expect(named.code, named.stderr).toBe(0);
  expect(named.stderr).not.toMatch(/which column/);
  const loaded = await loadProject(path.join(root, 'named'));
  expect(loaded.ok && [...loaded.project.datasets.keys()]).toEqual(['canary']);
});
