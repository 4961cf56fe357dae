import { expect, test } from 'vitest';
import { toDateText, toNumber, toText, toTimestampText } from './cell-values.js';

test('numbers from driver text; NaN and infinities become null', () => {
  expect(['42', '1.50', '-1e3', 7, 'NaN', 'Infinity', null, undefined].map(toNumber)).toEqual([
    42,
    1.5,
    -1000,
    7,
    null,
    null,
    null,
    null,
  ]);
});

test('dates stay YYYY-MM-DD; infinity, BC and zero dates become null', () => {
  expect(['2020-01-31', 'infinity', '0044-03-15 BC', '0000-00-00', null].map(toDateText)).toEqual([
    '2020-01-31',
    null,
    null,
    null,
    null,
  ]);
});

test('timestamps become ISO text in UTC with the fraction trimmed', () => {
  expect(
    [
      '2020-01-01 00:00:00',
      '2020-01-01 01:02:03.500000',
      '2020-01-01 01:02:03.000',
      '2020-01-01 01:02:03.123456+00',
      '2020-01-01T01:02:03Z',
      '0000-00-00 00:00:00',
      'infinity',
    ].map(toTimestampText),
  ).toEqual([
    '2020-01-01T00:00:00',
    '2020-01-01T01:02:03.5',
    '2020-01-01T01:02:03',
    '2020-01-01T01:02:03.123456',
    '2020-01-01T01:02:03',
    null,
    null,
  ]);
});

test('other values in plain text form', () => {
  expect([null, 'x', 5, Buffer.from('ab'), { a: 1 }].map(toText)).toEqual([null, 'x', '5', 'ab', '{"a":1}']);
});
