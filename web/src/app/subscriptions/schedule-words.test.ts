import { describe, expect, it } from 'vitest';
import { scheduleInWords } from './schedule-words.js';

describe('scheduleInWords', () => {
  it('puts the preset shapes in words', () => {
    expect(scheduleInWords('0 8 * * *')).toBe('Every day at 08:00');
    expect(scheduleInWords('30 17 * * 1')).toBe('Every Monday at 17:30');
    expect(scheduleInWords('0 8 * * 0')).toBe('Every Sunday at 08:00');
    expect(scheduleInWords('0 8 * * 7')).toBe('Every Sunday at 08:00');
    expect(scheduleInWords('5 6 * * 1-5')).toBe('Every weekday at 06:05');
    expect(scheduleInWords('15 * * * *')).toBe('Every hour at minute 15');
    expect(scheduleInWords('0 9 1 * *')).toBe('Monthly on day 1 at 09:00');
  });

  it('in another language: its sentences and its day names', () => {
    const german: Parameters<typeof scheduleInWords>[1] = (shape, v) =>
      shape === 'weekly' ? `Jeden ${v.day} um ${v.at}` : `${shape} ${v.at ?? v.m}`;
    expect(scheduleInWords('30 17 * * 1', german, 'de')).toBe('Jeden Montag um 17:30');
    expect(scheduleInWords('0 8 * * 0', german, 'de')).toBe('Jeden Sonntag um 08:00');
    expect(scheduleInWords('0 8 * * *', german, 'de')).toBe('daily 08:00');
  });

  it('shows any other schedule as its cron text', () => {
    for (const cron of ['*/5 * * * *', '0 8 * 1 *', '0 8,12 * * *', '0 25 * * *', '0 8 * *', 'nonsense']) {
      expect(scheduleInWords(cron)).toBe(cron);
    }
  });
});
