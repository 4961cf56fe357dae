import type { AlertCondition } from '../../contract/index.js';

/**
 * Whether a KPI value meets an alert's condition (then the rule is firing). `above`/`below` compare
 * with the threshold (strictly: a value equal to it has not crossed). `change` compares with the
 * previous check's value: firing when it moved by at least `threshold` percent either way. With no
 * previous value there is nothing to compare with (not firing); from 0, any move counts as firing.
 */
export function evaluateAlert(
  condition: AlertCondition,
  threshold: number,
  value: number,
  previous: number | null,
): boolean {
  switch (condition) {
    case 'above':
      return value > threshold;
    case 'below':
      return value < threshold;
    case 'change': {
      if (previous === null) return false;
      if (previous === 0) return value !== 0;
      return (Math.abs(value - previous) / Math.abs(previous)) * 100 >= threshold;
    }
  }
}

/** A value as a message shows it: up to 4 decimals, no exponent for ordinary sizes. */
export function formatAlertValue(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Math.round(value * 10_000) / 10_000);
}
