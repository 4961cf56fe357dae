/** Display helpers of the Data page: sizes, rates, shares. Pure, so they are tested without a DOM. */

const UNITS = ['B', 'KB', 'MB', 'GB'] as const;

/** 1536 → "1.5 KB" (binary multiples, one decimal above bytes). */
export function formatBytes(bytes: number): string {
  let value = Math.max(0, bytes);
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${Math.round(value)} B` : `${value.toFixed(1)} ${UNITS[unit]}`;
}

/** Bytes per second as "2.0 MB/s". */
export function formatRate(bytesPerSecond: number): string {
  return `${formatBytes(bytesPerSecond)}/s`;
}

/** 0.8 → "80%", 0.996 → "99.6%" (never rounds a non-full share up to 100%). */
export function formatShare(share: number): string {
  const pct = share * 100;
  if (pct >= 100) return '100%';
  if (pct > 99 || (pct > 0 && pct < 1)) return `${Math.floor(pct * 10) / 10}%`;
  return `${Math.round(pct)}%`;
}
