import type { Cell } from '../../contract/index.js';
import type { ColumnType } from '../config/project/project.types.js';

/**
 * Value normalisation shared by the server engines, whose drivers hand back text: every engine
 * answers a dashboard in the same shapes (numbers, 'YYYY-MM-DD', 'YYYY-MM-DDTHH:MM:SS').
 */

/** A number, or null for SQL NULL and for values JSON cannot carry (NaN, ±Infinity). */
export function toNumber(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  const n = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(n) ? n : null;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const TIMESTAMP = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(?:\.(\d+))?(?:[+-]00(?::?00)?|Z)?$/;

/** 'YYYY-MM-DD' as is; anything else (infinity, BC dates, MySQL's zero date) becomes null. */
export function toDateText(value: unknown): string | null {
  if (typeof value !== 'string' || !DATE.test(value) || value.startsWith('0000')) return null;
  return value;
}

/**
 * 'YYYY-MM-DD HH:MM:SS[.ffffff][+00]' in the UTC session → 'YYYY-MM-DDTHH:MM:SS[.fff…]', with
 * trailing zeros of the fraction dropped so that every engine writes the same instant the same way.
 * Offsets other than UTC cannot occur (sessions run in UTC); anything unreadable becomes null.
 */
export function toTimestampText(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const m = TIMESTAMP.exec(value);
  if (!m || value.startsWith('0000')) return null;
  const fraction = (m[3] ?? '').replace(/0+$/, '');
  return `${m[1]}T${m[2]}${fraction ? `.${fraction}` : ''}`;
}

/** Text as is; other values in their plain text form (for types dashboards do not model). */
export function toText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** Reads one driver value as a dashboard cell. */
export type CellReader = (value: unknown) => Cell;

/**
 * The reader of a column by its dashboard type: the same for every server engine, but for booleans,
 * which each driver spells its own way (pg 't'/'f', MySQL's TINYINT(1) 0/1).
 */
export function cellReaderOf(type: ColumnType | undefined, readBoolean: CellReader): CellReader {
  switch (type) {
    case 'number':
      return toNumber;
    case 'boolean':
      return readBoolean;
    case 'date':
      return toDateText;
    case 'timestamp':
      return toTimestampText;
    default:
      // Text, enums and types dashboards do not model arrive as the server's text form.
      return toText;
  }
}
