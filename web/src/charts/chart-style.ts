import type { ChartStyle } from './chart-types.js';

/**
 * Okabe–Ito (its black softened to slate, so big areas are not heavy), the palette designed to stay
 * distinguishable with the common colour-vision deficiencies. Blue leads because it reads well on both backgrounds; the yellow comes late
 * because it is faint on white. Decal patterns (aria.decal) add a second cue beside colour.
 */
const OKABE_ITO_LIGHT = [
  '#0072B2',
  '#E69F00',
  '#009E73',
  '#CC79A7',
  '#56B4E9',
  '#D55E00',
  '#F0E442',
  '#5F6B76',
];
const OKABE_ITO_DARK = [
  '#56B4E9',
  '#E69F00',
  '#009E73',
  '#CC79A7',
  '#0072B2',
  '#D55E00',
  '#F0E442',
  '#C5CCD3',
];
/** After the eight, three of Paul Tol's colour-blind-safe hues, before ECharts would cycle back. */
const EXTRA = ['#882255', '#44AA99', '#999933'];

export const LIGHT_CHART_STYLE: ChartStyle = {
  scheme: 'light',
  palette: [...OKABE_ITO_LIGHT, ...EXTRA],
  // A single-hue blue ramp: ordered by lightness, so it survives colour-blindness and greyscale.
  sequential: ['#EEF5FB', '#BBD8EE', '#6FAED9', '#2C7FB8', '#0B4A7A'],
  text: '#1F2933',
  mutedText: '#52606D',
  axisLine: '#9AA5B1',
  gridLine: '#E4E7EB',
  tooltipBackground: '#FFFFFF',
  tooltipBorder: '#CBD2D9',
  onDark: '#FFFFFF',
  onLight: '#1F2933',
};

export const DARK_CHART_STYLE: ChartStyle = {
  scheme: 'dark',
  palette: [...OKABE_ITO_DARK, ...EXTRA],
  sequential: ['#1C2B3A', '#1F4E79', '#2C7FB8', '#6FAED9', '#CFE6F6'],
  text: '#E4E7EB',
  mutedText: '#A8B3BE',
  axisLine: '#616E7C',
  gridLine: '#323F4B',
  tooltipBackground: '#1F2933',
  tooltipBorder: '#3E4C59',
  onDark: '#FFFFFF',
  onLight: '#111820',
};

export function chartStyleFor(scheme: 'light' | 'dark'): ChartStyle {
  return scheme === 'dark' ? DARK_CHART_STYLE : LIGHT_CHART_STYLE;
}
