import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResultColumn } from '../../../contract/index.js';
import {
  categoryLabel,
  formatCell,
  formatNumber,
  formatPeriod,
  isYearly,
  setFormatLabels,
  setFormatLocale,
} from './value-format.js';

beforeAll(() => setFormatLocale('en-US'));

describe('value formatting', () => {
  it('formats by the column format', () => {
    expect(formatNumber(28945, 'integer')).toBe('28,945');
    expect(formatNumber(0.5789, 'percent')).toBe('57.9%');
    expect(formatNumber(0.5789, 'percent', 'compact')).toBe('58%');
    expect(formatNumber(3.2589646, 'decimal')).toBe('3.26');
    expect(formatNumber(0.00421, 'number')).toBe('0.00421');
    expect(formatNumber(12.345, undefined)).toBe('12.35');
  });

  it('compacts big numbers in compact mode only', () => {
    expect(formatNumber(19_200_000, 'integer', 'compact')).toBe('19.2M');
    expect(formatNumber(5_000, 'integer', 'compact')).toBe('5K');
    expect(formatNumber(950, 'integer', 'compact')).toBe('950');
    expect(formatNumber(19_200_000, 'integer')).toBe('19,200,000');
  });

  it('labels periods by month, or by year when every period starts a year', () => {
    expect(formatPeriod('2015-03-01', false)).toBe('Mar 2015');
    expect(formatPeriod('2015-01-01', true)).toBe('2015');
    expect(isYearly(['2015-01-01', '2016-01-01', null])).toBe(true);
    expect(isYearly(['2015-01-01', '2015-02-01'])).toBe(false);
    expect(isYearly([null])).toBe(false);
  });

  it('formats cells of every type, and missing values visibly', () => {
    const num: ResultColumn = { key: 'n', label: 'N', type: 'number', role: 'value', format: 'integer' };
    const bool: ResultColumn = { key: 'b', label: 'B', type: 'boolean', role: 'value' };
    const text: ResultColumn = { key: 't', label: 'T', type: 'string', role: 'value' };
    expect(formatCell(1234, num)).toBe('1,234');
    expect(formatCell(null, num)).toBe('—');
    expect(formatCell(true, bool)).toBe('Yes');
    expect(formatCell('2021-03-04', { ...text, type: 'date' })).toBe('2021-03-04');
    expect(formatCell('x', text)).toBe('x');
    expect(categoryLabel(null)).toBe('Not set');
    expect(categoryLabel('')).toBe('Not set');
  });
});

describe('value formatting in German', () => {
  beforeAll(() => {
    setFormatLocale('de-DE');
    setFormatLabels({ notSet: 'Nicht gesetzt', yes: 'Ja', no: 'Nein' });
  });
  afterAll(() => {
    setFormatLocale('en-US');
    setFormatLabels({ notSet: 'Not set', yes: 'Yes', no: 'No' });
  });

  it('numbers, periods, dates, booleans and missing categories follow the locale', () => {
    expect(formatNumber(1234.5, 'decimal')).toBe('1.234,5');
    expect(formatNumber(28945, 'integer')).toBe('28.945');
    expect(formatNumber(0.5789, 'percent')).toBe('57,9\u00a0%');
    expect(formatNumber(19_200_000, 'integer', 'compact')).toBe('19,2\u00a0Mio.');
    expect(formatPeriod('2015-03-01', false)).toBe('März 2015');
    const text: ResultColumn = { key: 't', label: 'T', type: 'string', role: 'value' };
    expect(formatCell('2021-03-04', { ...text, type: 'date' })).toBe('04.03.2021');
    expect(formatCell(false, { ...text, type: 'boolean' })).toBe('Nein');
    expect(categoryLabel(null)).toBe('Nicht gesetzt');
  });
});
