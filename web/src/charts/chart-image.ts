/**
 * Chart images (docs/exports.md): the chart's own SVG (ECharts' SVG renderer) framed with a caption —
 * title, the filters line, the data time — as one SVG document; the browser rasterises it for PNG at
 * twice the pixel ratio. Pure string work here, so it is tested without a DOM.
 */

export interface ChartCaption {
  readonly title: string;
  /** "Filters: status = RECRUITING; phase = PHASE2, PHASE3", or "No filters". */
  readonly filters: string;
  /** "Data as of 7 Dec 2026, 02:42". */
  readonly dataTime: string;
}

export interface ChartColors {
  readonly background: string;
  readonly text: string;
  readonly muted: string;
}

export interface ChartImage {
  readonly svg: string;
  readonly width: number;
  readonly height: number;
}

const PAD = 16;
const TITLE_SIZE = 16;
const LINE_SIZE = 12;
/** Title, filters and data time, one line each, above the chart. */
export const CAPTION_HEIGHT = PAD + TITLE_SIZE + 8 + LINE_SIZE + 6 + LINE_SIZE + PAD;
/** Captions longer than this are cut with an ellipsis (a file name is no place for an essay). */
const MAX_LINE = 160;

/** The filter values that apply to the widget, as one readable line. */
export function filtersLine(values: Readonly<Record<string, unknown>>): string {
  const parts = Object.entries(values).map(([id, v]) => `${id} = ${valueText(v)}`);
  return parts.length ? `Filters: ${parts.join('; ')}` : 'No filters';
}

function valueText(v: unknown): string {
  if (Array.isArray(v)) return v.map(String).join(', ');
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if ('from' in o || 'to' in o) return `${String(o.from ?? '…')} to ${String(o.to ?? '…')}`;
    if ('min' in o || 'max' in o) return `${String(o.min ?? '…')} to ${String(o.max ?? '…')}`;
    return JSON.stringify(v);
  }
  return String(v);
}

/** Text as XML character data: `&`, `<`, `>`, quotes escaped; control characters dropped. */
export function xmlText(s: string): string {
  const cut = s.length > MAX_LINE ? `${s.slice(0, MAX_LINE - 1)}…` : s;
  return (
    cut
      // eslint-disable-next-line no-control-regex -- XML 1.0 cannot hold these at all
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/'/g, '&apos;')
  );
}

/**
 * One SVG document: a background, the caption lines, and the chart's SVG nested below them (its own
 * root element, moved down by the caption's height). `chartSvg` comes from ECharts, not from a user.
 */
export function composeChartSvg(
  chartSvg: string,
  size: { readonly width: number; readonly height: number },
  caption: ChartCaption,
  colors: ChartColors,
): ChartImage {
  const width = Math.max(1, Math.round(size.width));
  const chartHeight = Math.max(1, Math.round(size.height));
  const height = chartHeight + CAPTION_HEIGHT;
  const root = chartSvg.replace(/^\s*(<\?xml[^>]*>\s*)?/, '');
  if (!root.startsWith('<svg')) throw new Error('not an SVG document');
  const nested = root.replace(/^<svg\b/, `<svg x="0" y="${CAPTION_HEIGHT}"`);
  const font = 'font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif"';
  const y1 = PAD + TITLE_SIZE;
  const y2 = y1 + 8 + LINE_SIZE;
  const y3 = y2 + 6 + LINE_SIZE;
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">` +
    `<rect width="100%" height="100%" fill="${xmlText(colors.background)}"/>` +
    `<text x="${PAD}" y="${y1}" ${font} font-size="${TITLE_SIZE}" font-weight="600" fill="${xmlText(colors.text)}">${xmlText(caption.title)}</text>` +
    `<text x="${PAD}" y="${y2}" ${font} font-size="${LINE_SIZE}" fill="${xmlText(colors.muted)}">${xmlText(caption.filters)}</text>` +
    `<text x="${PAD}" y="${y3}" ${font} font-size="${LINE_SIZE}" fill="${xmlText(colors.muted)}">${xmlText(caption.dataTime)}</text>` +
    nested +
    `</svg>`;
  return { svg, width, height };
}

/** `<dashboard>-<widget>-<YYYY-MM-DD>.<ext>` with only letters, digits, `_` and `-` from the ids. */
export function chartFileName(dashboard: string, widget: string, ext: 'png' | 'svg', now: Date): string {
  const safe = (s: string) => s.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 80) || 'chart';
  return `${safe(dashboard)}-${safe(widget)}-${now.toISOString().slice(0, 10)}.${ext}`;
}
