import type { RunProgress } from '../../contract/jobs.schema.js';
import type { Store } from '../store/store.js';
import type { PipelineProgress } from './pipeline-contract.js';

/** Lines kept per run; past it one "log truncated" line is written and the rest dropped. */
export const MAX_LOG_LINES = 2_000;
const MAX_LINE_CHARS = 2_000;
/** Stored (and so pushed) progress at most this often: ≤ 2 per second. */
export const PROGRESS_EVERY_MS = 500;

/**
 * What a running run writes as it goes: its log (bounded, in order) and its progress (throttled).
 * Writes are chained so they land in order and never overlap; `flush` waits for them. A failing
 * write is reported, not thrown into the pipeline (the run goes on; the log says less).
 */
export class RunJournal {
  private chain: Promise<void> = Promise.resolve();
  private lines = 0;
  private truncated = false;
  private latest: PipelineProgress | null = null;
  private lastProgressWrite = 0;
  private progressTimer: NodeJS.Timeout | undefined;
  private readonly startedAt: number;
  private readonly startedDone: number;

  constructor(
    private readonly store: Store,
    private readonly runId: string,
    existingLines: number,
    private readonly onError: (err: unknown) => void,
    private readonly onWrite: () => void,
    resumedFrom: RunProgress,
    private readonly now: () => number = Date.now,
  ) {
    this.lines = existingLines;
    this.truncated = existingLines > MAX_LOG_LINES;
    this.startedAt = now();
    this.startedDone = resumedFrom.done;
  }

  log(level: 'info' | 'warn' | 'error', message: string): void {
    if (this.truncated) return;
    let text = String(message).replace(/\s+$/, '');
    if (text.length > MAX_LINE_CHARS) text = `${text.slice(0, MAX_LINE_CHARS)}…`;
    if (this.lines >= MAX_LOG_LINES) {
      this.truncated = true;
      level = 'warn';
      text = `log truncated: a run keeps ${MAX_LOG_LINES.toLocaleString('en')} lines; later ones are not stored`;
    }
    const seq = ++this.lines;
    const at = this.now();
    this.enqueue(async () => {
      await this.store.db
        .insertInto('pipeline_run_logs')
        .values({ run_id: this.runId, seq, at, level, message: text })
        .execute();
      await this.store.db
        .updateTable('pipeline_runs')
        .set({ log_lines: seq, updated_at: at })
        .where('id', '=', this.runId)
        .execute();
    });
  }

  progress(p: PipelineProgress): void {
    this.latest = p;
    const wait = this.lastProgressWrite + PROGRESS_EVERY_MS - this.now();
    if (wait <= 0) this.writeProgress();
    else this.progressTimer ??= setTimeout(() => this.writeProgress(), wait);
  }

  /** The progress as the API shows it: rate over this attempt, ETA from it. */
  shape(p: PipelineProgress): RunProgress {
    const elapsed = (this.now() - this.startedAt) / 1000;
    const advanced = Math.max(0, p.done - this.startedDone);
    const rate = elapsed > 0 && advanced > 0 ? advanced / elapsed : null;
    const total = p.total ?? null;
    return {
      done: Math.max(0, Math.floor(p.done)),
      total: total === null ? null : Math.max(0, Math.floor(total)),
      unit: p.unit,
      ratePerSecond: rate,
      etaSeconds: rate !== null && total !== null ? Math.max(0, (total - p.done) / rate) : null,
      message: p.message ? p.message.slice(0, 500) : null,
      ...(p.failed === undefined ? {} : { failed: Math.max(0, Math.floor(p.failed)) }),
    };
  }

  /** Writes what is pending (the last progress too) and waits for every write. */
  async flush(): Promise<void> {
    if (this.latest) this.writeProgress();
    await this.chain;
  }

  private writeProgress(): void {
    clearTimeout(this.progressTimer);
    this.progressTimer = undefined;
    const p = this.latest;
    if (!p) return;
    this.latest = null;
    this.lastProgressWrite = this.now();
    const progress = JSON.stringify(this.shape(p));
    const at = this.lastProgressWrite;
    this.enqueue(async () => {
      await this.store.db
        .updateTable('pipeline_runs')
        .set((eb) => ({ progress, version: eb('version', '+', 1), updated_at: at }))
        .where('id', '=', this.runId)
        .where('status', '=', 'running')
        .execute();
    });
  }

  private enqueue(write: () => Promise<void>): void {
    this.chain = this.chain.then(write).then(
      () => this.onWrite(),
      (err: unknown) => this.onError(err),
    );
  }
}
