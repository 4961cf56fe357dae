import { describe, expect, test } from 'vitest';
import { ACTIVE_WINDOW_MS, ConcurrencyLimiter } from './concurrency-limiter.js';
import { outcome as code } from '../../test/outcome.js';

/** A task that finishes when told to, recording its label when it starts. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, task: () => opened };
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

  describe('running slots are shared between active tenants', () => {
    /** Tasks that each finish when their own gate opens; `started` records labels in start order. */
    function harness(concurrency: number, queue = 1000, cpuBound = false) {
      const clock = { now: 0 };
      const limiter = new ConcurrencyLimiter(concurrency, queue, undefined, {
        now: () => clock.now,
        cpuBound,
      });
      const started: string[] = [];
      const gates = new Map<string, () => void>();
      const submit = (label: string, tenant: string, user = 'u') => {
        const g = gate();
        gates.set(label, g.open);
        return limiter.run(
          () => {
            started.push(label);
            return g.task();
          },
          undefined,
          { tenant, user },
        );
      };
      const finish = async (label: string) => {
        gates.get(label)?.();
        await settle();
      };
      return { limiter, started, submit, finish, clock };
    }
    const settle = () => new Promise((r) => setImmediate(r));

    test('B holds every slot with more waiting: A’s first request starts before any further B task', async () => {
      const { limiter, started, submit, finish, clock } = harness(4);
      const flood = Array.from({ length: 20 }, (_, i) => submit(`b${i}`, 'B'));
      await settle();
      expect(started).toEqual(['b0', 'b1', 'b2', 'b3']);
      const quiet = submit('a0', 'A');
      await settle();
      expect(limiter).toMatchObject({ inFlight: 4, queued: 17 });
      await finish('b0');
      expect(started.slice(4)).toEqual(['a0']);
      // A is active: B is held to its share (ceil(4 / 2) = 2): it gets a slot back only below it.
      await finish('b1');
      expect(started.slice(5)).toEqual([]);
      expect(limiter).toMatchObject({ inFlight: 3 });
      await finish('b2');
      expect(started.slice(5)).toEqual(['b4']);
      await finish('b3');
      expect(started.slice(5)).toEqual(['b4', 'b5']);
      expect(limiter.runningFor('B')).toBe(2);
      expect(limiter.inFlight).toBe(3);
      // A's request is answered, but A stays active for the window (its next click is coming): B is
      // still held to its share…
      await finish('a0');
      await quiet;
      expect(limiter.runningFor('B')).toBe(2);
      // …and once the window has passed, the next slot B frees gives it the whole source again.
      clock.now += ACTIVE_WINDOW_MS + 1;
      await finish('b4');
      expect(limiter.runningFor('B')).toBe(4);
      expect(started.slice(5)).toEqual(['b4', 'b5', 'b6', 'b7', 'b8']);
      for (let i = 5; i < 20; i++) await finish(`b${i}`);
      await Promise.all(flood);
      expect(limiter).toMatchObject({ inFlight: 0, queued: 0 });
    });

    test('a trickle of A: after its first request, A never waits, and B never regrows past its share in A’s gaps', async () => {
      const { limiter, started, submit, finish, clock } = harness(4);
      const flood = Array.from({ length: 40 }, (_, i) => submit(`b${i}`, 'B'));
      await settle();
      const bRunning = () => started.filter((l) => l.startsWith('b'));
      const finishOldestB = async () => {
        const done = bRunning().find((l) => !finished.has(l)) as string;
        finished.add(done);
        await finish(done);
      };
      const finished = new Set<string>();
      for (let i = 0; i < 8; i++) {
        const before = started.length;
        const quiet = submit(`a${i}`, 'A');
        await settle();
        if (i === 0) {
          // The first request finds B on every slot: it takes the next that frees, before B's backlog.
          expect(started.length).toBe(before);
          await finishOldestB();
        }
        expect(started.slice(before)[0]).toBe(`a${i}`);
        // While A runs, B's statements ending do not give B more than its share.
        await finishOldestB();
        expect(limiter.runningFor('B')).toBeLessThanOrEqual(2);
        await finish(`a${i}`);
        await quiet;
        // A's gap before its next click (within the active window): a B statement ends meanwhile.
        clock.now += ACTIVE_WINDOW_MS / 4;
        await finishOldestB();
        expect(limiter.runningFor('B')).toBeLessThanOrEqual(2);
      }
      clock.now += ACTIVE_WINDOW_MS + 1;
      while (limiter.inFlight) await finishOldestB();
      await Promise.all(flood);
    });

    test('CPU-bound engine: while A trickles, B runs no more statements than A (at least 1); two floods split the slots', async () => {
      const { limiter, started, submit, finish, clock } = harness(4, 1000, true);
      const finished = new Set<string>();
      const finishOldest = async (prefix: string) => {
        const done = started.find((l) => l.startsWith(prefix) && !finished.has(l)) as string;
        finished.add(done);
        await finish(done);
      };
      const flood = Array.from({ length: 40 }, (_, i) => submit(`b${i}`, 'B'));
      await settle();
      expect(limiter.runningFor('B')).toBe(4);
      const first = submit('a0', 'A');
      await finishOldest('b');
      expect(started.at(-1)).toBe('a0');
      // A runs one and wants no more: B drains to one beside it and gets no slot back above that.
      await finishOldest('b');
      await finishOldest('b');
      expect(limiter.runningFor('B')).toBe(1);
      expect(limiter.shareOf('B')).toBe(1);
      await finishOldest('b');
      expect(limiter.runningFor('B')).toBe(1);
      await finish('a0');
      await first;
      // A's gap (within its active window): B still holds one.
      clock.now += ACTIVE_WINDOW_MS / 2;
      await finishOldest('b');
      expect(limiter.runningFor('B')).toBe(1);
      // A's next request starts at once, beside B's one.
      const next = submit('a1', 'A');
      await settle();
      expect(started.at(-1)).toBe('a1');
      expect([limiter.runningFor('A'), limiter.runningFor('B')]).toEqual([1, 1]);
      // A asks for more than it runs (a dashboard of 6 widgets): now both share the slots, 2 and 2.
      const dashboard = Array.from({ length: 6 }, (_, i) => submit(`w${i}`, 'A'));
      await settle();
      await finishOldest('b');
      expect([limiter.runningFor('A'), limiter.runningFor('B')]).toEqual([2, 2]);
      await finish('a1');
      await next;
      for (let i = 0; i < 6; i++) await finishOldest('w');
      await Promise.all(dashboard);
      clock.now += 2 * ACTIVE_WINDOW_MS;
      while (limiter.inFlight) await finishOldest('b');
      await Promise.all(flood);
      expect(limiter).toMatchObject({ inFlight: 0, queued: 0 });
    });

    test('CPU-bound engine: a flood starts nothing while a lighter tenant runs, and gets its turn back as that one’s use grows', async () => {
      const { limiter, started, submit, finish, clock } = harness(4, 1000, true);
      const finished = new Set<string>();
      const finishOldest = async (prefix: string, ms = 50) => {
        const done = started.find((l) => l.startsWith(prefix) && !finished.has(l)) as string;
        finished.add(done);
        clock.now += ms;
        await finish(done);
      };
      const flood = Array.from({ length: 200 }, (_, i) => submit(`b${i}`, 'B'));
      await settle();
      // B has used the source for a while: 40 statements of 50 ms.
      for (let i = 0; i < 40; i++) await finishOldest('b');
      expect(limiter.runningFor('B')).toBe(4);
      const first = submit('a0', 'A');
      await finishOldest('b');
      expect(started.at(-1)).toBe('a0');
      // A runs and wants no more; B, the heavier, starts nothing beside it: its running ones end.
      for (let i = 0; i < 3; i++) await finishOldest('b');
      expect(limiter.runningFor('B')).toBe(0);
      expect(limiter.shareOf('B')).toBe(0);
      expect(limiter.inFlight).toBe(1);
      // A's answer: B is given a slot again at once (one, beside A's next ones, as before).
      clock.now += 80;
      await finish('a0');
      await first;
      expect(limiter.runningFor('B')).toBe(1);
      // A asks again while B's one runs: A starts at once, and B gets nothing more while A runs.
      const second = submit('a1', 'A');
      await settle();
      expect(started.at(-1)).toBe('a1');
      await finishOldest('b');
      expect(limiter.runningFor('B')).toBe(0);
      // A keeps running long statements back to back: its use overtakes B's decayed use, and then
      // B runs one beside it again — the lighter one's priority lasts only while it is lighter.
      await finish('a1');
      await second;
      let turns = 0;
      while (limiter.runningFor('B') === 0 || started.at(-1)?.startsWith('a')) {
        if (limiter.runningFor('B') > 0) await finishOldest('b', 0);
        const next = submit(`a${++turns + 1}`, 'A');
        await settle();
        clock.now += 1_000;
        await finish(started.at(-1) as string);
        await next;
        if (turns > 60) break;
        if (limiter.runningFor('B') > 0 && limiter.runningFor('A') === 0) {
          // Between A's requests B always has one; the question is whether it keeps it beside A's.
          const probe = submit(`p${turns}`, 'A');
          await settle();
          const beside = limiter.runningFor('B');
          clock.now += 1_000;
          await finish(`p${turns}`);
          await probe;
          if (beside > 0) break;
        }
      }
      expect(turns).toBeLessThanOrEqual(60);
      clock.now += 10 * ACTIVE_WINDOW_MS;
      while (limiter.inFlight) await finishOldest('b', 0);
      await Promise.all(flood);
      expect(limiter).toMatchObject({ inFlight: 0, queued: 0 });
    });

    test('a keyless task (a health ping) leaves no active window: a lone tenant keeps every slot', async () => {
      const { limiter, submit, finish } = harness(4, 1000, true);
      const ping = limiter.run(async () => 'pong');
      expect(await ping).toBe('pong');
      const work = Array.from({ length: 6 }, (_, i) => submit(`t${i}`, 'T'));
      await settle();
      expect(limiter.shareOf('T')).toBe(4);
      expect(limiter.runningFor('T')).toBe(4);
      for (let i = 0; i < 6; i++) await finish(`t${i}`);
      await Promise.all(work);
    });

    test('within a tenant a flooding user is held to its share while another user of it is active', async () => {
      const { limiter, started, submit, finish } = harness(4);
      const noisy = Array.from({ length: 10 }, (_, i) => submit(`n${i}`, 'T', 'noisy'));
      await settle();
      const quiet = [submit('q0', 'T', 'quiet'), submit('q1', 'T', 'quiet')];
      await finish('n0');
      expect(started.at(-1)).toBe('q0');
      await finish('n1');
      expect(started.at(-1)).toBe('q1');
      expect(limiter.runningFor('T', 'noisy')).toBe(2);
      await finish('n2');
      // The noisy user holds its share (2 of 4), the quiet one its two: no third for the noisy.
      expect(limiter.runningFor('T', 'noisy')).toBe(2);
      expect(started.filter((s) => s.startsWith('n'))).toHaveLength(5);
      await finish('q0');
      await finish('q1');
      await Promise.all(quiet);
      for (let i = 3; i < 10; i++) await finish(`n${i}`);
      await Promise.all(noisy);
      expect(limiter).toMatchObject({ inFlight: 0, queued: 0 });
    });

    test('generated schedules: never over concurrency, a tenant over its share never grows, nothing starves', async () => {
      let seed = 11;
      const random = () => {
        // mulberry32: a small deterministic generator, so a failure replays.
        seed = (seed + 0x6d2b79f5) | 0;
        let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
        t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
      };
      const tenants = ['A', 'B', 'C'];
      for (let round = 0; round < 20; round++) {
        const concurrency = 1 + Math.floor(random() * 5);
        const cpuBound = round % 2 === 1;
        const { limiter, started, submit, finish, clock } = harness(concurrency, 1000, cpuBound);
        const pending: Promise<unknown>[] = [];
        const running = new Set<string>();
        let n = 0;
        for (let step = 0; step < 150; step++) {
          const before = new Map(tenants.map((t) => [t, limiter.runningFor(t)]));
          const shares = new Map(tenants.map((t) => [t, limiter.shareOf(t)]));
          const startedBefore = started.length;
          clock.now += random() * (ACTIVE_WINDOW_MS / 3);
          if (random() < 0.55 || !running.size) {
            const tenant = tenants[Math.floor(random() * (random() < 0.6 ? 1 : 3))] as string;
            pending.push(submit(`${tenant}${n++}`, tenant, `u${Math.floor(random() * 2)}`));
            await settle();
          } else {
            const label = [...running][Math.floor(random() * running.size)] as string;
            running.delete(label);
            await finish(label);
          }
          for (const label of started.slice(startedBefore)) running.add(label);
          expect(limiter.inFlight).toBeLessThanOrEqual(concurrency);
          expect(limiter.inFlight).toBe(running.size);
          for (const t of tenants) {
            const now = limiter.runningFor(t);
            // A tenant may only gain slots up to its share; above it, it only ever shrinks.
            if (now > (before.get(t) ?? 0))
              expect(
                now,
                `${t}: ${before.get(t)} → ${now}, share ${shares.get(t)} → ${limiter.shareOf(t)}; ${tenants.map((o) => `${o} ${limiter.runningFor(o)}/${limiter.queuedFor(o)}`).join(', ')}`,
              ).toBeLessThanOrEqual(
                Math.max(
                  shares.get(t) ?? 0,
                  limiter.shareOf(t),
                  // CPU-bound: a tenant yielding to a lighter one (share 0 now) may have been given
                  // slots in the same release, while that one still had waiters: never more than the
                  // plain share of two or more active tenants.
                  cpuBound && limiter.shareOf(t) === 0 ? Math.ceil(concurrency / 2) : 0,
                ),
              );
          }
          // Work-conserving for whoever may run: a free slot with waiters means every waiter is at its
          // share — at least one running, unless (CPU-bound) it yields to a lighter tenant that runs
          // with nothing waiting.
          if (limiter.inFlight < concurrency && limiter.queued > 0)
            for (const t of tenants)
              if (limiter.queuedFor(t) > 0 && limiter.runningFor(t) === 0) {
                expect(limiter.shareOf(t), `${t} waits with nothing running`).toBe(0);
                expect(
                  tenants.some((o) => o !== t && limiter.runningFor(o) > 0 && limiter.queuedFor(o) === 0),
                ).toBe(true);
              }
        }
        // Drain: everything queued runs in the end.
        while (running.size || limiter.queued) {
          const label = [...running][0] as string;
          running.delete(label);
          const startedBefore = started.length;
          await finish(label);
          for (const l of started.slice(startedBefore)) running.add(l);
        }
        await Promise.all(pending);
        expect(started).toHaveLength(n);
      }
    });
  });
});
