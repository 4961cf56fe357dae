import { describe, expect, it } from 'vitest';
import { bottomCategoryLabels, compactFor, escapeHtml } from './chart-common.js';

describe('category label layout', () => {
  it('shows short labels flat when they fit', () => {
    expect(bottomCategoryLabels(['A', 'B', 'C'], 600)).toEqual({ interval: 0, rotate: 0 });
  });

  it('wraps a few long, spaced labels onto two lines', () => {
    const layout = bottomCategoryLabels(
      ['Significantly below', 'Exceeded', 'Below', 'Met', 'Not assessable'],
      560,
    );
    expect(layout).toMatchObject({ interval: 0, rotate: 0, overflow: 'break' });
  });

  it('rotates many labels, or labels that cannot wrap', () => {
    const statuses = ['COMPLETED', 'RECRUITING', 'ACTIVE_NOT_RECRUITING', 'ENROLLING_BY_INVITATION'];
    expect(bottomCategoryLabels(statuses, 560)).toMatchObject({
      interval: 0,
      rotate: 35,
      overflow: 'truncate',
    });
    const many = Array.from({ length: 60 }, (_, i) => `Category ${i}`);
    expect(bottomCategoryLabels(many, 560)).toEqual({ rotate: 35, width: 100, overflow: 'truncate' });
  });
});

describe('chart helpers', () => {
  it('goes compact only when the largest value is large', () => {
    expect(compactFor([1, 9_999, null])).toBe('full');
    expect(compactFor([-12_000, 5])).toBe('compact');
  });

  it('escapes HTML for tooltips', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&#60;a href=&#34;x&#34;&#62;&#39;&#38;&#39;&#60;/a&#62;');
  });
});
