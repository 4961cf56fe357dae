import { beforeAll, describe, expect, it } from 'vitest';
import { describeChart } from './chart-description.js';
import { dim, measure, response, widget } from './chart-test-data.js';
import { setFormatLocale } from './value-format.js';

beforeAll(() => setFormatLocale('en-US'));

describe('chart descriptions', () => {
  it('reads rows with labels, formatted values and named missing categories', () => {
    const data = response(
      [dim('status', 'Status'), measure('studies', 'Studies')],
      [
        ['COMPLETED', 28945],
        [null, 12],
      ],
    );
    expect(describeChart(widget({ type: 'bar', title: 'By status' }), data)).toBe(
      'By status. Bar chart, 2 rows: Status COMPLETED, Studies 28,945; Status Not set, Studies 12.',
    );
  });

  it('stops after a dozen rows and says how many remain', () => {
    const rows = Array.from({ length: 20 }, (_, i) => [`c${i}`, i]);
    const text = describeChart(widget({ type: 'pie', title: 'P' }), response([dim('c'), measure('n')], rows));
    expect(text).toMatch(/^P\. Pie chart, 20 rows: c c0, n 0; /);
    expect(text).toMatch(/; and 8 more rows\.$/);
  });

  it('says when there is nothing to describe', () => {
    expect(describeChart(widget({ type: 'line', title: 'L' }), response([], []))).toBe(
      'L. Line chart, 0 rows.',
    );
  });
});
