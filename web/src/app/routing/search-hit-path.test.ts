import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FilterDefinition } from '../../../../contract/index.js';
import { parseFilterQuery } from '../filters/filter-url.js';
import { matchRoute } from './routes.js';
import { hitPath } from './search-hit-path.js';

const filters: FilterDefinition[] = [
  { id: 'status', type: 'multi_select', label: 'Status' },
  { id: 'nct_id', type: 'text', label: 'NCT ID contains' },
];

describe('a search hit opens its dashboard filtered to the value', () => {
  it('writes the readable form', () => {
    expect(hitPath({ dashboard: 'data-browser', filter: 'nct_id', value: 'NCT00100492' })).toBe(
      '/d/data-browser?nct_id=NCT00100492',
    );
  });

  it('any value round-trips through the dashboard’s URL parser, for multi_select and text filters', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 40 }),
        fc.constantFrom('status', 'nct_id'),
        (value, filter) => {
          const url = new URL(hitPath({ dashboard: 'a b/c', filter, value }), 'http://x');
          expect(matchRoute(url.pathname)).toEqual({ name: 'dashboard', dashboardId: 'a b/c' });
          const state = parseFilterQuery(url.search, filters);
          const trimmed = value.trim();
          // Blank values are no filter, as everywhere; a multi_select holds the one value.
          if (!trimmed) return;
          expect(state[filter]).toEqual(filter === 'status' ? [value] : value);
        },
      ),
    );
  });
});
