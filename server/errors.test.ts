import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from 'vitest';
import { repoRoot } from '../test/paths.js';
import { ERROR_CATALOGUE } from './errors.js';

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
