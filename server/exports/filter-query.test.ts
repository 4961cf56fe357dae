import { expect, test } from 'vitest';
import type { Dashboard } from '../config/project/project.types.js';
import { filterQueryOf } from './filter-query.js';

const dashboard = {
  id: 'd',
  filters: [
    { id: 'region', type: 'multi_select' },
    { id: 'placed', type: 'date_range' },
    { id: 'amount', type: 'number_range' },
    { id: 'q', type: 'text' },
  ],
} as unknown as Dashboard;

test('filter values become the print page query, in the dashboard order, each value URI-encoded', () => {
  expect(
    filterQueryOf(dashboard, {
      q: 'a&b=c',
      amount: { min: 1.5 },
      region: ['x,y', 'ä z'],
      placed: { from: '2020-01-01' },
    }),
  ).toBe('?region=x%2Cy,%C3%A4%20z&placed=2020-01-01..&amount=1.5..&q=a%26b%3Dc');
  expect(filterQueryOf(dashboard, {})).toBe('');
  expect(filterQueryOf(dashboard, { region: [] })).toBe('');
});

test('values that do not fit the dashboard fail like a request', () => {
  expect(() => filterQueryOf(dashboard, { nope: ['x'] })).toThrow(/no filter/);
  expect(() => filterQueryOf(dashboard, { amount: 'many' })).toThrow();
});
