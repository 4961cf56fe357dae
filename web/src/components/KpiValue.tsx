import type { WidgetDataResponse } from '../../../contract/index.js';
import { formatCell } from '../charts/value-format.js';

/** Millions and up read better compact (20.3M); the exact value stays in the tooltip. */
const COMPACT_FROM = 1_000_000;

/** One big number: the single measure of the single row. */
export function KpiValue({ data }: { data: WidgetDataResponse }) {
  const column = data.columns[0];
  const value = data.rows[0]?.[0] ?? null;
  if (!column) return null;
  const full = formatCell(value, column, 'full');
  const compact = typeof value === 'number' && Math.abs(value) >= COMPACT_FROM;
  return (
    <p className="kpi-value" title={compact ? full : undefined}>
      {compact ? formatCell(value, column, 'compact') : full}
    </p>
  );
}

/** A KPI with no row or a NULL value (nothing matched) is "no data", not a zero. */
export function kpiIsEmpty(data: WidgetDataResponse): boolean {
  const v = data.rows[0]?.[0];
  return v === undefined || v === null;
}
