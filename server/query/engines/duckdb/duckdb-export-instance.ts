import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type { DuckDBSettings } from './duckdb-config.js';

/** One open export instance: the file it was opened on, and the exports running on it. */
interface Slot {
  readonly identity: string;
  readonly instance: Promise<DuckDBInstance>;
  /** Connections kept for the next export (as the pool keeps its own). */
  readonly idle: DuckDBConnection[];
  users: number;
}

/**
 * The export-only DuckDB instance of a source: the same file, read-only and locked down like the
 * pool's, but with its own small `memory_limit` and a temp folder, so an export's ORDER BY over a
 * million rows spills to disk instead of holding the sort in memory (measured: +285 MB RSS for 1 M
 * rows on the pool's instance; docs/performance.md). Dashboards' queries never share its memory.
 *
 * Opened at the first export and kept (re-opening costs the catalog and a cold buffer pool); when
 * the engine has re-opened a replaced file, the next export opens the new file here too and the old
 * instance closes after its last export. Each export gets a connection of its own, kept for the next.
 */
export class DuckDBExportInstance {
  private current: Slot | undefined;
  private closed = false;

  constructor(
    private readonly settings: DuckDBSettings,
    private readonly options: Record<string, string>,
  ) {}

  /** A connection on the instance of the file `identity` names; `release` hands it back. */
  async connect(identity: string): Promise<{ conn: DuckDBConnection; release: () => void }> {
    if (this.closed) throw new Error('the export instance is closed');
    if (this.current?.identity !== identity) {
      const old = this.current;
      this.current = { identity, instance: this.open(), idle: [], users: 0 };
      if (old && old.users === 0) void closeSlot(old);
    }
    const slot = this.current;
    slot.users++;
    let conn: DuckDBConnection;
    try {
      conn = slot.idle.pop() ?? (await (await slot.instance).connect());
    } catch (err) {
      // Not opened (or no connection): the next export tries afresh rather than inherit this failure.
      if (slot === this.current) this.current = undefined;
      this.leave(slot);
      throw err;
    }
    let released = false;
    return {
      conn,
      release: () => {
        if (released) return;
        released = true;
        slot.idle.push(conn);
        this.leave(slot);
      },
    };
  }

  /** Closes the instance now if no export runs on it, else after the last one. */
  close(): void {
    this.closed = true;
    const slot = this.current;
    this.current = undefined;
    if (slot && slot.users === 0) void closeSlot(slot);
  }

  private leave(slot: Slot): void {
    slot.users--;
    if (slot.users === 0 && slot !== this.current) void closeSlot(slot);
  }

  private async open(): Promise<DuckDBInstance> {
    const instance = await DuckDBInstance.create(this.settings.file, this.options);
    try {
      const conn = await instance.connect();
      try {
        for (const statement of this.settings.lockdown) await conn.run(statement);
      } finally {
        conn.closeSync();
      }
    } catch (err) {
      instance.closeSync();
      throw err;
    }
    return instance;
  }
}

async function closeSlot(slot: Slot): Promise<void> {
  for (const conn of slot.idle.splice(0)) conn.closeSync();
  try {
    (await slot.instance).closeSync();
  } catch {
    // It never opened: the export that asked for it has had the error.
  }
}
