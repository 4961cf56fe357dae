import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { de } from './de.js';
import { en } from './en.js';
import { enPages } from './en-pages.js';
import { enErrors } from './en-errors.js';

/** Every leaf as [dotted key, text]. */
function leaves(tree: object, prefix = ''): [string, unknown][] {
  return Object.entries(tree).flatMap(([k, v]): [string, unknown][] =>
    v !== null && typeof v === 'object' ? leaves(v as object, `${prefix}${k}.`) : [[`${prefix}${k}`, v]],
  );
}
const placeholders = (text: string) =>
  [...text.matchAll(/\{\{\s*([\w.]+)[^}]*\}\}/g)].map((m) => m[1]).sort();

describe('the message catalogues', () => {
  const english = new Map(leaves({ ...en, ...enPages, errors: enErrors }));
  const german = new Map(leaves(de));

  test('German has exactly the keys of English', () => {
    expect([...german.keys()].sort()).toEqual([...english.keys()].sort());
  });

  test('every text is a non-empty string, with the same {{placeholders}} in both languages', () => {
    for (const [key, text] of english) {
      const other = german.get(key);
      expect(typeof text, key).toBe('string');
      expect(typeof other, key).toBe('string');
      expect((text as string).trim(), key).not.toBe('');
      expect((other as string).trim(), key).not.toBe('');
      expect(placeholders(other as string), key).toEqual(placeholders(text as string));
    }
  });

  test('plurals come in pairs (_one and _other) in both languages', () => {
    for (const key of english.keys()) {
      const m = /^(.*)_(one|other)$/.exec(key);
      if (!m) continue;
      expect(english.has(`${m[1]}_one`) && english.has(`${m[1]}_other`), key).toBe(true);
    }
  });

  test('every error code of docs/errors.md has a message in the catalogue', () => {
    const doc = readFileSync(new URL('../../../../../docs/errors.md', import.meta.url), 'utf8');
    const codes = [...doc.matchAll(/^\| `([A-Z_]+)`/gm)].map((m) => m[1]);
    expect(codes.length).toBeGreaterThan(50);
    const missing = codes.filter((c) => !english.has(`errors.${c}`));
    expect(missing).toEqual([]);
  });
});
