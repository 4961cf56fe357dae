import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { useState } from 'react';
import { describe, expect, test } from 'vitest';
import { chartMarks, type ChartMark } from '../charts/chart-marks.js';
import { LIGHT_CHART_STYLE } from '../charts/chart-style.js';
import { dim, measure, response, widget } from '../charts/chart-test-data.js';
import { ChartView } from './ChartView.js';

/**
 * A floor plan in the real ChartView (ECharts' SVG renderer in happy-dom): the zone a cross-filter
 * has chosen is drawn with a frame, and the keyboard does what a click does — Enter on a focused zone
 * chooses it, Enter again lets it go, and the frame follows.
 */
const PLAN = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 300 100" width="300" height="100">
  <rect id="prod" name="prod" x="0" y="0" width="140" height="100" fill="#E4E7EB"/>
  <rect id="dmz" name="dmz" x="160" y="0" width="140" height="100" fill="#E4E7EB"/>
</svg>`;
const hall = widget({
  id: 'hall',
  type: 'floorplan',
  title: 'Hall',
  svg: PLAN,
  crossFilters: [{ column: 'zone', filter: 'zone' }],
});
const data = response(
  [dim('zone'), measure('cores')],
  [
    ['prod', 10],
    ['dmz', 4],
  ],
);

/** The dashboard's part: which zones are chosen, toggled as a click or Enter asks. */
function Hall() {
  const [chosen, setChosen] = useState<readonly string[]>([]);
  const zoneOf = (m: ChartMark) => m.values.zone ?? '';
  return (
    <ChartView
      widget={hall}
      data={data}
      interaction={{
        marks: chartMarks(hall, data),
        isSelected: (m) => chosen.includes(zoneOf(m)),
        onActivate: (m) =>
          setChosen((c) => (c.includes(zoneOf(m)) ? c.filter((z) => z !== zoneOf(m)) : [...c, zoneOf(m)])),
      }}
    />
  );
}

/** The drawn zones (ECharts draws each <rect> as a path) by their place on the plan: x 0 is prod. */
function zoneStrokes(container: HTMLElement) {
  const paths = [...container.querySelectorAll('.chart svg path')];
  const at = (x: number) => paths.find((p) => (p.getAttribute('d') ?? '').startsWith(`M${x} 0`));
  const width = (p: Element | undefined) => Number(p?.getAttribute('stroke-width') ?? 0);
  return { prod: width(at(0)), dmz: width(at(160)) };
}

/** The line colour of the zone at x, as ECharts writes it (rgb(…) after a state change). */
const framed = (container: HTMLElement, x: number) =>
  [...container.querySelectorAll('.chart svg path')]
    .find((p) => (p.getAttribute('d') ?? '').startsWith(`M${x} 0`))
    ?.getAttribute('stroke')
    ?.replace(/\s/g, '')
    .toLowerCase();
const rgb = (hex: string) => `rgb(${[1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)).join(',')})`;

describe('ChartView: a floor plan shows its chosen zone', () => {
  test('Enter on a zone frames it; Enter again takes the frame away', async () => {
    const { container } = render(<Hall />);
    await waitFor(
      () => expect(container.querySelector('.chart')?.getAttribute('data-rendered')).toBe('true'),
      // The first chart loads ECharts (a lazy chunk): slow on a busy machine.
      { timeout: 20_000 },
    );
    await waitFor(() => expect(screen.getAllByRole('option')).toHaveLength(2));
    // Unchosen zones keep the map's hairline (0.5 px): the frame is a 3 px line, six times as heavy.
    const hairline = zoneStrokes(container).dmz;
    expect(hairline).toBeGreaterThan(0);
    expect(zoneStrokes(container).prod).toBe(hairline);

    const listbox = screen.getByRole('listbox');
    listbox.focus();
    fireEvent.keyDown(listbox, { key: 'ArrowRight' });
    fireEvent.keyDown(listbox, { key: 'Enter' });
    expect(screen.getByRole('option', { name: 'prod' }).getAttribute('aria-selected')).toBe('true');
    await waitFor(() => expect(zoneStrokes(container).prod).toBeGreaterThanOrEqual(5 * hairline));
    // In the text colour, once focus leaves (a focused zone is lit, which tints its line).
    fireEvent.focusOut(listbox);
    await waitFor(() => expect(framed(container, 0)).toBe(rgb(LIGHT_CHART_STYLE.text)));
    expect(zoneStrokes(container).dmz).toBe(hairline);

    listbox.focus();
    fireEvent.keyDown(listbox, { key: 'Enter' });
    expect(screen.getByRole('option', { name: 'prod' }).getAttribute('aria-selected')).toBe('false');
    await waitFor(() => expect(zoneStrokes(container).prod).toBe(hairline));
  });
});
