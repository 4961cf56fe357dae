import { describe, expect, test } from 'vitest';
import { TrellisError } from '../errors.js';
import { ConcurrencyLimiter } from './concurrency-limiter.js';

/** A task that finishes when told to, recording its label when it starts. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, task: () => opened };
}

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (err) {
    return err instanceof TrellisError ? err.code : String(err);
  }
}

describe('ConcurrencyLimiter', () => {
  test('fair share: a tenant with 2 queued runs before most of a tenant with 50 queued', async () => {
    const limiter = new ConcurrencyLimiter(1, 100);
    const started: string[] = [];
    const blocker = gate();
    const first = limiter.run(blocker.task);
    const track = (label: string, key: string) =>
      limiter.run(
        async () => {
          started.push(label);
        },
        undefined,
        { tenant: key },
      );
    const runs = [
      ...Array.from({ length: 50 }, (_, i) => track(`a${i}`, 'tenant-a')),
      ...Array.from({ length: 2 }, (_, i) => track(`b${i}`, 'tenant-b')),
    ];
    expect(limiter.queued).toBe(52);
    blocker.open();
    await Promise.all([first, ...runs]);
    expect(started.slice(0, 4)).toEqual(['a0', 'b0', 'a1', 'b1']);
    expect(started.filter((s) => s.startsWith('a'))).toEqual(Array.from({ length: 50 }, (_, i) => `a${i}`));
  });

  test('round-robin across three tenants; without keys it is first come, first served', async () => {
    const run = async (keys: (string | undefined)[]) => {
      const limiter = new ConcurrencyLimiter(1, 100);
      const started: string[] = [];
      const blocker = gate();
      const first = limiter.run(blocker.task);
      const runs = keys.map((key, i) =>
        limiter.run(
          async () => {
            started.push(`${key ?? '-'}${i}`);
          },
          undefined,
          { tenant: key },
        ),
      );
      blocker.open();
      await Promise.all([first, ...runs]);
      return started;
    };
    expect(await run(['a', 'a', 'a', 'b', 'c', 'c'])).toEqual(['a0', 'b3', 'c4', 'a1', 'c5', 'a2']);
    expect(await run([undefined, undefined, undefined])).toEqual(['-0', '-1', '-2']);
  });

  test('a full queue is SOURCE_BUSY at once for a tenant already holding the most places', async () => {
    const limiter = new ConcurrencyLimiter(1, 2);
    const blocker = gate();
    const runs = [
      limiter.run(blocker.task),
      limiter.run(blocker.task, undefined, { tenant: 'a' }),
      limiter.run(blocker.task, undefined, { tenant: 'b' }),
    ];
    expect(await code(limiter.run(async () => 1, undefined, { tenant: 'a' }))).toBe('SOURCE_BUSY');
    expect(limiter).toMatchObject({ inFlight: 1, queued: 2 });
    blocker.open();
    await Promise.all(runs);
    expect(limiter).toMatchObject({ inFlight: 0, queued: 0 });
  });

  test('a flood fills the whole queue, then yields its newest places to another tenant, never the reverse', async () => {
    const limiter = new ConcurrencyLimiter(1, 10);
    const blocker = gate();
    const first = limiter.run(blocker.task, undefined, { tenant: 'b' });
    const flood = Array.from({ length: 10 }, (_, i) =>
      code(limiter.run(async () => `b${i}`, undefined, { tenant: 'b' })),
    );
    // The 11th of the flood finds the queue full of its own tenant: refused.
    expect(await code(limiter.run(async () => 1, undefined, { tenant: 'b' }))).toBe('SOURCE_BUSY');
    expect(limiter.queuedFor('b')).toBe(10);
    // Tenant a arrives three times: each takes the flood's newest place.
    const quiet = Array.from({ length: 3 }, () =>
      code(limiter.run(async () => 1, undefined, { tenant: 'a' })),
    );
    expect(limiter.queuedFor('a')).toBe(3);
    expect(limiter.queuedFor('b')).toBe(7);
    expect(await Promise.all(flood.slice(7))).toEqual(['SOURCE_BUSY', 'SOURCE_BUSY', 'SOURCE_BUSY']);
    // More of the flood is still refused, now that a holds places too.
    expect(await code(limiter.run(async () => 1, undefined, { tenant: 'b' }))).toBe('SOURCE_BUSY');
    blocker.open();
    expect(await Promise.all(quiet)).toEqual(['ok', 'ok', 'ok']);
    expect(await Promise.all(flood.slice(0, 7))).toEqual(Array(7).fill('ok'));
    await first;
  });

  test('within a tenant, users take turns for slots and queue places alike', async () => {
    const limiter = new ConcurrencyLimiter(1, 6);
    const blocker = gate();
    const first = limiter.run(blocker.task);
    const started: string[] = [];
    const track = (label: string, user: string) =>
      code(limiter.run(async () => void started.push(label), undefined, { tenant: 't', user }));
    const noisy = Array.from({ length: 6 }, (_, i) => track(`n${i}`, 'noisy'));
    const quiet = [track('q0', 'quiet'), track('q1', 'quiet')];
    // The queue was full of the noisy user: the quiet user took its two newest places.
    expect(await Promise.all(noisy.slice(4))).toEqual(['SOURCE_BUSY', 'SOURCE_BUSY']);
    // Another tenant still pushes in ahead of the tenant's own users' shares.
    const other = code(limiter.run(async () => void started.push('o0'), undefined, { tenant: 'o' }));
    expect(await noisy[3]).toBe('SOURCE_BUSY');
    blocker.open();
    await Promise.all([first, other, ...quiet, ...noisy.slice(0, 3)]);
    expect(started).toEqual(['n0', 'o0', 'q0', 'n1', 'q1', 'n2']);
  });

  test('a wait longer than queueTimeoutMs is SOURCE_BUSY and leaves the queue', async () => {
    const limiter = new ConcurrencyLimiter(1, 10, 50);
    const blocker = gate();
    const first = limiter.run(blocker.task);
    const started = performance.now();
    expect(await code(limiter.run(async () => 1, undefined, { tenant: 'a' }))).toBe('SOURCE_BUSY');
    expect(performance.now() - started).toBeGreaterThanOrEqual(45);
    expect(limiter.queued).toBe(0);
    blocker.open();
    await first;
    expect(await code(limiter.run(async () => 1))).toBe('ok');
  });

  test('an aborted waiter leaves the queue without taking a slot; the others keep their turn', async () => {
    const limiter = new ConcurrencyLimiter(1, 10);
    const blocker = gate();
    const first = limiter.run(blocker.task);
    const controller = new AbortController();
    const started: string[] = [];
    const leaving = code(limiter.run(async () => started.push('x'), controller.signal, { tenant: 'a' }));
    const staying = limiter.run(async () => started.push('y'), undefined, { tenant: 'b' });
    controller.abort();
    expect(await leaving).toBe('QUERY_CANCELLED');
    expect(limiter.queued).toBe(1);
    blocker.open();
    await Promise.all([first, staying]);
    expect(started).toEqual(['y']);
    expect(await code(limiter.run(async () => 1, controller.signal))).toBe('QUERY_CANCELLED');
  });
});
