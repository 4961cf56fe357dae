import { randomBytes } from 'node:crypto';
import type { Selectable } from 'kysely';
import type { OrganisationId } from '../policies/tenant.js';
import type { ExportFileStatus, ExportFilesTable } from '../store/database.types.js';
import type { Store } from '../store/store.js';

export type ExportFileRow = Selectable<ExportFilesTable>;

/** Random, never a counter another organisation could walk; checked before any lookup or path. */
export const EXPORT_ID = /^exp_[A-Za-z0-9_-]{22}$/;

export function newExportId(): string {
  return `exp_${randomBytes(16).toString('base64url')}`;
}

/** Exports listed at most (newest first): the Exports page shows the last ones, not all history. */
export const EXPORTS_LISTED = 100;

const FINISHED: readonly ExportFileStatus[] = ['ready', 'failed', 'cancelled', 'expired'];

/**
 * The `export_files` table (docs/exports.md): every read by a member names the organisation, so an id
 * from another organisation finds nothing; the worker reads by id alone (ids come from its own queue).
 */
export class ExportFiles {
  constructor(private readonly store: Store) {}

  async create(row: ExportFileRow): Promise<void> {
    await this.store.db.insertInto('export_files').values(row).execute();
  }

  /** One export of the organisation, or undefined (another organisation's is not found either). */
  async find(organisation: OrganisationId, id: string): Promise<ExportFileRow | undefined> {
    if (!EXPORT_ID.test(id)) return undefined;
    return this.store.db
      .selectFrom('export_files')
      .selectAll()
      .where('organisation_id', '=', organisation)
      .where('id', '=', id)
      .executeTakeFirst();
  }

  /** The worker's read: by the id its job carries. */
  async byId(id: string): Promise<ExportFileRow | undefined> {
    return this.store.db.selectFrom('export_files').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** Newest first; `requester` limits it to one user's (members), undefined lists everyone's (admins). */
  async list(organisation: OrganisationId, requester: string | undefined): Promise<ExportFileRow[]> {
    let q = this.store.db.selectFrom('export_files').selectAll().where('organisation_id', '=', organisation);
    if (requester !== undefined) q = q.where('requested_by', '=', requester);
    return q.orderBy('created_at', 'desc').orderBy('id').limit(EXPORTS_LISTED).execute();
  }

  /** queued (or a dead worker's running) → running: false when it has finished meanwhile. */
  async start(id: string, rowsTotal: number | null, now: number): Promise<boolean> {
    const r = await this.store.db
      .updateTable('export_files')
      .set({ status: 'running', rows_total: rowsTotal, rows_done: 0, updated_at: now })
      .where('id', '=', id)
      .where('status', 'in', ['queued', 'running'])
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async progress(id: string, rowsDone: number, rowsPerSecond: number, now: number): Promise<void> {
    await this.store.db
      .updateTable('export_files')
      .set({ rows_done: rowsDone, rows_per_second: Math.round(rowsPerSecond), updated_at: now })
      .where('id', '=', id)
      .where('status', '=', 'running')
      .execute();
  }

  /**
   * Ends an unfinished export; a finished one stays as it is (false). Never `ready` once a cancel was
   * accepted: the user was told it is being cancelled, so a file completed meanwhile is not kept
   * (false; the caller deletes it and finishes the export as cancelled).
   */
  async finish(
    id: string,
    outcome:
      | { status: 'ready'; rowsDone: number; bytes: number; expiresAt: number }
      | { status: 'failed' | 'cancelled'; errorCode: string | null },
    now: number,
  ): Promise<boolean> {
    const r = await this.store.db
      .updateTable('export_files')
      .set(
        outcome.status === 'ready'
          ? {
              status: 'ready',
              rows_done: outcome.rowsDone,
              bytes: outcome.bytes,
              expires_at: outcome.expiresAt,
              finished_at: now,
              updated_at: now,
            }
          : { status: outcome.status, error_code: outcome.errorCode, finished_at: now, updated_at: now },
      )
      .where('id', '=', id)
      .where('status', 'not in', FINISHED)
      .$if(outcome.status === 'ready', (q) => q.where('cancel_requested', '=', 0))
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /** Asks the worker to stop; a queued export is cancelled at once. False when already finished. */
  async requestCancel(organisation: OrganisationId, id: string, now: number): Promise<boolean> {
    return this.store.db.transaction().execute(async (tx) => {
      const queued = await tx
        .updateTable('export_files')
        .set({ status: 'cancelled', cancel_requested: 1, finished_at: now, updated_at: now })
        .where('organisation_id', '=', organisation)
        .where('id', '=', id)
        .where('status', '=', 'queued')
        .executeTakeFirst();
      if (Number(queued.numUpdatedRows) === 1) return true;
      const running = await tx
        .updateTable('export_files')
        .set({ cancel_requested: 1, updated_at: now })
        .where('organisation_id', '=', organisation)
        .where('id', '=', id)
        .where('status', '=', 'running')
        .executeTakeFirst();
      return Number(running.numUpdatedRows) === 1;
    });
  }

  async cancelRequested(id: string): Promise<boolean> {
    const row = await this.store.db
      .selectFrom('export_files')
      .select('cancel_requested')
      .where('id', '=', id)
      .executeTakeFirst();
    return row?.cancel_requested === 1;
  }

  /** Ready files past their time, oldest first, a bounded batch at a time. */
  async expired(now: number, limit = 100): Promise<{ id: string; format: string }[]> {
    return this.store.db
      .selectFrom('export_files')
      .select(['id', 'format'])
      .where('status', '=', 'ready')
      .where('expires_at', '<=', now)
      .orderBy('expires_at')
      .limit(limit)
      .execute();
  }

  async markExpired(id: string, now: number): Promise<void> {
    await this.store.db
      .updateTable('export_files')
      .set({ status: 'expired', updated_at: now })
      .where('id', '=', id)
      .where('status', '=', 'ready')
      .execute();
  }
}
