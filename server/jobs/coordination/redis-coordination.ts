import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { LockSpec, RateLimitSpec } from '../../config/project/pipeline.types.js';
import { TrellisError } from '../../errors.js';
import { sleep } from '../../resilience/sleep.js';
import { lockLost, type HeldLock, type ResourceLocks } from './resource-locks.js';
import { BlockTakes, type BlockTake } from './block-takes.js';
import type { SharedRateLimiter } from './shared-rate-limiter.js';

/**
 * Named rate limits and resource locks in Redis, when TRELLIS_REDIS_URL is set (docs/pipelines.md#rate-limits):
 * the same contract as the metadata-store versions (coordination.contract.test.ts runs both), at a
 * Redis round trip per take instead of a database write. Every decision is one Lua script, so it is
 * atomic across instances, and time is Redis's own clock (TIME, PX), so the instances' clocks need
 * not agree. Keys carry the name in a hash tag ({name}), so a lock's keys share one cluster slot.
 */

/**
 * A token bucket per name: refill from the time elapsed (Redis's clock), spend up to ARGV[3] tokens if
 * there are any, else answer how long until there is one. Returns {taken, wait ms}.
 */
const TAKE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local want = tonumber(ARGV[3]) or 1
local b = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(b[1])
local at = tonumber(b[2])
if tokens == nil or at == nil then tokens = burst; at = now end
if now > at then tokens = math.min(burst, tokens + (now - at) * rate); at = now end
local taken = math.min(want, math.floor(tokens))
local wait = 0
if taken >= 1 then tokens = tokens - taken else taken = 0; wait = math.ceil((1 - tokens) / rate) end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(at))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate) + 60000)
return {taken, wait}
`;

/**
 * One attempt at a lock: drop dead waiters (their heartbeat key expired), count the live ones ahead
 * of us (all of them if we are not in line), and when none is ahead, SET NX PX. A taker gets the next
 * fencing token (INCR): a resource that records the highest token it has seen can refuse a holder
 * that lost the lock without knowing. Returns {1, fence} or {0, waiters ahead}.
 * KEYS: lock, line, fence; ARGV: holder, ttl ms, waiter-key prefix.
 */
const TRY_LOCK = `
local members = redis.call('ZRANGE', KEYS[2], 0, -1)
local ahead = 0
for _, m in ipairs(members) do
  if m == ARGV[1] then break end
  if redis.call('EXISTS', ARGV[3] .. m) == 1 then ahead = ahead + 1 else redis.call('ZREM', KEYS[2], m) end
end
if ahead == 0 and redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  redis.call('ZREM', KEYS[2], ARGV[1])
  redis.call('DEL', ARGV[3] .. ARGV[1])
  return {1, redis.call('INCR', KEYS[3])}
end
return {0, ahead}
`;

/** Renews (ARGV[2] = ttl) or releases (no ARGV[2]) a lock only if we still hold it. */
const RENEW = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if ARGV[2] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return redis.call('DEL', KEYS[1])
`;

export class RedisRateLimiter implements SharedRateLimiter {
  // As the store version: the calls of this process waiting for a bucket share one script call.
  private readonly blocks = new BlockTakes((limit, wanted) => this.takeUpTo(limit, wanted));

  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'trellis',
  ) {}

  take(limit: RateLimitSpec, signal: AbortSignal): Promise<void> {
    return this.blocks.take(limit, signal);
  }

  private async takeUpTo(limit: RateLimitSpec, wanted: number): Promise<BlockTake> {
    const key = `${this.prefix}:rate:{${limit.name}}`;
    const rate = limit.calls / limit.perMs;
    const [taken, wait] = (await this.redis.eval(
      TAKE,
      1,
      key,
      String(rate),
      String(limit.burst),
      String(wanted),
    )) as [number, number];
    return { taken: Number(taken), waitMs: Number(wait) };
  }
}

export class RedisResourceLocks implements ResourceLocks {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'trellis',
  ) {}

  async acquire(
    spec: LockSpec,
    _runId: string,
    signal: AbortSignal,
    onWait: (position: number) => void,
  ): Promise<HeldLock> {
    const holder = randomUUID();
    const base = `${this.prefix}:lock:{${spec.name}}`;
    const keys = [`${base}:held`, `${base}:line`, `${base}:fence`] as const;
    const waiterPrefix = `${base}:waiter:`;
    const started = Date.now();
    const poll = Math.max(50, Math.min(500, Math.floor(spec.ttlMs / 3)));
    let inLine = false;
    let lastPosition = -1;
    try {
      for (;;) {
        signal.throwIfAborted();
        const [taken, n] = (await this.redis.eval(
          TRY_LOCK,
          3,
          ...keys,
          holder,
          String(spec.ttlMs),
          waiterPrefix,
        )) as [number, number];
        if (taken === 1) return this.held(spec, keys[0], holder, Number(n));
        if (spec.wait === 'fail')
          throw new TrellisError('PIPELINE_LOCK_BUSY', {
            message: `The lock "${spec.name}" is held by another run.`,
            detail: { lock: spec.name },
          });
        if (Date.now() - started > spec.maxWaitMs)
          throw new TrellisError('PIPELINE_LOCK_BUSY', {
            message: `Waited longer than ${Math.round(spec.maxWaitMs / 1000)} s for the lock "${spec.name}".`,
            detail: { lock: spec.name },
          });
        // In line: a ticket (first come, first served) and a heartbeat that dies with us.
        const multi = this.redis.multi().set(`${waiterPrefix}${holder}`, '1', 'PX', spec.ttlMs);
        if (!inLine) {
          const ticket = await this.redis.incr(`${base}:ticket`);
          multi.zadd(keys[1], 'NX', ticket, holder);
        }
        await multi.exec();
        // Position 1 = next after the current holder.
        const position = Number(n) + 1;
        inLine = true;
        if (position !== lastPosition) onWait(position);
        lastPosition = position;
        await sleep(poll, signal);
      }
    } catch (err) {
      if (inLine)
        await this.redis
          .multi()
          .zrem(keys[1], holder)
          .del(`${waiterPrefix}${holder}`)
          .exec()
          .catch(() => undefined); // the heartbeat expires by itself
      throw err;
    }
  }

  private held(spec: LockSpec, key: string, holder: string, fence: number): HeldLock {
    const lost = new AbortController();
    let renewing: Promise<unknown> = Promise.resolve();
    const timer = setInterval(
      () => {
        renewing = this.redis
          .eval(RENEW, 1, key, holder, String(spec.ttlMs))
          .then((r) => {
            if (Number(r) === 0) lost.abort(lockLost(spec));
          })
          .catch((err: unknown) => lost.abort(lockLost(spec, err)));
      },
      Math.max(100, Math.floor(spec.ttlMs / 3)),
    );
    timer.unref();
    return {
      fence,
      lost: lost.signal,
      release: async () => {
        clearInterval(timer);
        await renewing;
        await this.redis.eval(RENEW, 1, key, holder);
      },
    };
  }
}

/** Both on one new client (TRELLIS_REDIS_URL); `close` quits it. */
export function openRedisCoordination(url: string): {
  limiter: RedisRateLimiter;
  locks: RedisResourceLocks;
  close(): Promise<void>;
} {
  // Commands wait for a reconnect (a blip must not fail a run); a run's own timeouts still apply.
  const redis = new Redis(url, { maxRetriesPerRequest: 3 });
  redis.on('error', () => undefined); // each command reports its own failure; the client reconnects
  return {
    limiter: new RedisRateLimiter(redis),
    locks: new RedisResourceLocks(redis),
    close: async () => {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
