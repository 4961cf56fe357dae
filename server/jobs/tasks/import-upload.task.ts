import { z } from 'zod';
import type { JobOptions } from '../queue.js';
import { Task, type TaskContext } from '../task.js';

/** The upload's id and who asked (for the audit rows the worker writes in their name). */
export type ImportUploadPayload = {
  readonly uploadId: string;
  readonly actor: string;
  readonly ip: string | null;
  readonly requestId: string | null;
};

/** Imports one upload (the uploads service); bound when the app is built. */
export type ImportUploadFn = (payload: ImportUploadPayload, context: TaskContext) => Promise<void>;

/**
 * Imports one received upload into a new version of its target (docs/uploads.md, "Several
 * instances"), given the upload's id: the `uploads` row holds the rest. Idempotent: an upload
 * already imported, rejected or failed is left alone; an attempt whose worker died mid-import is
 * settled by the next attempt — the version recorded when the engine already serves it, else the
 * import done again (or, on the last attempt, the upload failed cleanly). Failures of the import
 * itself are recorded on the upload, not retried: the same file would fail the same way.
 */
export class ImportUploadTask extends Task<ImportUploadPayload> {
  readonly name = 'import-upload';
  protected readonly schema = z
    .object({
      uploadId: z.string().min(1).max(100),
      actor: z.string().min(1).max(100),
      ip: z.string().max(100).nullable(),
      requestId: z.string().max(200).nullable(),
    })
    .strict();
  private executor: ImportUploadFn | undefined;

  constructor(private readonly timeoutMs: number) {
    super();
  }

  protected override defaults(): JobOptions {
    // Ahead of exports and deliveries: a person watches the Data page while it waits.
    return { attempts: 3, priority: 50, backoffMs: 2_000, timeoutMs: this.timeoutMs };
  }

  bind(executor: ImportUploadFn): void {
    this.executor = executor;
  }

  perform(payload: ImportUploadPayload, context: TaskContext): Promise<void> {
    if (!this.executor) return Promise.reject(new Error('import-upload: no executor in this process'));
    return this.executor(payload, context);
  }
}
