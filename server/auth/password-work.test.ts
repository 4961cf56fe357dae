import { afterEach, describe, expect, test, vi } from 'vitest';
import { TrellisError } from '../errors.js';
import { PasswordWorkGate } from './password-work.js';

/** A task that runs until the test lets it finish. */
function held<T>(value: T) {
  let finish!: () => void;
  const started = vi.fn();
  const task = () => {
    started();
    return new Promise<T>((resolve) => (finish = () => resolve(value)));
  };
  return { task, started, finish: () => finish() };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('PasswordWorkGate', () => {
  afterEach(() => vi.useRealTimers());

  test('runs at most `concurrency` at once; the next waiter starts when one finishes, in arrival order', async () => {
    const gate = new PasswordWorkGate({ concurrency: 2, maxQueued: 10, maxWaitMs: 60_000 });
    const tasks = [held('a'), held('b'), held('c'), held('d')];
    const results = tasks.map((t) => gate.run(t.task));
    await settle();
    expect(tasks.map((t) => t.started.mock.calls.length)).toEqual([1, 1, 0, 0]);
    expect([gate.inFlight, gate.queued]).toEqual([2, 2]);
    tasks[1]!.finish();
    await settle();
    expect(tasks.map((t) => t.started.mock.calls.length)).toEqual([1, 1, 1, 0]);
    expect([gate.inFlight, gate.queued]).toEqual([2, 1]);
    tasks[0]!.finish();
    tasks[2]!.finish();
    await settle();
    tasks[3]!.finish();
    expect(await Promise.all(results)).toEqual(['a', 'b', 'c', 'd']);
    expect([gate.inFlight, gate.queued]).toEqual([0, 0]);
  });

  test('a full queue refuses at once with SIGN_IN_BUSY and Retry-After, never running the task', async () => {
    const gate = new PasswordWorkGate({ concurrency: 1, maxQueued: 1, maxWaitMs: 60_000 });
    const first = held(1);
    const second = held(2);
    const running = gate.run(first.task);
    const waiting = gate.run(second.task);
    const refusedTask = vi.fn(() => Promise.resolve(3));
    const refused = await gate.run(refusedTask).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(TrellisError);
    expect(refused).toMatchObject({ code: 'SIGN_IN_BUSY', status: 503, retryAfterSeconds: 1 });
    expect(refusedTask).not.toHaveBeenCalled();
    first.finish();
    await settle();
    second.finish();
    expect([await running, await waiting]).toEqual([1, 2]);
  });

  test('a failing task frees its slot for the next waiter', async () => {
    const gate = new PasswordWorkGate({ concurrency: 1, maxQueued: 5, maxWaitMs: 60_000 });
    const failing = gate.run(() => Promise.reject(new Error('argon2 broke')));
    const next = gate.run(() => Promise.resolve('ok'));
    await expect(failing).rejects.toThrow('argon2 broke');
    expect(await next).toBe('ok');
    expect(gate.inFlight).toBe(0);
  });

  test('a waiter that waits longer than maxWaitMs leaves the queue with SIGN_IN_BUSY and never runs', async () => {
    vi.useFakeTimers();
    const gate = new PasswordWorkGate({ concurrency: 1, maxQueued: 5, maxWaitMs: 10_000 });
    const first = held('first');
    const running = gate.run(first.task);
    const lateTask = vi.fn(() => Promise.resolve('late'));
    const late = gate.run(lateTask).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(9_999);
    expect(gate.queued).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(await late).toMatchObject({ code: 'SIGN_IN_BUSY' });
    expect(gate.queued).toBe(0);
    first.finish();
    expect(await running).toBe('first');
    expect(lateTask).not.toHaveBeenCalled();
    expect(gate.inFlight).toBe(0);
  });
});
