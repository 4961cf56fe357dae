import type { RunLogEvent, RunSummary } from '../../contract/jobs.schema.js';
import { TrellisError } from '../errors.js';
import type { Store } from '../store/store.js';
import { logLine, runSummary } from './run-summary.js';

export interface RunListener {
  readonly run: (run: RunSummary) => void;
  readonly log: (event: RunLogEvent) => void;
  /** The server is shutting down: end the stream. */
  readonly end: () => void;
}

export interface RunEventsOptions {
  readonly maxStreams: number;
  /** How often the store is read while someone listens. */
  readonly pollMs?: number;
  /** Changes are looked for this far back (commit order, other processes' clocks); seen ones are skipped. */
  readonly windowMs?: number;
  readonly onError: (err: unknown) => void;
}

const MAX_ROWS_PER_POLL = 2_000;

/**
 * Run and log events for open Jobs pages, whichever process ran the job: while anyone listens, the
 * store is read every `pollMs` for runs changed (a version bump) and log lines written since the
 * last look, and each goes to the listeners of the run's organisation. Changes made in this process
 * make it look at once (`poke`). Bounded: `maxStreams` listeners in all (TOO_MANY_STREAMS beyond),
 * and at most 2,000 rows a look.
 */
export class RunEvents {
  private readonly listeners = new Map<string, Set<RunListener>>();
  private count = 0;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private since = 0;
  /** Run id → [version sent, updated_at]; log run id → [last seq sent, at]. */
  private readonly versions = new Map<string, [number, number]>();
  private readonly seqs = new Map<string, [number, number]>();
  private readonly pollMs: number;
  private readonly windowMs: number;

  constructor(
    private readonly store: Store,
    private readonly options: RunEventsOptions,
  ) {
    this.pollMs = options.pollMs ?? 250;
    this.windowMs = options.windowMs ?? 5_000;
  }

  get open(): number {
    return this.count;
  }

  subscribe(organisation: string, listener: RunListener): () => void {
    if (this.count >= this.options.maxStreams)
      throw new TrellisError('TOO_MANY_STREAMS', {
        detail: { open: this.count, max: this.options.maxStreams },
      });
    let set = this.listeners.get(organisation);
    if (!set) this.listeners.set(organisation, (set = new Set()));
    set.add(listener);
    if (this.count++ === 0) this.startPolling();
    let done = false;
    return () => {
      if (done) return;
      done = true;
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(organisation);
      if (--this.count === 0) this.stopPolling();
    };
  }

  /** Something changed in this process: look now rather than at the next tick. */
  poke(): void {
    if (this.count > 0) this.look();
  }

  close(): void {
    this.stopPolling();
    for (const set of this.listeners.values()) for (const l of [...set]) l.end();
  }

  private startPolling(): void {
    this.since = Date.now();
    this.timer = setInterval(() => this.look(), this.pollMs);
  }

  private stopPolling(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.versions.clear();
    this.seqs.clear();
  }

  /** One look at a time; a look asked for meanwhile runs right after. */
  private look(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.poll()
      .catch((err: unknown) => this.options.onError(err))
      .finally(() => {
        this.running = undefined;
        if (this.again && this.count > 0) {
          this.again = false;
          this.look();
        }
      });
  }

  private async poll(): Promise<void> {
    const organisations = [...this.listeners.keys()];
    if (organisations.length === 0) return;
    const now = Date.now();
    const from = this.since - this.windowMs;
    const db = this.store.db;
    const runs = await db
      .selectFrom('pipeline_runs')
      .selectAll()
      .where('updated_at', '>=', from)
      .where('organisation', 'in', organisations)
      .orderBy('updated_at')
      .limit(MAX_ROWS_PER_POLL)
      .execute();
    const lines = await db
      .selectFrom('pipeline_run_logs')
      .innerJoin('pipeline_runs', 'pipeline_runs.id', 'pipeline_run_logs.run_id')
      .select([
        'pipeline_run_logs.run_id',
        'pipeline_run_logs.seq',
        'pipeline_run_logs.at',
        'pipeline_run_logs.level',
        'pipeline_run_logs.message',
        'pipeline_runs.organisation',
      ])
      .where('pipeline_run_logs.at', '>=', from)
      .where('pipeline_runs.organisation', 'in', organisations)
      .orderBy('pipeline_run_logs.run_id')
      .orderBy('pipeline_run_logs.seq')
      .limit(MAX_ROWS_PER_POLL)
      .execute();
    this.since = now;
    for (const row of runs) {
      const sent = this.versions.get(row.id);
      if (sent && sent[0] >= row.version) continue;
      this.versions.set(row.id, [row.version, Number(row.updated_at)]);
      const summary = runSummary(row);
      for (const l of this.listeners.get(row.organisation) ?? []) l.run(summary);
    }
    for (const row of lines) {
      const sent = this.seqs.get(row.run_id);
      if (sent && sent[0] >= row.seq) continue;
      this.seqs.set(row.run_id, [row.seq, Number(row.at)]);
      const event: RunLogEvent = { runId: row.run_id, line: logLine(row) };
      for (const l of this.listeners.get(row.organisation) ?? []) l.log(event);
    }
    const old = now - 3 * this.windowMs;
    for (const [id, [, at]] of this.versions) if (at < old) this.versions.delete(id);
    for (const [id, [, at]] of this.seqs) if (at < old) this.seqs.delete(id);
  }
}
