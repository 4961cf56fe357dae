import type { Cell } from '../../contract/index.js';
import type { BatchChannel } from './batch-channel.js';

/** Rows per batch handed to an export: large enough to amortise the hand-off, small in memory. */
export const STREAM_BATCH_ROWS = 2_048;

/**
 * Groups rows that a driver pushes one by one (pg row events, mysql2 result events) into batches for
 * a BatchChannel, and applies back-pressure by pausing the driver's socket while the channel is full:
 * TCP then holds the rest on the server. Rows the driver had already parsed keep arriving while
 * paused; they join the next batch, so what waits in memory is at most a socket read's worth.
 */
export class RowBatcher {
  private rows: Cell[][] = [];
  private columns: readonly string[] = [];
  private paused = false;
  private announced = false;

  constructor(
    private readonly channel: BatchChannel,
    private readonly socket: { pause(): void; resume(): void },
  ) {}

  setColumns(columns: readonly string[]): void {
    this.columns = columns;
  }

  add(row: Cell[]): void {
    this.rows.push(row);
    if (this.rows.length >= STREAM_BATCH_ROWS) this.flush();
  }

  /** Hands over what is collected (and, once, the columns even with no rows: a file needs its header). */
  flush(): void {
    if (this.rows.length === 0 && this.announced) return;
    this.announced = true;
    const room = this.channel.put({ columns: this.columns, rows: this.rows });
    this.rows = [];
    if (!room && !this.paused) {
      this.paused = true;
      this.socket.pause();
      void this.channel.room().then(() => this.resume());
    }
  }

  /** Lets the socket flow again (room in the channel, or the statement is being cancelled). */
  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.socket.resume();
  }
}
