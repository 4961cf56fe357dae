import { describe, expect, test } from 'vitest';
import { formatBytes, formatRate, formatShare } from './upload-format.js';

describe('upload display helpers', () => {
  test('bytes', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1023)).toBe('1023 B');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(256 * 1024 * 1024)).toBe('256.0 MB');
    expect(formatRate(2 * 1024 * 1024)).toBe('2.0 MB/s');
  });
  test('shares never round a partial share up to 100%', () => {
    expect(formatShare(1)).toBe('100%');
    expect(formatShare(0.9996)).toBe('99.9%');
    expect(formatShare(0.8)).toBe('80%');
    expect(formatShare(0.004)).toBe('0.4%');
    expect(formatShare(0)).toBe('0%');
  });
});
