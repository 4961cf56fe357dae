import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FilterDefinition } from '../../../../contract/index.js';
import { formatFilterQuery, parseFilterQuery } from './filter-url.js';
import type { FilterState } from './filter-state.js';

const filters: FilterDefinition[] = [
  { id: 'status', type: 'multi_select', label: 'Status' },
  { id: 'started', type: 'date_range', label: 'Start date' },
  { id: 'enrollment', type: 'number_range', label: 'Enrollment' },
  { id: 'title', type: 'text', label: 'Title' },
];

const roundTrip = (state: FilterState) => parseFilterQuery(formatFilterQuery(state, filters), filters);

describe('filter URL encoding', () => {
  it('writes the documented, readable form', () => {
    const state: FilterState = {
      status: ['RECRUITING', 'COMPLETED'],
      started: { from: '2015-01-01', to: '2020-12-31' },
      enrollment: { min: 10, max: 500 },
      title: 'diabetes',
    };
    expect(formatFilterQuery(state, filters)).toBe(
      '?status=RECRUITING,COMPLETED&started=2015-01-01..2020-12-31&enrollment=10..500&title=diabetes',
    );
    expect(roundTrip(state)).toEqual(state);
  });

  it('writes open-ended ranges with one side empty', () => {
    const state: FilterState = { started: { from: '2015-01-01' }, enrollment: { max: 500 } };
    expect(formatFilterQuery(state, filters)).toBe('?started=2015-01-01..&enrollment=..500');
    expect(roundTrip(state)).toEqual(state);
  });

  it('leaves empty values out: no filter is no parameter', () => {
    expect(formatFilterQuery({ status: [], title: '', started: {}, enrollment: {} }, filters)).toBe('');
  });

  it('escapes separators and URL syntax inside values', () => {
    const state: FilterState = {
      status: ['a,b', '..', '', '%', '&x=1', '+ plus', 'ünï cødé ✓'],
      title: 'a&b=c,d',
    };
    const query = formatFilterQuery(state, filters);
    expect(query).toContain('status=a%2Cb,..,,%25,%26x%3D1,%2B%20plus,');
    expect(roundTrip(state)).toEqual(state);
  });

  it('round-trips any multi-select values and any text', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.string({ unit: 'grapheme', maxLength: 12 }), { minLength: 1, maxLength: 6 }),
        fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }),
        (values, text) => {
          const state: FilterState = { status: values, title: text };
          expect(roundTrip(state)).toEqual(state);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('round-trips any finite number range, negative and fractional included', () => {
    const num = fc.double({ noNaN: true, noDefaultInfinity: true });
    fc.assert(
      fc.property(num, num, (a, b) => {
        const [min, max] = a <= b ? [a, b] : [b, a];
        // -0 and 0 are the same filter; the URL writes both as "0".
        const state: FilterState = { enrollment: { min: min + 0, max: max + 0 } };
        expect(roundTrip(state)).toEqual(state);
      }),
      { numRuns: 500 },
    );
  });

  it('reads "+" as a space, as hand-typed and form-encoded URLs mean it', () => {
    expect(parseFilterQuery('?title=heart+failure', filters)).toEqual({ title: 'heart failure' });
  });

  it('ignores unknown keys, malformed escapes and values that do not fit', () => {
    expect(
      parseFilterQuery(
        '?other=1&title=%E0%A4%A&started=2015-02-30..2016-01-01&enrollment=ten..20&status=ok,%ZZ',
        filters,
      ),
    ).toEqual({ started: { to: '2016-01-01' }, enrollment: { max: 20 }, status: ['ok'] });
    expect(parseFilterQuery('?started=garbage', filters)).toEqual({});
  });

  it('keeps the first of repeated keys, like URLSearchParams.get', () => {
    expect(parseFilterQuery('?title=a&title=b', filters)).toEqual({ title: 'a' });
  });

  it('orders parameters by the dashboard filter order, so equal states give equal URLs', () => {
    const a = formatFilterQuery({ title: 'x', status: ['A'] }, filters);
    const b = formatFilterQuery({ status: ['A'], title: 'x' }, filters);
    expect(a).toBe(b);
    expect(a).toBe('?status=A&title=x');
  });
});
