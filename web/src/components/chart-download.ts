import { chartStyleFor } from '../charts/chart-style.js';
import { chartFileName, composeChartSvg, type ChartCaption, type ChartImage } from '../charts/chart-image.js';
import type { ChartSnapshot } from './ChartView.js';

/** PNGs are drawn at twice the chart's CSS pixels: sharp on high-density screens and in slides. */
export const PNG_PIXEL_RATIO = 2;

const BACKGROUND = { light: '#FFFFFF', dark: '#1F2933' } as const;

/** The framed chart (caption above) in the colours it is shown in. */
export function chartImage(snapshot: ChartSnapshot, caption: ChartCaption): ChartImage {
  const style = chartStyleFor(snapshot.scheme);
  return composeChartSvg(snapshot.svg, snapshot, caption, {
    background: BACKGROUND[snapshot.scheme],
    text: style.text,
    muted: style.mutedText,
  });
}

/** Saves the image as SVG or PNG (2×) through a download link to an object URL. */
export async function downloadChartImage(
  image: ChartImage,
  format: 'png' | 'svg',
  names: { dashboard: string; widget: string },
): Promise<void> {
  const blob =
    format === 'svg'
      ? new Blob([image.svg], { type: 'image/svg+xml;charset=utf-8' })
      : await rasterise(image, PNG_PIXEL_RATIO);
  const url = URL.createObjectURL(blob);
  try {
    const a = document.createElement('a');
    a.href = url;
    a.download = chartFileName(names.dashboard, names.widget, format, new Date());
    a.hidden = true;
    document.body.append(a);
    a.click();
    a.remove();
  } finally {
    // The download has its own copy once started; give the browser a moment to take it.
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }
}

/** The SVG drawn onto a canvas `ratio` times its size (an SVG image of a data URL keeps the canvas clean). */
async function rasterise(image: ChartImage, ratio: number): Promise<Blob> {
  const img = new Image();
  img.decoding = 'sync';
  const loaded = new Promise<void>((resolve, reject) => {
    img.onload = () => resolve();
    img.onerror = () => reject(new Error('The chart could not be drawn as an image.'));
  });
  img.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(image.svg)}`;
  await loaded;
  const canvas = document.createElement('canvas');
  canvas.width = image.width * ratio;
  canvas.height = image.height * ratio;
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('This browser cannot draw images.');
  ctx.scale(ratio, ratio);
  ctx.drawImage(img, 0, 0, image.width, image.height);
  return new Promise<Blob>((resolve, reject) =>
    canvas.toBlob(
      (b) => (b ? resolve(b) : reject(new Error('The chart could not be saved as PNG.'))),
      'image/png',
    ),
  );
}
