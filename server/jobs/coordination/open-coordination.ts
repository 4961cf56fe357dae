import type { Store } from '../../store/store.js';
import { StoreResourceLocks, type ResourceLocks } from './resource-locks.js';
import { StoreRateLimiter, type SharedRateLimiter } from './shared-rate-limiter.js';

export interface OpenedCoordination {
  readonly limiter: SharedRateLimiter;
  readonly locks: ResourceLocks;
  readonly kind: 'redis' | 'store';
  close(): Promise<void>;
}

/**
 * Where named rate limits and resource locks live: Redis when TRELLIS_REDIS_URL is set (every server
 * instance, worker and `trellis pipeline run` of a deployment reads the same variable, so they all
 * meet in the same place), else the metadata store they already share. ioredis is loaded only then.
 */
export async function openCoordination(
  store: Store,
  redisUrl: string | undefined,
): Promise<OpenedCoordination> {
  if (redisUrl === undefined)
    return {
      kind: 'store',
      limiter: new StoreRateLimiter(store),
      locks: new StoreResourceLocks(store),
      close: async () => {},
    };
  const { openRedisCoordination } = await import('./redis-coordination.js');
  return { kind: 'redis', ...openRedisCoordination(redisUrl) };
}
