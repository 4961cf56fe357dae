import type { Redis } from 'ioredis';
import type { CacheLogger } from './cache.js';

export interface SignalWaitOptions {
  readonly channel: string;
  readonly timeoutMs: number;
  /** True when the thing waited for is already done (the lock is free); errors reject the wait. */
  readonly isDone: () => Promise<boolean>;
}

type Finish = (outcome: { woken: boolean } | { error: unknown }) => void;

/**
 * Completion signals over Redis pub/sub, on one subscriber connection per cache (a subscribed
 * connection cannot be shared with ordinary commands on RESP2 servers). One subscription per channel,
 * reference-counted across the waiters of this process.
 *
 * Pub/sub is fire-and-forget: a message published before the subscription is active, or during a
 * reconnect, is lost. So a waiter also checks `isDone` right after subscribing (closing the race with
 * a publisher that finished in between) and then every poll interval; the timeout bounds the rest.
 */
export class RedisSignals {
  private readonly waiters = new Map<string, Set<Finish>>();

  constructor(
    private readonly subscriber: Redis,
    private readonly pollIntervalMs: number,
    private readonly logger: CacheLogger,
  ) {
    subscriber.on('message', (channel: string) => this.wake(channel));
  }

  wait({ channel, timeoutMs, isDone }: SignalWaitOptions): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      let settled = false;
      let polling = false;
      const finish: Finish = (outcome) => {
        if (settled) return;
        settled = true;
        clearTimeout(timeout);
        clearInterval(poll);
        this.remove(channel, finish);
        if ('error' in outcome) reject(outcome.error);
        else resolve(outcome.woken);
      };
      const check = () => {
        if (settled || polling) return; // one check in flight at a time: a slow Redis is not piled on
        polling = true;
        isDone().then(
          (done) => {
            polling = false;
            if (done) finish({ woken: true });
          },
          (error: unknown) => {
            polling = false;
            finish({ error });
          },
        );
      };
      const timeout = setTimeout(() => finish({ woken: false }), timeoutMs);
      const poll = setInterval(check, this.pollIntervalMs);
      this.add(channel, finish).then(check, (err: unknown) => {
        // Polling alone still bounds the wait; the subscription is an optimisation.
        this.logger.warn({ err, channel }, 'cache signal subscribe failed; waiting by polling');
        check();
      });
    });
  }

  /** Wakes every waiter (on close): they re-check the store and find it closed. */
  wakeAll(): void {
    for (const channel of [...this.waiters.keys()]) this.wake(channel);
  }

  get channels(): number {
    return this.waiters.size;
  }

  private async add(channel: string, finish: Finish): Promise<void> {
    let set = this.waiters.get(channel);
    if (set) {
      set.add(finish);
      return;
    }
    set = new Set([finish]);
    this.waiters.set(channel, set);
    await this.subscriber.subscribe(channel);
  }

  private remove(channel: string, finish: Finish): void {
    const set = this.waiters.get(channel);
    if (!set) return;
    set.delete(finish);
    if (set.size > 0) return;
    this.waiters.delete(channel);
    // Commands on one connection run in order, so a later re-subscribe to this channel still wins.
    this.subscriber.unsubscribe(channel).catch((err: unknown) => {
      this.logger.debug({ err, channel }, 'cache signal unsubscribe failed (connection down?)');
    });
  }

  private wake(channel: string): void {
    const set = this.waiters.get(channel);
    if (!set) return;
    for (const finish of [...set]) finish({ woken: true });
  }
}
