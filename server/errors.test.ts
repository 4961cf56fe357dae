import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from 'vitest';
import { repoRoot } from '../test/paths.js';
import { ERROR_CATALOGUE, isExpectedError, TrellisError } from './errors.js';

test('docs/errors.md lists exactly the catalogue: same codes, statuses and messages', () => {
  const doc = readFileSync(path.join(repoRoot, 'docs', 'errors.md'), 'utf8');
  const rows = [...doc.matchAll(/^\|\s*`([A-Z_]+)`\s*\|\s*(\d{3})\s*\|\s*([^|]+?)\s*\|/gm)].map((m) => [
    m[1],
    Number(m[2]),
    m[3]?.trim(),
  ]);
  const catalogue = Object.entries(ERROR_CATALOGUE).map(([code, e]) => [code, e.status, e.message]);
  expect(rows.sort()).toEqual(catalogue.sort());
});

const frames = (err: Error) => (err.stack ?? '').split('\n').filter((l) => l.trim().startsWith('at ')).length;

test('expected refusals carry no stack trace; unexpected 5xx keep theirs', () => {
  const limit = Error.stackTraceLimit;
  for (const code of [
    'SOURCE_BUSY',
    'QUERY_TIMEOUT',
    'QUERY_CANCELLED',
    'TOO_MANY_ATTEMPTS',
    'NOT_FOUND',
  ] as const) {
    const err = new TrellisError(code, { detail: { why: 'test' } });
    expect(isExpectedError(code)).toBe(true);
    expect(frames(err)).toBe(0);
    expect(err.stack).toContain(err.message); // still says what it is when logged
  }
  for (const code of ['QUERY_FAILED', 'INTERNAL', 'SOURCE_UNAVAILABLE'] as const) {
    expect(isExpectedError(code)).toBe(false);
    expect(frames(new TrellisError(code))).toBeGreaterThan(0);
  }
  // The limit is restored, so other errors (and the cause of an expected one) keep their stacks.
  expect(Error.stackTraceLimit).toBe(limit);
  const cause = new Error('driver said no');
  const wrapped = new TrellisError('QUERY_TIMEOUT', { cause });
  expect(frames(wrapped.cause as Error)).toBeGreaterThan(0);
});
