import { randomBytes } from 'node:crypto';
import { test } from 'vitest';
import { redisTestGate } from './redis-test-gate.js';
import { BullmqQueue } from '../server/jobs/bullmq-queue.js';
import type { Queue, QueueLimits } from '../server/jobs/queue.js';
import { StoreQueue } from '../server/jobs/store-queue.js';
import { openStore, type Store } from '../server/store/store.js';
import { storeTargets } from './store-targets.js';

export const TEST_REDIS_URL = process.env.TRELLIS_TEST_REDIS_URL || 'redis://127.0.0.1:6379';

/** Short leases so a dead worker's job comes back within a test. */
export const TEST_LEASE_MS = 800;

export interface QueueTarget {
  readonly name: string;
  /** A fresh, empty queue (its own store or Redis prefix); `open` again gives a second handle on it. */
  open(limits?: QueueLimits): Promise<OpenedQueue>;
}

export interface OpenedQueue {
  readonly queue: Queue;
  /** Another handle on the same queue (another instance: its own connections). */
  another(): Promise<Queue>;
  /** The store, for the store queue (exactly-once effects in its transactions). */
  readonly store: Store | undefined;
  dispose(): Promise<void>;
}

/**
 * The queue contract runs on the store queue (SQLite and PostgreSQL stores) and on BullMQ (Redis).
 * Unreachable services are skipped loudly, or fail under CI=true (test-services.ts, redis-test-gate.ts).
 */
export async function queueTargets(what: string): Promise<QueueTarget[]> {
  const targets: QueueTarget[] = (await storeTargets(`${what} (store queue on PostgreSQL)`)).map((st) => ({
    name: `store queue on ${st.name}`,
    async open(limits?: QueueLimits) {
      const { store, config, dispose } = await st.open();
      const options = { leaseMs: TEST_LEASE_MS, pollMs: 25, ...(limits ? { limits } : {}) };
      const others: Store[] = [];
      return {
        queue: new StoreQueue(store, options),
        store,
        another: async () => {
          // SQLite: the same connection (better-sqlite3 waits for a lock synchronously, so two
          // connections in one process would block each other's event loop); other processes get
          // their own (the kill test). PostgreSQL: a second pool, like another instance.
          if (st.name === 'sqlite') return new StoreQueue(store, options);
          const second = await openStore(config);
          others.push(second);
          return new StoreQueue(second, options);
        },
        dispose: async () => {
          for (const o of others) await o.close();
          await dispose();
        },
      };
    },
  }));
  const gate = await redisTestGate(TEST_REDIS_URL, process.env.CI === 'true', `${what} (BullMQ on Redis)`);
  if (!gate.run && gate.fail)
    test('Redis is reachable (required under CI=true)', () => {
      throw new Error(gate.reason);
    });
  if (gate.run)
    targets.push({
      name: 'BullMQ on Redis',
      async open(limits?: QueueLimits) {
        const prefix = `trellis-test-${process.pid}-${randomBytes(4).toString('hex')}`;
        const options = {
          url: TEST_REDIS_URL,
          prefix,
          lockMs: TEST_LEASE_MS * 2,
          ...(limits ? { limits } : {}),
        };
        const queue = new BullmqQueue(options);
        const others: BullmqQueue[] = [];
        return {
          queue,
          store: undefined,
          another: async () => {
            const q = new BullmqQueue(options);
            others.push(q);
            return q;
          },
          dispose: async () => {
            await queue.obliterate();
            for (const q of [queue, ...others]) await q.close();
          },
        };
      },
    });
  return targets;
}
