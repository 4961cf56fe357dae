import type { FastifyBaseLogger } from 'fastify';
import type { Engine } from '../query/engine.js';
import { closeEngines } from '../query/engines/index.js';
import type { Store } from '../store/store.js';

/**
 * The end of `serve` and `worker`: close the app (requests finish, running jobs reach a checkpoint),
 * the engines and the store, then exit 0 — or exit 1 when that takes longer than the grace.
 */
export async function closeAndExit(
  parts: {
    readonly app: { close(): Promise<unknown>; readonly log: FastifyBaseLogger };
    readonly engines: ReadonlyMap<string, Engine>;
    readonly store: Store;
  },
  graceMs: number,
): Promise<never> {
  const force = setTimeout(() => {
    parts.app.log.error({ graceMs }, 'shutdown grace period over; exiting');
    process.exit(1);
  }, graceMs + 1_000);
  force.unref();
  await parts.app.close();
  await closeEngines(parts.engines);
  await parts.store.close();
  clearTimeout(force);
  process.exit(0);
}
