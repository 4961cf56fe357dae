import { z } from 'zod';
import type { JobOptions } from '../queue.js';
import { Task, type TaskContext } from '../task.js';

export type ExportFilePayload = { readonly exportId: string };

/** Writes one export file (the export jobs service); bound when the app is built. */
export type ExportExecutorFn = (exportId: string, context: TaskContext) => Promise<void>;

/**
 * Writes the file of one export job, given its id only (the `export_files` row holds the request).
 * Idempotent: a finished export is left alone; one interrupted by a dead worker starts its file
 * again from the first row (the partial file is replaced), so the user ends with exactly one file.
 */
export class ExportFileTask extends Task<ExportFilePayload> {
  readonly name = 'export-file';
  protected readonly schema = z.object({ exportId: z.string().min(1).max(100) }).strict();
  private executor: ExportExecutorFn | undefined;

  constructor(private readonly timeoutMs: number) {
    super();
  }

  protected override defaults(): JobOptions {
    return { attempts: 5, priority: 80, backoffMs: 2_000, timeoutMs: this.timeoutMs };
  }

  bind(executor: ExportExecutorFn): void {
    this.executor = executor;
  }

  perform(payload: ExportFilePayload, context: TaskContext): Promise<void> {
    if (!this.executor) return Promise.reject(new Error('export-file: no executor in this process'));
    return this.executor(payload.exportId, context);
  }
}
