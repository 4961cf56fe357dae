import type { Store } from '../store/store.js';

/** Reopens and invalidates what a publication names, in this process. */
export type PublicationHandler = (datasets: readonly string[]) => Promise<void>;

export interface PublicationsOptions {
  /** How often web processes look for publications of other processes. */
  readonly pollMs?: number;
  /** Publications are looked for this far back (commit delays, clocks of other processes). */
  readonly windowMs?: number;
  readonly onError: (err: unknown) => void;
}

const KEEP_MS = 3_600_000;
const MAX_PER_POLL = 500;

/**
 * Data publication: a pipeline that replaced data calls `publish(datasets)`. The row in the store
 * tells every web process (they poll, bounded, once a second); this process is told directly. Each
 * process then reopens the engines whose files were replaced and invalidates the datasets (which
 * pushes to open dashboards).
 */
export class Publications {
  private handler: PublicationHandler | undefined;
  /** Publication id → when it was written; pruned beyond the window. */
  private readonly seen = new Map<number, number>();
  private timer: NodeJS.Timeout | undefined;
  private since = 0;
  private polling: Promise<void> = Promise.resolve();
  private readonly pollMs: number;
  private readonly windowMs: number;
  private lastPrune = 0;

  constructor(
    private readonly store: Store,
    private readonly options: PublicationsOptions,
  ) {
    this.pollMs = options.pollMs ?? 1_000;
    this.windowMs = options.windowMs ?? 10_000;
  }

  /** What this process does with a publication (its own, or one seen by polling). */
  setHandler(handler: PublicationHandler): void {
    this.handler = handler;
  }

  async publish(datasets: readonly string[]): Promise<void> {
    const unique = [...new Set(datasets)].slice(0, 1_000);
    const at = Date.now();
    const row = await this.store.db
      .insertInto('publications')
      .values({ at, datasets: JSON.stringify(unique) })
      .returning('id')
      .executeTakeFirstOrThrow();
    this.seen.set(Number(row.id), at);
    if (this.handler) await this.handler(unique);
  }

  /** Starts looking for other processes' publications (web processes). */
  watch(): void {
    if (this.timer) return;
    this.since = Date.now();
    this.timer = setInterval(() => {
      this.polling = this.polling.then(() => this.poll());
    }, this.pollMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.polling;
  }

  /** One look (also called by tests). */
  async poll(): Promise<void> {
    const now = Date.now();
    try {
      const rows = await this.store.db
        .selectFrom('publications')
        .selectAll()
        .where('at', '>=', this.since - this.windowMs)
        .orderBy('id')
        .limit(MAX_PER_POLL)
        .execute();
      this.since = now;
      for (const row of rows) {
        const id = Number(row.id);
        if (this.seen.has(id)) continue;
        this.seen.set(id, Number(row.at));
        const datasets = JSON.parse(row.datasets) as string[];
        if (this.handler) await this.handler(datasets);
      }
      for (const [id, at] of this.seen) if (at < now - 3 * this.windowMs) this.seen.delete(id);
      if (now - this.lastPrune > 60_000) {
        this.lastPrune = now;
        await this.store.db
          .deleteFrom('publications')
          .where('at', '<', now - KEEP_MS)
          .execute();
      }
    } catch (err) {
      this.options.onError(err);
    }
  }
}
