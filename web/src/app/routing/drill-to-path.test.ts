import { describe, expect, test } from 'vitest';
import { parseFilterQuery } from '../filters/filter-url.js';
import { drillToPath } from './drill-to-path.js';

describe('drillToPath', () => {
  const drillTo = {
    dashboard: 'study list',
    title: 'Studies',
    filters: [
      { filter: 'phase', column: 'phase' },
      { filter: 'sponsor', column: 'lead_sponsor' },
    ],
  };
  test('carries each mark value to its filter, escaped', () => {
    expect(drillToPath(drillTo, { phase: 'PHASE2', lead_sponsor: 'A&B, Inc=1' })).toBe(
      '/d/study%20list?phase=PHASE2&sponsor=A%26B%2C%20Inc%3D1',
    );
  });
  test('the target dashboard reads back exactly the values carried', () => {
    const path = drillToPath(drillTo, { phase: 'PHASE2', lead_sponsor: 'A&B, Inc=1' });
    const state = parseFilterQuery(path.slice(path.indexOf('?')), [
      { id: 'phase', type: 'multi_select', label: 'Phase' },
      { id: 'sponsor', type: 'text', label: 'Sponsor' },
    ]);
    expect(state).toEqual({ phase: ['PHASE2'], sponsor: 'A&B, Inc=1' });
  });
  test('a column without a value leaves its filter unset', () => {
    expect(drillToPath(drillTo, { phase: 'PHASE1' })).toBe('/d/study%20list?phase=PHASE1');
    expect(drillToPath(drillTo, {})).toBe('/d/study%20list');
  });
});
