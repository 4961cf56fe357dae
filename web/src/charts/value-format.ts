import type { Cell, ResultColumn, ValueFormat } from '../../../contract/index.js';

/**
 * How values read on screen, decided by the column's `format` (then its type). One module for
 * charts, KPIs and tables so a number looks the same everywhere.
 *   full     tables, tooltips: 28,945 · 57.9% · 3.26
 *   compact  axis labels, big KPIs: 29K · 1.2M
 */
export type FormatMode = 'full' | 'compact';

/**
 * Words the formats use, in the UI's language (app/i18n/i18n.ts sets them with the locale; this
 * module stays free of the i18n library so charts remain plain functions).
 */
export interface FormatLabels {
  /** A missing category (SQL NULL): visible, and distinct from any real value. */
  readonly notSet: string;
  readonly yes: string;
  readonly no: string;
}
let labels: FormatLabels = { notSet: 'Not set', yes: 'Yes', no: 'No' };

export function setFormatLabels(next: FormatLabels): void {
  labels = next;
}
/**
 * The words charts put in their descriptions and tooltips, in the UI's language: set with the
 * language (app/i18n/i18n.ts) and read when a chart is built, so the chart code stays free of i18next.
 */
export interface ChartWords {
  /** "Bar chart", by widget type. */
  readonly kinds: Readonly<Record<string, string>>;
  readonly chart: string;
  /** "3 rows" */
  readonly rows: (n: number) => string;
  /** "and 3 more rows" */
  readonly moreRows: (n: number) => string;
  /** "Not on the map: A, B and 3 more." */
  readonly notOnMap: (shown: string, more: number) => string;
  readonly boxplot: {
    readonly all: string;
    readonly min: string;
    readonly q1: string;
    readonly median: string;
    readonly q3: string;
    readonly max: string;
    readonly count: string;
  };
  readonly total: string;
  readonly ofFirstStage: string;
  readonly noData: string;
}

let words: ChartWords | undefined;
/** Set with the language (app/i18n/i18n.ts); until then charts speak English (chart-words.ts). */
export function setChartWords(next: ChartWords): void {
  words = next;
}
export function chosenChartWords(): ChartWords | undefined {
  return words;
}

/** Text for a missing number in a table or KPI. */
export const MISSING_VALUE = '—';

let locale = typeof navigator !== 'undefined' && navigator.language ? navigator.language : 'en-US';
const cache = new Map<string, Intl.NumberFormat>();

/** The Intl tag numbers and dates are formatted in (the UI's language; see app/i18n/i18n.ts). */
export function formatLocale(): string {
  return locale;
}

/** Tests pin the locale so expectations do not depend on the machine. */
export function setFormatLocale(next: string): void {
  locale = next;
  cache.clear();
  periodFormats.clear();
}

function nf(key: string, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  let f = cache.get(key);
  if (!f) {
    f = new Intl.NumberFormat(locale, options);
    cache.set(key, f);
  }
  return f;
}

export function formatNumber(
  value: number,
  format: ValueFormat | undefined,
  mode: FormatMode = 'full',
): string {
  if (!Number.isFinite(value)) return String(value);
  if (format === 'percent') {
    // Percent measures arrive as shares (0–1); 0.5789 reads as 57.9%.
    return nf(`pct-${mode}`, { style: 'percent', maximumFractionDigits: mode === 'compact' ? 0 : 1 }).format(
      value,
    );
  }
  const abs = Math.abs(value);
  if (mode === 'compact' && abs >= 1_000)
    return nf('compact', { notation: 'compact', maximumFractionDigits: 1 }).format(value);
  if (format === 'integer') return nf('int', { maximumFractionDigits: 0 }).format(value);
  if (format === 'decimal') return nf('dec', { maximumFractionDigits: 2 }).format(value);
  // Generic numbers: small magnitudes keep more digits so 0.0042 does not read as 0.
  if (abs !== 0 && abs < 1) return nf('small', { maximumSignificantDigits: 3 }).format(value);
  return nf('num', { maximumFractionDigits: 2 }).format(value);
}

const periodFormats = new Map<string, Intl.DateTimeFormat>();

/** 'YYYY-MM-DD' period start → "Mar 2015" (de: "März 2015"); with `yearly`, → "2015". */
export function formatPeriod(value: string, yearly: boolean): string {
  const m = /^(\d{4})-(\d{2})/.exec(value);
  if (!m?.[1] || !m[2]) return value;
  if (yearly) return m[1];
  const month = Number(m[2]);
  if (month < 1 || month > 12) return value;
  let f = periodFormats.get(locale);
  if (!f) {
    // UTC both ways: the period is a calendar month, not an instant in the reader's time zone.
    f = new Intl.DateTimeFormat(locale, { month: 'short', year: 'numeric', timeZone: 'UTC' });
    periodFormats.set(locale, f);
  }
  return f.format(Date.UTC(Number(m[1]), month - 1, 1));
}

/**
 * Period columns (format 'month') hold period starts; when every one is a 1 January the grain is
 * a year and the label should say only the year.
 */
export function isYearly(values: readonly Cell[]): boolean {
  let seen = false;
  for (const v of values) {
    if (v === null) continue;
    if (typeof v !== 'string' || !/^\d{4}-01-01/.test(v)) return false;
    seen = true;
  }
  return seen;
}

/** One cell as text, for tables and tooltips. */
export function formatCell(value: Cell, column: ResultColumn, mode: FormatMode = 'full'): string {
  if (value === null) return MISSING_VALUE;
  if (typeof value === 'boolean') return value ? labels.yes : labels.no;
  if (typeof value === 'number') {
    if (column.type === 'number' || column.format) return formatNumber(value, column.format, mode);
    return String(value);
  }
  if (column.format === 'month') return formatPeriod(value, false);
  if (column.type === 'date') return formatDate(value);
  if (column.type === 'timestamp') return formatTimestamp(value);
  return value;
}

/**
 * A calendar date: ISO (2021-03-04) in English, where it reads the same to US and UK readers; the
 * locale's own short form elsewhere (de: 04.03.2021), as people there write dates.
 */
function formatDate(value: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m || locale.toLowerCase().startsWith('en')) return value;
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone: 'UTC' }).format(
    Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])),
  );
}

function formatTimestamp(value: string): string {
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return value;
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(d);
}

/** A category label for an axis or legend: missing values get a visible name. */
export function categoryLabel(value: Cell): string {
  if (value === null || value === '') return labels.notSet;
  return String(value);
}
