import { describe, expect, test } from 'vitest';
import { CAPTION_HEIGHT, chartFileName, composeChartSvg, filtersLine, xmlText } from './chart-image.js';

const CHART =
  '<svg width="600" height="300" xmlns="http://www.w3.org/2000/svg" version="1.1"><rect width="600" height="300" fill="none"/><text>42</text></svg>';
const colors = { background: '#ffffff', text: '#1f2933', muted: '#52606d' };

describe('chart images', () => {
  test('the caption sits above the chart, which keeps its size; the document grows by the caption', () => {
    const image = composeChartSvg(
      CHART,
      { width: 600, height: 300 },
      { title: 'Studies by phase', filters: 'Filters: status = RECRUITING', dataTime: 'Data as of 02:42' },
      colors,
    );
    expect(image).toMatchObject({ width: 600, height: 300 + CAPTION_HEIGHT });
    expect(image.svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg" width="600"')).toBe(true);
    expect(image.svg).toContain(`<svg x="0" y="${CAPTION_HEIGHT}" width="600" height="300"`);
    expect(image.svg).toContain('>Studies by phase</text>');
    expect(image.svg).toContain('>Filters: status = RECRUITING</text>');
    expect(image.svg).toContain('>Data as of 02:42</text>');
    expect(image.svg).toContain('<text>42</text>');
    // One well-formed document: as many <svg as </svg>.
    expect(image.svg.match(/<svg\b/g)?.length).toBe(image.svg.match(/<\/svg>/g)?.length);
  });

  test('caption text cannot break out of its element', () => {
    const image = composeChartSvg(
      CHART,
      { width: 600, height: 300 },
      { title: '</text><script>alert(1)</script>', filters: 'a & b "c"', dataTime: '\u0001x' },
      colors,
    );
    expect(image.svg).not.toContain('<script>');
    expect(image.svg).toContain('&lt;/text&gt;&lt;script&gt;');
    expect(image.svg).toContain('a &amp; b &quot;c&quot;');
    expect(xmlText('\u0001x')).toBe('x');
    expect(xmlText('y'.repeat(500)).length).toBeLessThanOrEqual(160);
  });

  test('an XML prolog is dropped; anything but SVG is refused', () => {
    const image = composeChartSvg(
      `<?xml version="1.0"?>\n${CHART}`,
      { width: 600, height: 300 },
      { title: 't', filters: 'f', dataTime: 'd' },
      colors,
    );
    expect(image.svg).not.toContain('<?xml');
    expect(() =>
      composeChartSvg(
        '<html></html>',
        { width: 1, height: 1 },
        { title: '', filters: '', dataTime: '' },
        colors,
      ),
    ).toThrow();
  });

  test('filters line and file names', () => {
    expect(filtersLine({})).toBe('No filters');
    expect(
      filtersLine({
        status: ['RECRUITING', 'COMPLETED'],
        start: { from: '2020-01-01' },
        enrolment: { min: 10, max: 50 },
        q: 'heart',
      }),
    ).toBe(
      'Filters: status = RECRUITING, COMPLETED; start = 2020-01-01 to …; enrolment = 10 to 50; q = heart',
    );
    expect(chartFileName('over view', 'by/phase', 'png', new Date('2026-12-07T10:00:00Z'))).toBe(
      'over_view-by_phase-2026-12-07.png',
    );
  });
});
