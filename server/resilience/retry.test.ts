import { describe, expect, test } from 'vitest';
import { backoffDelay } from './backoff.js';
import { withRetry } from './retry.js';

const policy = { attempts: 3, baseDelayMs: 10, maxDelayMs: 24 };
const backoff = { baseMs: 10, maxMs: 24, jitter: 'equal' } as const;

describe('withRetry', () => {
  test('backoff grows exponentially, capped, with half of each step random', () => {
    expect([1, 2, 3, 4].map((r) => backoffDelay(backoff, r, () => 0))).toEqual([5, 10, 12, 12]);
    expect([1, 2, 3, 4].map((r) => backoffDelay(backoff, r, () => 1))).toEqual([10, 20, 24, 24]);
    expect([1, 2, 3, 4].map((r) => backoffDelay({ ...backoff, jitter: 'full' }, r, () => 0))).toEqual([
      0, 0, 0, 0,
    ]);
  });

  test('transient failures are retried up to the number of attempts, then the last error is thrown', async () => {
    let calls = 0;
    const failing = () => {
      calls++;
      return Promise.reject(new Error(`fail ${calls}`));
    };
    await expect(withRetry(failing, () => true, policy)).rejects.toThrow('fail 3');
    expect(calls).toBe(3);
  });

  test('success after a transient failure', async () => {
    let calls = 0;
    const flaky = async () => {
      if (++calls < 2) throw new Error('transient');
      return 'ok';
    };
    expect(await withRetry(flaky, () => true, policy)).toBe('ok');
    expect(calls).toBe(2);
  });

  test('a failure that is not transient is thrown at once', async () => {
    let calls = 0;
    const failing = () => {
      calls++;
      return Promise.reject(new Error('bad password'));
    };
    await expect(withRetry(failing, () => false, policy)).rejects.toThrow('bad password');
    expect(calls).toBe(1);
  });

  test('an abort during the backoff stops the retries', async () => {
    const controller = new AbortController();
    let calls = 0;
    const failing = () => {
      calls++;
      return Promise.reject(new Error('transient'));
    };
    const pending = withRetry(
      failing,
      () => true,
      { attempts: 5, baseDelayMs: 1_000, maxDelayMs: 1_000 },
      controller.signal,
    );
    setTimeout(() => controller.abort(new Error('client left')), 20);
    await expect(pending).rejects.toThrow('client left');
    expect(calls).toBe(1);
  });
});
