import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { normaliseOrganisationName, organisationName } from './organisation-name.js';

describe('organisation names', () => {
  test('normalised to NFC and trimmed', () => {
    expect(normaliseOrganisationName('  Cafe\u0301 Lab \t')).toEqual({ ok: true, name: 'Caf\u00e9 Lab' });
    expect(organisationName.parse(' Atlas Research ')).toBe('Atlas Research');
    expect(organisationName.parse('Zürich & Söhne — 東京')).toBe('Zürich & Söhne — 東京');
  });

  test('control, bidi, invisible characters and < > are refused with a clear message', () => {
    for (const bad of [
      'A\u0000B',
      'A\u0007B',
      'A\nB',
      'A\u0085B',
      'A\u202EB',
      'A\u202AB',
      'A\u2066B',
      'A\u200FB',
      'A\u061CB',
      'A\u200BB',
      'A\uFEFFB',
      'A\u2028B',
      '<b>Acme</b>',
      'Acme >',
    ]) {
      const r = normaliseOrganisationName(bad);
      expect(r.ok, JSON.stringify(bad)).toBe(false);
      const parsed = organisationName.safeParse(bad);
      expect(parsed.success).toBe(false);
      expect(parsed.error?.issues[0]?.message).toMatch(
        /must not contain control, bidi or invisible characters, < or >/,
      );
    }
    expect(normaliseOrganisationName('   ')).toMatchObject({ ok: false, problem: /empty/ });
    expect(normaliseOrganisationName('x'.repeat(121))).toMatchObject({ ok: false });
  });

  test('whatever is accepted is NFC, trimmed and free of every refused character', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (raw) => {
        const r = normaliseOrganisationName(raw);
        if (!r.ok) return;
        expect(r.name).toBe(r.name.normalize('NFC').trim());
        // eslint-disable-next-line no-control-regex
        expect(r.name).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069<>]/);
      }),
      { numRuns: 2000 },
    );
  });
});
