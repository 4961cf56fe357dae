import { randomBytes } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { Role } from '../../contract/session.schema.js';
import type { UploadPreview, UploadSummary, UploadTargetSummary } from '../../contract/uploads.schema.js';
import { recordAudit, type ActionContext } from '../audit/audit-log.js';
import type { Project } from '../config/project/project.types.js';
import type { UploadFormat } from '../config/project/upload.schema.js';
import type { UploadTarget } from '../config/project/upload.types.js';
import { TrellisError, type ErrorCode } from '../errors.js';
import { roleAtMost } from '../policies/roles.js';
import type { UploadsTable } from '../store/database.types.js';
import type { Store } from '../store/store.js';
import { openDuckDBScratch } from '../query/engines/duckdb/index.js';
import { previewFile } from './preview.js';
import { receiveFile } from './receive-file.js';
import { contentProblem, formatFromName } from './upload-format.js';

/** Who is asking: always from the session, never from the request. */
export interface Uploader {
  readonly organisationId: string;
  readonly userId: string;
  readonly role: Role;
}

export interface UploadMetrics {
  readonly uploads: { inc(labels: { target: string; result: string }): void };
  readonly uploadBytes: { inc(labels: { target: string }, value: number): void };
}

/** What the browser sent: the file's stream and the name it gave. */
export interface IncomingFile {
  readonly stream: Readable;
  readonly fileName: string;
}

const ID = /^upl_[A-Za-z0-9_-]{22}$/;

/**
 * Uploads (docs/uploads.md): the project's upload targets as a role sees them, and files received
 * into the temp folder — one store row per kept file, scoped to the organisation in every query.
 */
export class UploadsService {
  constructor(
    private readonly project: Project,
    private readonly store: Store,
    private readonly tempDir: string,
    private readonly metrics: UploadMetrics,
    private readonly now: () => number = Date.now,
  ) {}

  /** The targets this role may upload to. */
  targets(role: Role): UploadTargetSummary[] {
    return [...this.project.uploads.values()].filter((t) => roleAtMost(t.role, role)).map(targetSummary);
  }

  /** A target the role may use; another is not found, so its existence leaks nothing to a viewer. */
  target(id: string, role: Role): UploadTarget {
    const target = this.project.uploads.get(id);
    if (!target || !roleAtMost(target.role, role)) throw new TrellisError('UPLOAD_TARGET_NOT_FOUND');
    return target;
  }

  /** Where a kept upload's file lies: derived from the checked id only, never from a client name. */
  fileOf(id: string): string {
    if (!ID.test(id)) throw new TrellisError('UPLOAD_NOT_FOUND');
    return path.join(this.tempDir, `${id}.upload`);
  }

  /**
   * Streams the file to the temp folder within the target's byte limit, checks its content against
   * its format, and records it. A refused file leaves nothing behind but its audit row and metric.
   */
  async receive(
    uploader: Uploader,
    targetId: string,
    incoming: IncomingFile,
    context: ActionContext,
  ): Promise<UploadSummary> {
    const target = this.target(targetId, uploader.role);
    const fileName = displayName(incoming.fileName);
    const id = `upl_${randomBytes(16).toString('base64url')}`;
    const file = this.fileOf(id);
    try {
      const format = formatFromName(fileName);
      if (!format || !target.formats.includes(format))
        throw new TrellisError('UPLOAD_FORMAT_NOT_ACCEPTED', {
          message: `This upload target accepts ${target.formats.join(', ')} files.`,
        });
      await mkdir(this.tempDir, { recursive: true, mode: 0o700 });
      const received = await receiveFile(incoming.stream, file, target.limits.bytes);
      if (received.bytes === 0) throw new TrellisError('UPLOAD_EMPTY');
      const problem = contentProblem(format, received.head);
      if (problem) throw new TrellisError('UPLOAD_FORMAT_MISMATCH', { detail: { problem } });

      const at = this.now();
      const row: UploadsTable = {
        id,
        organisation_id: uploader.organisationId,
        target: target.id,
        file_name: fileName,
        format,
        bytes: received.bytes,
        sha256: received.sha256,
        status: 'received',
        error_code: null,
        uploaded_by: uploader.userId,
        created_at: at,
        updated_at: at,
      };
      await this.store.db.transaction().execute(async (tx) => {
        await tx.insertInto('uploads').values(row).execute();
        await recordAudit(tx, at, context, {
          action: 'upload.receive',
          outcome: 'success',
          target: target.id,
          detail: { upload: id, fileName, bytes: received.bytes, sha256: received.sha256 },
        });
      });
      this.metrics.uploads.inc({ target: target.id, result: 'received' });
      this.metrics.uploadBytes.inc({ target: target.id }, received.bytes);
      return summaryOf(row);
    } catch (err) {
      // Whatever failed (the limit, the client, the content, the store), the file does not stay.
      await rm(file, { force: true });
      const code: ErrorCode = err instanceof TrellisError ? err.code : 'INTERNAL';
      this.metrics.uploads.inc({ target: target.id, result: code });
      await recordAudit(this.store.db, this.now(), context, {
        action: 'upload.reject',
        outcome: 'failure',
        target: target.id,
        detail: { fileName, code },
      });
      throw err;
    }
  }

  /** One upload of the organisation; another organisation's id is not found. */
  async get(organisationId: string, id: string): Promise<UploadSummary> {
    const row = await this.row(organisationId, id);
    return summaryOf(row);
  }

  /** The organisation's uploads to one target, newest first (at most 100). */
  async list(uploader: Uploader, targetId: string): Promise<UploadSummary[]> {
    const target = this.target(targetId, uploader.role);
    const rows = await this.store.db
      .selectFrom('uploads')
      .selectAll()
      .where('organisation_id', '=', uploader.organisationId)
      .where('target', '=', target.id)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(100)
      .execute();
    return rows.map(summaryOf);
  }

  /**
   * The first rows of a received file with inferred vs declared types, read by a private in-memory
   * DuckDB that may open the temp folder only (never the serving engine).
   */
  async preview(uploader: Uploader, id: string): Promise<UploadPreview> {
    const row = await this.row(uploader.organisationId, id);
    const target = this.target(row.target, uploader.role);
    if (row.status !== 'received') throw new TrellisError('UPLOAD_NOT_FOUND');
    const db = await openDuckDBScratch(this.tempDir);
    try {
      return await previewFile(db, this.fileOf(id), row.format as UploadFormat, target);
    } finally {
      await db.close();
    }
  }

  private async row(organisationId: string, id: string): Promise<UploadsTable> {
    if (!ID.test(id)) throw new TrellisError('UPLOAD_NOT_FOUND');
    const row = await this.store.db
      .selectFrom('uploads')
      .selectAll()
      .where('organisation_id', '=', organisationId)
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) throw new TrellisError('UPLOAD_NOT_FOUND');
    return row;
  }
}

/** The browser's file name, for display: no path, no control characters, bounded. */
export function displayName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex
  const clean = base.replace(/[\u0000-\u001f\u007f]/g, '').trim();
  return (clean || 'upload').slice(0, 200);
}

function targetSummary(t: UploadTarget): UploadTargetSummary {
  return {
    id: t.id,
    title: t.title,
    ...(t.description ? { description: t.description } : {}),
    mode: t.mode,
    key: [...t.key],
    formats: [...t.formats],
    maxBytes: t.limits.bytes,
    columns: t.columns.map((c) => ({ name: c.name, header: c.header, type: c.type, required: c.required })),
  };
}

function summaryOf(row: UploadsTable): UploadSummary {
  return {
    id: row.id,
    target: row.target,
    fileName: row.file_name,
    format: row.format as UploadSummary['format'],
    bytes: Number(row.bytes),
    sha256: row.sha256,
    status: row.status,
    errorCode: row.error_code,
    uploadedBy: row.uploaded_by,
    createdAt: new Date(Number(row.created_at)).toISOString(),
  };
}
