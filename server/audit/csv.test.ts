import fc from 'fast-check';
import { expect, test } from 'vitest';
import { csvField, csvLine } from './csv.js';

/** Reads one quoted RFC 4180 field back. */
const unquote = (field: string) => field.slice(1, -1).replace(/""/g, '"');

test('formula-looking cells are defused with a leading apostrophe', () => {
  expect(csvField('=HYPERLINK("http://evil","x")')).toBe('"\'=HYPERLINK(""http://evil"",""x"")"');
  for (const start of ['=', '+', '-', '@', '\t', '\r'])
    expect(unquote(csvField(`${start}1+1`))).toBe(`'${start}1+1`);
  expect(csvField('plain')).toBe('"plain"');
  expect(csvField(null)).toBe('');
  expect(csvLine(['a', 'b"c', null])).toBe('"a","b""c",\r\n');
});

test('any text: quoted, never starting with a formula character, and recoverable', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 40, unit: 'binary' }), (text) => {
      const field = csvField(text);
      expect(field.startsWith('"') && field.endsWith('"')).toBe(true);
      const inner = unquote(field);
      expect(/^[=+\-@\t\r]/.test(inner)).toBe(false);
      expect(inner === text || inner === `'${text}`).toBe(true);
      // Quotes inside are always doubled, so the field cannot end early.
      expect(field.slice(1, -1).replace(/""/g, '')).not.toContain('"');
    }),
    { numRuns: 500 },
  );
});
