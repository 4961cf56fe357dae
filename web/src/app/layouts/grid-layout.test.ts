import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { LAYOUT_COLUMNS, MAX_LAYOUT_HEIGHT, layoutItem } from '../../../../contract/index.js';
import { completeLayout, nudge, projectLayout, readingOrder, type Nudge } from './grid-layout.js';

const w = (
  id: string,
  width: number,
  type: 'bar' | 'kpi' = 'bar',
  height: 'small' | 'medium' | 'large' = 'medium',
) => ({
  id,
  type,
  width,
  height,
});

describe('own layouts as data', () => {
  test('the project layout flows widgets left to right and wraps when a row is full', () => {
    const items = projectLayout([w('a', 3, 'kpi'), w('b', 3, 'kpi'), w('c', 8), w('d', 4), w('e', 12)]);
    expect(items.map((i) => [i.widget, i.x, i.y, i.w])).toEqual([
      ['a', 0, 0, 3],
      ['b', 3, 0, 3],
      ['c', 0, 4, 8],
      ['d', 8, 4, 4],
      ['e', 0, 14, 12],
    ]);
  });

  test('a saved layout drops widgets the project removed and places new ones below', () => {
    const saved = [
      { widget: 'b', x: 0, y: 0, w: 6, h: 5 },
      { widget: 'gone', x: 6, y: 0, w: 6, h: 5 },
    ];
    const items = completeLayout(saved, [w('a', 4), w('b', 6)]);
    expect(items).toEqual([
      { widget: 'b', x: 0, y: 0, w: 6, h: 5 },
      { widget: 'a', x: 0, y: 5, w: 4, h: 10 },
    ]);
  });

  test('arrow steps move and resize within the grid, whatever the sequence', () => {
    const dirs: Nudge[] = ['left', 'right', 'up', 'down'];
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom(...dirs), fc.boolean()), { maxLength: 60 }), (steps) => {
        let item = { widget: 'a', x: 4, y: 2, w: 4, h: 6 };
        for (const [d, resize] of steps) item = nudge(item, d, resize);
        // Always a layout the server accepts.
        expect(layoutItem.safeParse(item).success).toBe(true);
        expect(item.x + item.w).toBeLessThanOrEqual(LAYOUT_COLUMNS);
        expect(item.h).toBeLessThanOrEqual(MAX_LAYOUT_HEIGHT);
      }),
    );
    const item = { widget: 'a', x: 0, y: 0, w: 4, h: 6 };
    expect(nudge(item, 'right', false)).toMatchObject({ x: 1, w: 4 });
    expect(nudge(item, 'left', false)).toMatchObject({ x: 0 });
    expect(nudge(item, 'right', true)).toMatchObject({ x: 0, w: 5 });
    expect(nudge(item, 'down', true)).toMatchObject({ h: 7 });
    expect(nudge(item, 'up', false)).toMatchObject({ y: 0 });
  });

  test('reading order is top to bottom, then left to right', () => {
    const items = [
      { widget: 'c', x: 0, y: 5, w: 1, h: 1 },
      { widget: 'b', x: 6, y: 0, w: 1, h: 1 },
      { widget: 'a', x: 0, y: 0, w: 1, h: 1 },
    ];
    expect(readingOrder(items).map((i) => i.widget)).toEqual(['a', 'b', 'c']);
  });
});
