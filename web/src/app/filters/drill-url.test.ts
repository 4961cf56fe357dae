import { describe, expect, it } from 'vitest';
import { drillPairs, formatDrill, parseDrill, periodLabel } from './drill-url.js';

describe('drill paths in the URL', () => {
  const drillable = new Set(['starts']);
  it('round-trips and ignores unknown widgets, non-dates and over-long paths', () => {
    const search = `?status=A&${formatDrill({ starts: ['2021-01-01', '2021-03-01'] }).join('&')}`;
    expect(parseDrill(search, drillable)).toEqual({ starts: ['2021-01-01', '2021-03-01'] });
    expect(parseDrill('?dr=other:2021-01-01', drillable)).toEqual({});
    expect(parseDrill("?dr=starts:2021-01-01'--", drillable)).toEqual({});
    expect(parseDrill('?dr=starts:2021-01-01,2021-01-01,2021-01-01,2021-01-01', drillable)).toEqual({});
    expect(drillPairs(search)).toEqual(['dr=starts:2021-01-01,2021-03-01']);
  });
  it('labels periods by grain', () => {
    expect(periodLabel('year', '2021-01-01')).toBe('2021');
    expect(periodLabel('quarter', '2021-04-01')).toBe('Q2 2021');
    expect(periodLabel('month', '2021-03-01')).toBe('Mar 2021');
    expect(periodLabel('day', '2021-03-04')).toBe('4 Mar 2021');
  });
});
