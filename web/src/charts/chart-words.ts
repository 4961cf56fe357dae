import { chosenChartWords, type ChartWords } from './value-format.js';

// The English words live with the chart code (a lazy chunk), not in value-format.ts (first page):
// they are only the default until the UI's language sets its own.
export const ENGLISH_CHART_WORDS: ChartWords = {
  kinds: {
    bar: 'Bar chart',
    line: 'Line chart',
    area: 'Area chart',
    pie: 'Pie chart',
    donut: 'Donut chart',
    scatter: 'Scatter plot',
    histogram: 'Histogram',
    heatmap: 'Heatmap',
    boxplot: 'Box plot',
    funnel: 'Funnel',
    gauge: 'Gauge',
    calendar: 'Calendar heatmap',
    sankey: 'Sankey diagram',
    graph: 'Network graph',
    map: 'Map',
    floorplan: 'Floor plan',
  },
  chart: 'Chart',
  rows: (n) => `${n} ${n === 1 ? 'row' : 'rows'}`,
  moreRows: (n) => `and ${n} more rows`,
  notOnMap: (shown, more) => `Not on the map: ${shown}${more > 0 ? ` and ${more} more` : ''}.`,
  boxplot: {
    all: 'All rows',
    min: 'Minimum',
    q1: 'Lower quartile',
    median: 'Median',
    q3: 'Upper quartile',
    max: 'Maximum',
    count: 'Count',
  },
  total: 'total',
  ofFirstStage: 'of the first stage',
  noData: 'no data',
};

/** The words of the UI's language, English until one is set. */
export function chartWords(): ChartWords {
  return chosenChartWords() ?? ENGLISH_CHART_WORDS;
}
