import { describe, expect, it } from 'vitest';
import {
  auditCsvUrl,
  auditFilterProblem,
  auditQueryString,
  formatAuditFilters,
  normalizeAuditFilters,
  parseAuditFilters,
} from './audit-filters.js';

const localIso = (y: number, m: number, d: number, h = 0, min = 0, s = 0, ms = 0) =>
  new Date(y, m - 1, d, h, min, s, ms).toISOString();

describe('audit filters', () => {
  it('turn into the API query string: local days become instants at the day edges', () => {
    const qs = auditQueryString(
      {
        action: 'login',
        actor: 'ann@acme.example',
        outcome: 'failure',
        from: '2026-01-05',
        to: '2026-01-06',
      },
      'c42',
    );
    const params = new URLSearchParams(qs);
    expect(qs.startsWith('?')).toBe(true);
    expect(Object.fromEntries(params)).toEqual({
      action: 'login',
      actor: 'ann@acme.example',
      outcome: 'failure',
      from: localIso(2026, 1, 5),
      to: localIso(2026, 1, 6, 23, 59, 59, 999),
      cursor: 'c42',
      limit: '100',
    });
  });

  it('send only what is set, and no cursor or limit to the CSV export', () => {
    expect(auditQueryString({})).toBe('?limit=100');
    expect(auditQueryString({}, undefined, null)).toBe('');
    expect(auditCsvUrl({})).toBe('/api/v1/audit.csv');
    const csv = auditCsvUrl({ action: 'member.add', from: '2026-03-01' });
    expect(csv.startsWith('/api/v1/audit.csv?')).toBe(true);
    expect(Object.fromEntries(new URL(csv, 'http://x').searchParams)).toEqual({
      action: 'member.add',
      from: localIso(2026, 3, 1),
    });
  });

  it('escape values that contain URL syntax', () => {
    const qs = auditQueryString({ actor: 'a&b=c+d@x' }, 'x/y');
    expect(new URLSearchParams(qs).get('actor')).toBe('a&b=c+d@x');
    expect(new URLSearchParams(qs).get('cursor')).toBe('x/y');
  });

  it('round-trip through the page URL, dropping empty and malformed values', () => {
    const filters = normalizeAuditFilters({
      action: 'login',
      actor: ' cli ',
      outcome: 'locked_out',
      to: '2026-02-28',
    });
    expect(filters).toEqual({ action: 'login', actor: 'cli', outcome: 'locked_out', to: '2026-02-28' });
    expect(parseAuditFilters(formatAuditFilters(filters))).toEqual(filters);
    expect(formatAuditFilters({})).toBe('');
    expect(
      parseAuditFilters('?action=&actor=%20&outcome=maybe&from=2026-02-30&to=yesterday&other=1'),
    ).toEqual({});
  });

  it('report a range whose start is after its end', () => {
    expect(auditFilterProblem({ from: '2026-02-02', to: '2026-02-01' })).toMatch(/after/);
    expect(auditFilterProblem({ from: '2026-02-01', to: '2026-02-01' })).toBeUndefined();
    expect(auditFilterProblem({ from: '2026-02-01' })).toBeUndefined();
  });
});
