import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loginPath, safeNextPath } from './next-path.js';

describe('the login page next path', () => {
  it('follows same-origin paths with their query and hash', () => {
    expect(safeNextPath('/d/overview?status=A,B&x=1')).toBe('/d/overview?status=A,B&x=1');
    expect(safeNextPath('/admin/audit#top')).toBe('/admin/audit#top');
    expect(safeNextPath('/')).toBe('/');
  });

  it('refuses other origins, schemes and tricks, falling back', () => {
    for (const bad of [
      '//evil.example/x',
      '/\\evil.example',
      '\\\\evil.example',
      'https://evil.example/',
      'http:/evil.example',
      'javascript:alert(1)',
      'evil.example',
      '/\t/evil.example',
      '/%0a/x\n',
      '/login?next=/x',
      '/.//evil.example',
      '/./\\evil.example',
      '/a/..//evil.example',
      '/a/b/../..//evil.example/x?y=1',
      '/%2e//evil.example',
      '/%2E%2E//evil.example',
      '/%2F%2Fevil.example',
      '/%2f/evil.example',
      '/%5Cevil.example',
      '/%5c%5cevil.example',
      '/\t/evil.example',
      '/.\t//evil.example',
      '',
      `/${'a'.repeat(2001)}`,
    ])
      expect(safeNextPath(bad), JSON.stringify(bad)).toBe('/');
    expect(safeNextPath(null)).toBe('/');
    expect(safeNextPath(undefined, '/account/sessions')).toBe('/account/sessions');
  });

  it('never leaves the origin, whatever the input', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (raw) => {
        const out = safeNextPath(raw);
        expect(out.startsWith('/')).toBe(true);
        expect(out.startsWith('//')).toBe(false);
        // What the browser then does with it: resolving it again must not leave the origin either.
        expect(
          new URL(new URL(out, 'https://trellis.example').pathname, 'https://trellis.example').host,
        ).toBe('trellis.example');
        expect(new URL(out, 'https://trellis.example').origin).toBe('https://trellis.example');
      }),
      { numRuns: 2000 },
    );
  });

  it('builds the login address that brings the user back', () => {
    expect(loginPath('/admin/audit?action=login')).toBe('/login?next=%2Fadmin%2Faudit%3Faction%3Dlogin');
    expect(loginPath('/')).toBe('/login');
    expect(loginPath('//evil.example')).toBe('/login');
    expect(loginPath()).toBe('/login');
    const next = new URLSearchParams(loginPath('/d/x?a=1&b=2').split('?')[1]).get('next');
    expect(safeNextPath(next)).toBe('/d/x?a=1&b=2');
  });
});
