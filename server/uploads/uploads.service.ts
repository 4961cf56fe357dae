import { randomBytes } from 'node:crypto';
import { access, mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { Role } from '../../contract/session.schema.js';
import type {
  UploadImportResult,
  UploadPreview,
  UploadProfile,
  UploadReport,
  UploadSummary,
  UploadTargetSummary,
  UploadVersion,
} from '../../contract/uploads.schema.js';
import { recordAudit, type ActionContext } from '../audit/audit-log.js';
import type { HeldLock, ResourceLocks } from '../jobs/coordination/resource-locks.js';
import type { JobStatus, QueuedJob } from '../jobs/queue.js';
import type { ImportUploadPayload } from '../jobs/tasks/import-upload.task.js';
import type { Project } from '../config/project/project.types.js';
import type { UploadFormat } from '../config/project/upload.schema.js';
import type { UploadTarget } from '../config/project/upload.types.js';
import { TrellisError, type ErrorCode } from '../errors.js';
import { roleAtMost } from '../policies/roles.js';
import type { Kysely } from 'kysely';
import type {
  Database,
  UploadReportsTable,
  UploadsTable,
  UploadVersionsTable,
} from '../store/database.types.js';
import type { Store } from '../store/store.js';
import { openDuckDBScratch, openDuckDBUploadCheck } from '../query/engines/duckdb/index.js';
import { discardStaleVersionSession, openVersionWriter, versionTargetOf } from '../query/engines/index.js';
import { MAX_STORED_FAILURES, type UploadCheck } from '../query/upload-check.js';
import { VersionSchemaError, type VersionTarget, type VersionWriter } from '../query/version-writer.js';
import { csvDataLine } from '../audit/csv.js';
import { previewFile } from './preview.js';
import { blockedBy, fileProblems, storeReport, type FileProblem } from './upload-reports.js';
import { receiveFile } from './receive-file.js';
import { removeUploadFiles, sweepUploadFolder } from './upload-folder-sweep.js';
import { contentProblem, formatFromName } from './upload-format.js';
import { transcodeToUtf8, type UploadEncoding } from './transcode-text.js';
import { xlsxToCsv } from './xlsx-to-csv.js';

/** Who is asking: always from the session, never from the request. */
export interface Uploader {
  readonly organisationId: string;
  /** The value of the tenant column (the organisation's slug, as the query compiler filters on it). */
  readonly tenant: string;
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
  /** XLSX: the sheet to read (by name); by default the first visible one. */
  readonly sheet?: string | undefined;
  /** Text files: the encoding, or `auto` (default) to detect it. */
  readonly encoding?: UploadEncoding | undefined;
}

/** What imports need besides the store: where data goes and how readers learn of it. */
export interface UploadImports {
  /** The existing invalidation path (JobSystem publications): reopen replaced files, bump datasets. */
  readonly publish: (datasets: readonly string[]) => Promise<void>;
  /** DuckDB settings of the import session (the pipelines' ingest settings). */
  readonly ingest: { readonly memoryLimit: string; readonly threads: number };
  /**
   * The named locks every instance shares (the store's): imports and rollbacks of one source hold
   * `upload-source:<source>`, so two instances never work on one served file at once. Without it
   * they are serialised within this process only.
   */
  readonly locks?: ResourceLocks;
  /**
   * How long a killed holder's source and target locks outlive it (default 15 s; renewed every third
   * of it while held). The composition root caps it by the worker lease (TRELLIS_WORKER_LEASE), the
   * same promise the queue makes about a killed worker's jobs.
   */
  readonly lockTtlMs?: number;
  /** The environment snapshot (AppConfig.environment): resolves the `url_env` of PostgreSQL and MySQL targets. */
  readonly environment?: Readonly<Record<string, string>>;
  /**
   * The job queue imports go through (jobs/tasks/import-upload.task.ts): an import request enqueues
   * a job and a worker — of this instance or another — runs `runImport`. `state` answers start-up
   * recovery (is the upload's job still alive?).
   */
  readonly queue?: {
    readonly enqueue: (payload: ImportUploadPayload) => Promise<{ readonly id: string }>;
    readonly state: (jobId: string) => Promise<JobStatus | undefined>;
  };
}

/** Who an import is for, as the worker knows it (the upload's row and the job's payload). */
type ImportOwner = Pick<Uploader, 'organisationId' | 'tenant' | 'userId'>;

/**
 * How long a held source lock lives without renewal (renewed every third of it while held; a killed
 * holder's is free after one TTL, so imports after a crash wait seconds), and how long an import
 * waits for it.
 */
const SOURCE_LOCK = { ttlMs: 15_000, maxWaitMs: 10 * 60_000 } as const;
/** The shortest lock TTL taken (a renewal every third of it must survive a busy event loop). */
const MIN_LOCK_TTL_MS = 5_000;
/**
 * The lock of one organisation's target (`upload-target:<organisation>:<target>`), held by the worker
 * for a whole import: the organisation's imports into a target run one after the other, the later
 * waiting its turn (queued). Its wait is long: an import ahead may be a large file.
 */
const TARGET_LOCK = { ttlMs: 15_000, maxWaitMs: 30 * 60_000 } as const;
/**
 * An import's lease: short, so recovery after a crash waits seconds, not minutes; recovery waits for
 * a held one up to three TTLs (a dead holder's is free after one).
 */
const IMPORT_LEASE = { ttlMs: 10_000, maxWaitMs: 30_000 } as const;

/** What start-up recovery did (the caller logs it). */
export interface UploadRecovery {
  readonly settled: readonly { readonly upload: string; readonly outcome: 'recorded' | 'failed' }[];
  readonly removedFiles: readonly string[];
  readonly failures: readonly { readonly upload: string; readonly error: unknown }[];
}

const ID = /^upl_[A-Za-z0-9_-]{22}$/;
/**
 * The checking DuckDB's memory limit (its buffer pool). Its database is a file in the session's spill
 * folder, so the file's table lives compressed on disk and work past the limit spills there: a large
 * file costs disk, not server memory (bench `uploads`).
 */
export const CHECK_MEMORY_LIMIT = '32MB';
/** …and at least this many MB per column of the file (+ 8 MB): a wide file pins more blocks at once. */
export const CHECK_MEMORY_PER_COLUMN_MB = 3;
/** Failures per report page, at most. */
export const MAX_REPORT_PAGE = 500;

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
    private readonly imports?: UploadImports,
  ) {}

  /**
   * Imports and rollbacks of one source file run one at a time in this process: a DuckDB session
   * copies the whole served file, so two at once would lose one another's work.
   */
  private readonly lanes = new Map<string, Promise<unknown>>();

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
      const problem = contentProblem(format, received.head, incoming.encoding);
      if (problem) throw new TrellisError('UPLOAD_FORMAT_MISMATCH', { detail: { problem } });
      const readAs = await normalise(file, format, target, incoming);

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
        import_job: null,
        import_started_at: null,
        import_result: null,
      };
      await this.store.db.transaction().execute(async (tx) => {
        await tx.insertInto('uploads').values(row).execute();
        await recordAudit(tx, at, context, {
          action: 'upload.receive',
          outcome: 'success',
          target: target.id,
          detail: {
            upload: id,
            fileName,
            bytes: received.bytes,
            sha256: received.sha256,
            ...(readAs.sheet ? { sheet: readAs.sheet } : {}),
            ...(readAs.encoding ? { encoding: readAs.encoding } : {}),
          },
        });
      });
      this.metrics.uploads.inc({ target: target.id, result: 'received' });
      this.metrics.uploadBytes.inc({ target: target.id }, received.bytes);
      return { ...summaryOf(row), readAs };
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

  /**
   * One upload of the organisation; another organisation's id is not found. A queued one says how
   * many of the organisation's imports into its target run before it (running, or asked for earlier).
   */
  async get(organisationId: string, id: string): Promise<UploadSummary> {
    const row = await this.row(organisationId, id);
    const summary = summaryOf(row);
    if (summary.status !== 'queued') return summary;
    const ahead = await this.store.db
      .selectFrom('uploads')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('organisation_id', '=', organisationId)
      .where('target', '=', row.target)
      .where('status', '=', 'importing')
      .where('id', '!=', row.id)
      .where((eb) => eb.or([eb('import_started_at', 'is not', null), eb('updated_at', '<', row.updated_at)]))
      .executeTakeFirst();
    return { ...summary, ahead: Number(ahead?.n ?? 0) };
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

  /** The profile of every column (computed once by DuckDB with the report, then kept). */
  async profile(uploader: Uploader, id: string): Promise<UploadProfile> {
    const row = await this.row(uploader.organisationId, id);
    const target = this.target(row.target, uploader.role);
    const kept = await this.storedReport(uploader.organisationId, id);
    if (kept?.profile) return storedProfile(kept.profile);
    if (row.status !== 'received') throw new TrellisError('UPLOAD_NOT_FOUND');
    const report = await this.computeReport(row, target);
    return storedProfile(report.profile ?? 'null');
  }

  /** One page of the validation report (computed once, then paged from the store). */
  async report(uploader: Uploader, id: string, offset: number, limit: number): Promise<UploadReport> {
    const row = await this.row(uploader.organisationId, id);
    const target = this.target(row.target, uploader.role);
    const report = await this.ensureReport(row, target);
    const page = Math.min(Math.max(1, limit), MAX_REPORT_PAGE);
    const from = Math.max(0, offset);
    const failures = await this.store.db
      .selectFrom('upload_failures')
      .select(['row_number', 'column_name', 'value', 'rule'])
      .where('upload_id', '=', row.id)
      .where('seq', '>=', from)
      .orderBy('seq')
      .limit(page)
      .execute();
    return {
      ...reportHead(report, target),
      page: { offset: from, limit: page },
      failures: failures.map((f) => ({
        row: Number(f.row_number),
        column: f.column_name,
        value: f.value,
        rule: f.rule as UploadReport['failures'][number]['rule'],
      })),
    };
  }

  /** The stored failures as CSV lines (formula cells defused like every export), streamed in pages. */
  async *reportCsv(uploader: Uploader, id: string): AsyncGenerator<string> {
    const row = await this.row(uploader.organisationId, id);
    const target = this.target(row.target, uploader.role);
    const report = await this.ensureReport(row, target);
    yield csvDataLine(['row', 'column', 'value', 'rule']);
    for (const p of JSON.parse(report.problems) as FileProblem[])
      yield csvDataLine(['', p.column, null, p.rule]);
    for (let seq = 0; ; seq += 1000) {
      const page = await this.store.db
        .selectFrom('upload_failures')
        .select(['row_number', 'column_name', 'value', 'rule'])
        .where('upload_id', '=', row.id)
        .where('seq', '>=', seq)
        .where('seq', '<', seq + 1000)
        .orderBy('seq')
        .execute();
      if (page.length === 0) break;
      yield page.map((f) => csvDataLine([Number(f.row_number), f.column_name, f.value, f.rule])).join('');
    }
    if (Number(report.failures_total) > Number(report.failures_stored))
      yield csvDataLine([
        '',
        '',
        `… and ${Number(report.failures_total) - Number(report.failures_stored)} more failures (only the first ${MAX_STORED_FAILURES} are kept)`,
        '',
      ]);
  }

  /**
   * Asks for an import (docs/uploads.md, "Several instances"). The report must let the file in —
   * else it is rejected now (UPLOAD_INVALID), as before, nothing imported. Then the upload becomes
   * `importing` without a start (`queued` on the wire) and a job on the queue imports it: a worker of
   * any instance, reading the file from the shared upload folder (`runImport`). Answers the upload's
   * state at once; its page polls GET /uploads/:id until it is imported or failed.
   */
  async requestImport(uploader: Uploader, id: string, context: ActionContext): Promise<UploadSummary> {
    const row = await this.row(uploader.organisationId, id);
    const target = this.target(row.target, uploader.role);
    const queue = this.importsOrFail(target).queue;
    if (!queue) throw new Error(`uploads: imports into ${target.id} have no job queue in this process`);
    if (row.status !== 'received') throw new TrellisError('UPLOAD_ALREADY_IMPORTED');
    try {
      const head = reportHead(await this.ensureReport(row, target), target);
      if (!head.importable)
        throw new TrellisError('UPLOAD_INVALID', {
          ...(head.blockedBy ? { message: `${head.blockedBy} Nothing was imported.` } : {}),
          detail: { upload: id, invalidRows: head.invalidRows, problems: head.problems },
        });
    } catch (err) {
      throw await this.recordFailure(row, target.id, err, context);
    }
    // The lease covers the claim until the job is named on the row: start-up recovery on any instance
    // judges an `importing` upload without a job only once its lease is free.
    const lease = await this.importLease(id, 'fail').catch((err: unknown) => {
      if (err instanceof TrellisError && err.code === 'PIPELINE_LOCK_BUSY')
        throw new TrellisError('UPLOAD_ALREADY_IMPORTED');
      throw err;
    });
    try {
      const claimed = await this.store.db
        .updateTable('uploads')
        .set({ status: 'importing', import_started_at: null, updated_at: this.now() })
        .where('id', '=', id)
        .where('organisation_id', '=', uploader.organisationId)
        .where('status', '=', 'received')
        .executeTakeFirst();
      if (Number(claimed.numUpdatedRows) !== 1) throw new TrellisError('UPLOAD_ALREADY_IMPORTED');
      let job: { readonly id: string };
      try {
        job = await queue.enqueue({
          uploadId: id,
          actor: context.actor ?? uploader.userId,
          ip: context.ip,
          requestId: context.requestId,
        });
      } catch (err) {
        // Not queued (QUEUE_FULL, the store): the upload may be imported later, as it was.
        await this.store.db
          .updateTable('uploads')
          .set({ status: 'received', updated_at: this.now() })
          .where('id', '=', id)
          .where('status', '=', 'importing')
          .where('import_job', 'is', null)
          .execute();
        throw err;
      }
      await this.store.db.updateTable('uploads').set({ import_job: job.id }).where('id', '=', id).execute();
    } finally {
      await lease?.release();
    }
    return this.get(uploader.organisationId, id);
  }

  /**
   * The worker's import of one upload (jobs/tasks/import-upload.task.ts), given its id and who
   * asked. Under the lock of the organisation's target, so its imports into one target never
   * interleave: the later waits (queued) until the earlier is imported or failed. An attempt that
   * finds the import begun (its worker died mid-import, or the attempt ran out of time) records the
   * version if the engine already serves it, else imports again — or, on the last attempt, fails the
   * upload cleanly (UPLOAD_IMPORT_INTERRUPTED). The served version is always a complete one: an
   * import is one commit (version-writer.ts). Failures of the import are recorded on the upload
   * (status, error code, audit); a catalogued one ends the job, anything else is thrown on (the
   * job's error).
   */
  async runImport(payload: ImportUploadPayload, job: Pick<QueuedJob, 'id' | 'attempt' | 'maxAttempts'>) {
    const found = await this.stuckRow(payload.uploadId);
    if (!found) return;
    const { tenant, row } = found;
    const context: ActionContext = {
      actor: payload.actor,
      ip: payload.ip,
      requestId: payload.requestId,
      organisationId: row.organisation_id,
    };
    const target = this.project.uploads.get(row.target);
    if (!target) {
      await this.recordFailure(row, row.target, new TrellisError('UPLOAD_TARGET_NOT_FOUND'), context);
      return;
    }
    const imports = this.importsOrFail(target);
    const owner: ImportOwner = { organisationId: row.organisation_id, tenant, userId: payload.actor };
    const targetLock = this.lockSpec(TARGET_LOCK);
    await this.withLock(`upload-target:${row.organisation_id}:${target.id}`, targetLock, async () => {
      const current = await this.stuckRow(row.id);
      if (!current) return;
      if (current.row.import_started_at !== null) {
        if (await this.recordIfServed(current.row, tenant, context)) return;
        if (job.attempt >= job.maxAttempts) {
          await this.failInterrupted(current.row, context);
          return;
        }
      }
      await this.store.db
        .updateTable('uploads')
        .set({ import_started_at: this.now(), import_job: job.id, updated_at: this.now() })
        .where('id', '=', row.id)
        .execute();
      try {
        await this.importClaimed(owner, current.row, target, imports, context);
      } catch (err) {
        // A catalogued failure was recorded on the upload (status, code, audit) and ends the job.
        // Anything else is thrown on: the job's error (logged, kept on the job) says what happened;
        // its next attempt finds the upload settled — or, if the store failed to record it, settles it.
        if (err instanceof TrellisError && (await this.stuckRow(row.id)) === null) return;
        throw err;
      }
    });
  }

  /** An upload still `importing`, with its organisation's slug (the tenant); null otherwise. */
  private async stuckRow(id: string): Promise<{ row: UploadsTable; tenant: string } | null> {
    const found = await this.store.db
      .selectFrom('uploads')
      .innerJoin('organisations', 'organisations.id', 'uploads.organisation_id')
      .selectAll('uploads')
      .select('organisations.slug as tenant')
      .where('uploads.id', '=', id)
      .where('uploads.status', '=', 'importing')
      .executeTakeFirst();
    if (!found) return null;
    const { tenant, ...row } = found;
    return { tenant, row };
  }

  /**
   * The import proper, of an upload claimed (`importing`) by this worker: rows file, then under the
   * source's lane the engine's one commit, the store's records, the publication. A failure is
   * recorded on the upload (rejected or failed) and thrown.
   */
  private async importClaimed(
    uploader: ImportOwner,
    row: UploadsTable,
    target: UploadTarget,
    imports: UploadImports,
    context: ActionContext,
  ): Promise<UploadImportResult> {
    const id = row.id;
    const rowsFile = this.rowsFileOf(id);
    try {
      const report = await this.ensureReport(row, target);
      const head = reportHead(report, target);
      if (!head.importable) {
        throw new TrellisError('UPLOAD_INVALID', {
          ...(head.blockedBy ? { message: `${head.blockedBy} Nothing was imported.` } : {}),
          detail: { upload: id, invalidRows: head.invalidRows, problems: head.problems },
        });
      }
      if (!(await exists(rowsFile)))
        await this.withCheck(row, target, async (check) => {
          await check.validate();
          await this.writeRowsFile(check, rowsFile);
        });
      const result = await this.inLane(target.source, async () => {
        const version = (await this.lastVersion(uploader.organisationId, target.id)) + 1;
        const writer = await this.openWriter(target, imports);
        let rows: number;
        let previousRows: number | null = null;
        let removed: number[] = [];
        try {
          const previous = await writer.currentVersion(uploader.tenant);
          if (previous !== null) previousRows = await writer.count(uploader.tenant, previous);
          rows = await writer.importVersion(uploader.tenant, version, target.mode, rowsFile);
          removed = await this.retention(uploader, target, version, writer);
          await writer.publish();
        } finally {
          await writer.close();
        }
        const at = this.now();
        const versionRow: UploadVersionsTable = {
          organisation_id: uploader.organisationId,
          target: target.id,
          version,
          upload_id: id,
          file_name: row.file_name,
          rows,
          checksum: row.sha256,
          mode: target.mode,
          status: 'current',
          created_by: uploader.userId,
          created_at: at,
        };
        const result: UploadImportResult = {
          version: versionOf(versionRow),
          rowDiff: previousRows === null ? null : rows - previousRows,
          skippedRows: head.invalidRows,
        };
        // Readers first (every instance reopens and invalidates), then the record: whoever sees the
        // upload imported — its page polls it — reads the new version. A kill between the two leaves
        // the version served and unrecorded, which the next attempt or recovery records.
        await imports.publish(target.datasets);
        await this.store.db.transaction().execute(async (tx) => {
          await demoteCurrent(tx, uploader.organisationId, target.id);
          if (removed.length)
            await tx
              .updateTable('upload_versions')
              .set({ status: 'removed' })
              .where('organisation_id', '=', uploader.organisationId)
              .where('target', '=', target.id)
              .where('version', 'in', removed)
              .execute();
          await tx.insertInto('upload_versions').values(versionRow).execute();
          await tx
            .updateTable('uploads')
            .set({ status: 'imported', import_result: JSON.stringify(result), updated_at: at })
            .where('id', '=', id)
            .where('organisation_id', '=', uploader.organisationId)
            .execute();
          await recordAudit(tx, at, context, {
            action: 'upload.import',
            outcome: 'success',
            target: target.id,
            detail: { upload: id, version, rows, skippedRows: head.invalidRows, mode: target.mode },
          });
        });
        return result;
      });
      this.metrics.uploads.inc({ target: target.id, result: 'imported' });
      await removeUploadFiles(this.tempDir, id);
      return result;
    } catch (err) {
      throw await this.recordFailure(row, target.id, err, context);
    } finally {
      await rm(rowsFile, { force: true });
    }
  }

  /**
   * An import (or its request) that failed: the upload rejected (its content) or failed (anything
   * else), audited and counted, its files removed. Returns the error to throw (a schema conflict as
   * its catalogued code).
   */
  private async recordFailure(
    row: UploadsTable,
    targetId: string,
    err: unknown,
    context: ActionContext,
  ): Promise<unknown> {
    const code: ErrorCode = err instanceof TrellisError ? err.code : 'INTERNAL';
    const rejected =
      code === 'UPLOAD_INVALID' || code === 'UPLOAD_TOO_MANY_COLUMNS' || code === 'UPLOAD_UNREADABLE';
    const at = this.now();
    await this.store.db.transaction().execute(async (tx) => {
      await tx
        .updateTable('uploads')
        .set({ status: rejected ? 'rejected' : 'failed', error_code: code, updated_at: at })
        .where('id', '=', row.id)
        .where('organisation_id', '=', row.organisation_id)
        .execute();
      await recordAudit(tx, at, context, {
        action: rejected ? 'upload.reject' : 'upload.import',
        outcome: 'failure',
        target: targetId,
        detail: { upload: row.id, fileName: row.file_name, code },
      });
    });
    this.metrics.uploads.inc({ target: targetId, result: code });
    await removeUploadFiles(this.tempDir, row.id);
    if (err instanceof VersionSchemaError)
      return new TrellisError('UPLOAD_TARGET_CONFLICT', { detail: { cause: err.message } });
    return err;
  }

  /** An import whose importer died and that is not tried again: failed, the previous version served. */
  private async failInterrupted(row: UploadsTable, context: ActionContext): Promise<void> {
    const at = this.now();
    await this.store.db.transaction().execute(async (tx) => {
      await tx
        .updateTable('uploads')
        .set({ status: 'failed', error_code: 'UPLOAD_IMPORT_INTERRUPTED', updated_at: at })
        .where('id', '=', row.id)
        .where('status', '=', 'importing')
        .execute();
      await recordAudit(tx, at, context, {
        action: 'upload.import',
        outcome: 'failure',
        target: row.target,
        detail: { upload: row.id, fileName: row.file_name, code: 'UPLOAD_IMPORT_INTERRUPTED' },
      });
    });
    this.metrics.uploads.inc({ target: row.target, result: 'UPLOAD_IMPORT_INTERRUPTED' });
    await removeUploadFiles(this.tempDir, row.id);
  }

  /**
   * When the engine already serves the version an interrupted import was making (the kill fell
   * between the engine's commit and the store's), records it as the import would have, and
   * publishes; true then. Under the source's lane, so no live import is mid-way.
   */
  private async recordIfServed(row: UploadsTable, tenant: string, context: ActionContext): Promise<boolean> {
    const target = this.project.uploads.get(row.target);
    const imports = this.imports;
    if (!target || !imports) return false;
    const org = row.organisation_id;
    const recorded = await this.inLane(target.source, async () => {
      const version = (await this.lastVersion(org, target.id)) + 1;
      const writer = await this.openWriter(target, imports);
      try {
        if ((await writer.currentVersion(tenant)) !== version) return false;
        const rows = await writer.count(tenant, version);
        const at = this.now();
        const versionRow: UploadVersionsTable = {
          organisation_id: org,
          target: target.id,
          version,
          upload_id: row.id,
          file_name: row.file_name,
          rows,
          checksum: row.sha256,
          mode: target.mode,
          status: 'current',
          created_by: row.uploaded_by,
          created_at: at,
        };
        // The previous version's rows are not known any more: no row difference.
        const report = await this.storedReport(org, row.id);
        const result: UploadImportResult = {
          version: versionOf(versionRow),
          rowDiff: null,
          skippedRows: Number(report?.invalid_rows ?? 0),
        };
        await imports.publish(target.datasets);
        await this.store.db.transaction().execute(async (tx) => {
          await demoteCurrent(tx, org, target.id);
          await tx.insertInto('upload_versions').values(versionRow).execute();
          await tx
            .updateTable('uploads')
            .set({ status: 'imported', import_result: JSON.stringify(result), updated_at: at })
            .where('id', '=', row.id)
            .execute();
          await recordAudit(tx, at, context, {
            action: 'upload.import',
            outcome: 'success',
            target: target.id,
            detail: { upload: row.id, version, rows, mode: target.mode, recovered: true },
          });
        });
        return true;
      } finally {
        await writer.close();
      }
    });
    if (!recorded) return false;
    this.metrics.uploads.inc({ target: target.id, result: 'imported' });
    await removeUploadFiles(this.tempDir, row.id);
    return true;
  }

  /** The organisation's versions of a target, newest first (removed ones included, marked). */
  async versions(uploader: Uploader, targetId: string): Promise<UploadVersion[]> {
    const target = this.target(targetId, uploader.role);
    const rows = await this.store.db
      .selectFrom('upload_versions')
      .selectAll()
      .where('organisation_id', '=', uploader.organisationId)
      .where('target', '=', target.id)
      .orderBy('version', 'desc')
      .limit(200)
      .execute();
    return rows.map(versionOf);
  }

  /** Row counts of two versions of the organisation (as recorded at import). */
  async diff(uploader: Uploader, targetId: string, from: number, to: number) {
    const target = this.target(targetId, uploader.role);
    const rows = await this.store.db
      .selectFrom('upload_versions')
      .select(['version', 'rows'])
      .where('organisation_id', '=', uploader.organisationId)
      .where('target', '=', target.id)
      .where('version', 'in', [from, to])
      .execute();
    const a = rows.find((r) => Number(r.version) === from);
    const b = rows.find((r) => Number(r.version) === to);
    if (!a || !b) throw new TrellisError('UPLOAD_VERSION_NOT_FOUND');
    return {
      from,
      to,
      fromRows: Number(a.rows),
      toRows: Number(b.rows),
      difference: Number(b.rows) - Number(a.rows),
    };
  }

  /** Roll back: the pointer names an older kept version, in one commit; audited; readers refreshed. */
  async rollback(
    uploader: Uploader,
    targetId: string,
    version: number,
    context: ActionContext,
  ): Promise<UploadVersion> {
    const target = this.target(targetId, uploader.role);
    const imports = this.importsOrFail(target);
    const row = await this.store.db
      .selectFrom('upload_versions')
      .selectAll()
      .where('organisation_id', '=', uploader.organisationId)
      .where('target', '=', target.id)
      .where('version', '=', version)
      .executeTakeFirst();
    if (!row || row.status === 'removed') throw new TrellisError('UPLOAD_VERSION_NOT_FOUND');
    return this.inLane(target.source, async () => {
      const writer = await this.openWriter(target, imports);
      try {
        if (!(await writer.switchTo(uploader.tenant, version)))
          throw new TrellisError('UPLOAD_VERSION_NOT_FOUND');
        await writer.publish();
      } finally {
        await writer.close();
      }
      const at = this.now();
      await this.store.db.transaction().execute(async (tx) => {
        await demoteCurrent(tx, uploader.organisationId, target.id);
        await tx
          .updateTable('upload_versions')
          .set({ status: 'current' })
          .where('organisation_id', '=', uploader.organisationId)
          .where('target', '=', target.id)
          .where('version', '=', version)
          .execute();
        await recordAudit(tx, at, context, {
          action: 'upload.rollback',
          outcome: 'success',
          target: target.id,
          detail: { version },
        });
      });
      this.metrics.uploads.inc({ target: target.id, result: 'rolled_back' });
      await imports.publish(target.datasets);
      return versionOf({ ...row, status: 'current' });
    });
  }

  /**
   * Before a target's first import its view does not exist, and a dataset on it would fail. At
   * start, each DuckDB target whose table the engine cannot describe gets its (empty) storage table,
   * pointer table and view, published like an import. Returns the failures (the caller logs them;
   * one bad target does not stop the server).
   */
  async prepareTargets(
    describe: (source: string, table: string) => Promise<unknown>,
  ): Promise<{ target: string; error: unknown }[]> {
    const failures: { target: string; error: unknown }[] = [];
    for (const target of this.project.uploads.values()) {
      if (!this.imports) continue;
      try {
        await describe(target.source, target.table);
        continue;
      } catch {
        // Not there yet: prepared below.
      }
      try {
        const imports = this.imports;
        await this.inLane(target.source, async () => {
          const writer = await this.openWriter(target, imports);
          try {
            await writer.publish();
          } finally {
            await writer.close();
          }
        });
        await this.imports.publish(target.datasets);
      } catch (error) {
        failures.push({ target: target.id, error });
      }
    }
    return failures;
  }

  /**
   * Start-up recovery (docs/uploads.md, "Crashes"): what a process killed mid-import left behind.
   * An upload `importing` under a job is the queue's: its next attempt settles it (runImport). One
   * whose job is gone or failed for good, or one claimed by a request that died before it named its
   * job (its lease expired — a live request keeps renewing it), is settled here: when the engine
   * already serves its version (the kill fell between the engine's commit and the store's) the
   * version is recorded, as the import would have; otherwise it failed (UPLOAD_IMPORT_INTERRUPTED)
   * and the served version is the previous one, untouched. Then each DuckDB source's stale session
   * copy is discarded, and our leftovers in the upload folder (upload-folder-sweep.ts) removed.
   * Never throws for one upload.
   */
  async recover(context: ActionContext): Promise<UploadRecovery> {
    const settled: UploadRecovery['settled'][number][] = [];
    const failures: UploadRecovery['failures'][number][] = [];
    const stuck = await this.store.db
      .selectFrom('uploads')
      .select(['id', 'import_job'])
      .where('status', '=', 'importing')
      .execute();
    for (const { id, import_job: job } of stuck) {
      try {
        const outcome = await this.settleStuckImport(id, job, context);
        if (outcome) settled.push({ upload: id, outcome });
      } catch (error) {
        failures.push({ upload: id, error });
      }
    }
    if (this.imports) {
      const imports = this.imports;
      const sources = new Set(
        [...this.project.uploads.values()].filter((t) => t.sourceType === 'duckdb').map((t) => t.source),
      );
      for (const source of sources) {
        const target = [...this.project.uploads.values()].find((t) => t.source === source);
        if (!target) continue;
        try {
          // Under the source's lock no live session owns a copy: one found is a dead session's.
          await this.inLane(source, () => discardStaleVersionSession(this.versionTarget(target, imports)));
        } catch (error) {
          failures.push({ upload: `source:${source}`, error });
        }
      }
    }
    const swept = await sweepUploadFolder(
      this.tempDir,
      async (ids) => {
        const rows = await this.store.db
          .selectFrom('uploads')
          .select('id')
          .where('id', 'in', [...ids])
          .where('status', 'in', ['received', 'importing'])
          .execute();
        return new Set(rows.map((r) => r.id));
      },
      this.now(),
    );
    return { settled, removedFiles: swept.removed, failures };
  }

  /**
   * One stuck import: left alone while its job may still run it; else settled once its importer is
   * gone — the claim's lease free (at most a lease's TTL after its death), and no worker holding the
   * target's lock.
   */
  private async settleStuckImport(
    id: string,
    job: string | null,
    context: ActionContext,
  ): Promise<'recorded' | 'failed' | null> {
    if (job !== null) {
      const state = await this.imports?.queue?.state(job);
      if (state === 'queued' || state === 'active') return null;
    }
    const lease = await this.importLease(id, 'queue').catch((err: unknown) => {
      // Still held after the wait: a live request on another instance, not ours to settle.
      if (err instanceof TrellisError && err.code === 'PIPELINE_LOCK_BUSY') return 'busy' as const;
      throw err;
    });
    if (lease === 'busy') return null;
    try {
      const found = await this.stuckRow(id);
      if (!found) return null;
      const { row, tenant } = found;
      // Audited in the upload's organisation, by nobody (the process itself).
      const audit: ActionContext = { ...context, organisationId: row.organisation_id };
      const settle = async () => {
        const current = await this.stuckRow(id);
        if (!current) return null;
        if (await this.recordIfServed(current.row, tenant, audit)) return 'recorded' as const;
        await this.failInterrupted(current.row, audit);
        return 'failed' as const;
      };
      if (!this.imports?.locks) return await settle();
      return await this.withLock(
        `upload-target:${row.organisation_id}:${row.target}`,
        this.lockSpec(TARGET_LOCK),
        settle,
        'fail',
      );
    } catch (err) {
      // A worker holds the target's lock: it is importing this upload or one before it.
      if (err instanceof TrellisError && err.code === 'PIPELINE_LOCK_BUSY') return null;
      throw err;
    } finally {
      await lease?.release();
    }
  }

  /**
   * The lease of one upload's import (a store lock renewed while held, free IMPORT_LEASE.ttlMs after
   * its holder dies). Null without shared locks: then only this process imports, and at its start
   * nothing is importing.
   */
  private async importLease(id: string, wait: 'fail' | 'queue'): Promise<HeldLock | null> {
    const locks = this.imports?.locks;
    if (!locks) return null;
    return locks.acquire(
      { name: `upload-import:${id}`, wait, ...IMPORT_LEASE },
      `upload-${randomBytes(6).toString('hex')}`,
      new AbortController().signal,
      () => {},
    );
  }

  private importsOrFail(target: UploadTarget): UploadImports {
    if (!this.imports)
      throw new Error(`uploads: imports into ${target.id} are not configured in this process`);
    return this.imports;
  }

  /** Where the target's versioned table lives, by the engine seam: a DuckDB file or a database server. */
  private versionTarget(target: UploadTarget, imports: UploadImports): VersionTarget {
    const source = this.project.sources.get(target.source);
    if (!source) throw new Error(`upload ${target.id}: source ${target.source} is not in the project`);
    return versionTargetOf(source, this.project.dir, imports.environment ?? {}, {
      readDir: this.tempDir,
      memoryLimit: imports.ingest.memoryLimit,
      threads: imports.ingest.threads,
    });
  }

  private async openWriter(target: UploadTarget, imports: UploadImports): Promise<VersionWriter> {
    try {
      // The engine seam maps the source to its versioned tables: a DuckDB file, or a PostgreSQL/MySQL database.
      return await openVersionWriter(this.versionTarget(target, imports), {
        target: target.id,
        table: target.table,
        tenantColumn: target.tenantColumn,
        columns: target.columns.map((c) => ({ name: c.name, type: c.type })),
        key: target.key,
      });
    } catch (err) {
      if (err instanceof VersionSchemaError)
        throw new TrellisError('UPLOAD_TARGET_CONFLICT', { detail: { cause: err.message } });
      throw err;
    }
  }

  /** Versions beyond keep_versions (newest kept, the new one counted) lose their rows. */
  private async retention(
    uploader: ImportOwner,
    target: UploadTarget,
    newVersion: number,
    writer: VersionWriter,
  ): Promise<number[]> {
    const live = await this.store.db
      .selectFrom('upload_versions')
      .select('version')
      .where('organisation_id', '=', uploader.organisationId)
      .where('target', '=', target.id)
      .where('status', '!=', 'removed')
      .orderBy('version', 'desc')
      .execute();
    const versions = [newVersion, ...live.map((v) => Number(v.version))];
    const doomed = versions.slice(target.keepVersions);
    await writer.removeVersions(uploader.tenant, doomed);
    return doomed;
  }

  private async lastVersion(organisationId: string, targetId: string): Promise<number> {
    const r = await this.store.db
      .selectFrom('upload_versions')
      .select((eb) => eb.fn.max('version').as('v'))
      .where('organisation_id', '=', organisationId)
      .where('target', '=', targetId)
      .executeTakeFirst();
    return Number(r?.v ?? 0);
  }

  /**
   * One at a time per source: in this process through a promise chain, and across instances through
   * the shared source lock (taken inside the chain, so one process queues for it once per job).
   */
  private inLane<T>(key: string, work: () => Promise<T>): Promise<T> {
    const locked = () => this.withLock(`upload-source:${key}`, this.lockSpec(SOURCE_LOCK), work);
    const before = this.lanes.get(key) ?? Promise.resolve();
    const run = before.then(locked, locked);
    const settled = run.then(
      () => undefined,
      () => undefined,
    );
    this.lanes.set(key, settled);
    void settled.then(() => {
      if (this.lanes.get(key) === settled) this.lanes.delete(key);
    });
    return run;
  }

  /** `spec` with the configured TTL, when one is set (never below MIN_LOCK_TTL_MS). */
  private lockSpec(spec: { readonly ttlMs: number; readonly maxWaitMs: number }) {
    const ttl = this.imports?.lockTtlMs;
    return ttl === undefined
      ? spec
      : { ...spec, ttlMs: Math.max(MIN_LOCK_TTL_MS, Math.min(spec.ttlMs, ttl)) };
  }

  /**
   * Runs `work` holding the shared lock `name` (waiting in line, or PIPELINE_LOCK_BUSY at once with
   * `fail`); without shared locks, only this process imports and `work` runs as it is.
   */
  private async withLock<T>(
    name: string,
    spec: { readonly ttlMs: number; readonly maxWaitMs: number },
    work: () => Promise<T>,
    wait: 'fail' | 'queue' = 'queue',
  ): Promise<T> {
    const locks = this.imports?.locks;
    if (!locks) return work();
    const held = await locks.acquire(
      { name, wait, ...spec },
      `upload-${randomBytes(6).toString('hex')}`,
      new AbortController().signal,
      () => {},
    );
    try {
      return await work();
    } finally {
      await held.release();
    }
  }

  private async storedReport(organisationId: string, id: string): Promise<UploadReportsTable | undefined> {
    return this.store.db
      .selectFrom('upload_reports')
      .selectAll()
      .where('upload_id', '=', id)
      .where('organisation_id', '=', organisationId)
      .executeTakeFirst();
  }

  private async ensureReport(row: UploadsTable, target: UploadTarget): Promise<UploadReportsTable> {
    const kept = await this.storedReport(row.organisation_id, row.id);
    if (kept) return kept;
    if (row.status !== 'received' && row.status !== 'importing') throw new TrellisError('UPLOAD_NOT_FOUND');
    return this.computeReport(row, target);
  }

  /**
   * Reads the file once (one check session) for the report, the profile and — when the report lets
   * the file in — the valid rows the import will read; stores report and profile.
   */
  private async computeReport(row: UploadsTable, target: UploadTarget): Promise<UploadReportsTable> {
    const { validation, problems, profile } = await this.withCheck(row, target, async (check) => {
      const validation = await check.validate();
      const problems = fileProblems(check.file, target, validation.totalRows);
      const profile = await check.profile();
      if (blockedBy(target, validation.totalRows, validation.invalidRows, problems) === null)
        await this.writeRowsFile(check, this.rowsFileOf(row.id));
      return { validation, problems, profile };
    });
    return storeReport(this.store, row.id, row.organisation_id, validation, problems, profile, this.now());
  }

  /** The valid rows to `rowsFile`, written beside it first and renamed: never a partial file there. */
  private async writeRowsFile(check: UploadCheck, rowsFile: string): Promise<void> {
    const partial = `${rowsFile}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      await check.writeValidRows(partial);
      await rename(partial, rowsFile);
    } finally {
      await rm(partial, { force: true });
    }
  }

  /** The import's typed rows of an upload: derived from the checked id only. */
  private rowsFileOf(id: string): string {
    return `${this.fileOf(id)}.rows.parquet`;
  }

  /** Runs `work` with a check session over the upload's file (read once, in a private DuckDB). */
  private async withCheck<T>(
    row: UploadsTable,
    target: UploadTarget,
    work: (check: UploadCheck) => Promise<T>,
  ): Promise<T> {
    const check = await openDuckDBUploadCheck(
      this.tempDir,
      this.fileOf(row.id),
      row.format as UploadFormat,
      target,
      {
        memoryLimit: CHECK_MEMORY_LIMIT,
        memoryPerColumnMb: CHECK_MEMORY_PER_COLUMN_MB,
        spillDir: path.join(this.tempDir, `${row.id}.spill-${randomBytes(6).toString('hex')}`),
      },
    );
    try {
      return await work(check);
    } finally {
      await check.close();
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
    // An import asked for and not begun by a worker yet is `queued` on the wire.
    status: row.status === 'importing' && row.import_started_at === null ? 'queued' : row.status,
    errorCode: row.error_code,
    uploadedBy: row.uploaded_by,
    createdAt: new Date(Number(row.created_at)).toISOString(),
    ...(row.status === 'imported' && row.import_result
      ? { result: JSON.parse(row.import_result) as UploadImportResult }
      : {}),
  };
}

/** A kept profile; one stored before profiles could be approximate was exact. */
function storedProfile(text: string): UploadProfile {
  const kept = JSON.parse(text) as Omit<UploadProfile, 'approximate' | 'approximation'> &
    Partial<Pick<UploadProfile, 'approximate' | 'approximation'>>;
  return { ...kept, approximate: kept.approximate ?? false, approximation: kept.approximation ?? null };
}

function reportHead(
  report: UploadReportsTable,
  target: UploadTarget,
): Omit<UploadReport, 'page' | 'failures'> {
  const problems = JSON.parse(report.problems) as FileProblem[];
  const total = Number(report.total_rows);
  const invalid = Number(report.invalid_rows);
  const blocked = blockedBy(target, total, invalid, problems);
  return {
    totalRows: total,
    validRows: total - invalid,
    invalidRows: invalid,
    failuresTotal: Number(report.failures_total),
    failuresStored: Number(report.failures_stored),
    storedLimit: MAX_STORED_FAILURES,
    problems,
    importable: blocked === null,
    blockedBy: blocked,
  };
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}

function versionOf(row: UploadVersionsTable): UploadVersion {
  return {
    version: Number(row.version),
    upload: row.upload_id,
    fileName: row.file_name,
    rows: Number(row.rows),
    checksum: row.checksum,
    status: row.status,
    mode: row.mode as UploadVersion['mode'],
    createdBy: row.created_by,
    createdAt: new Date(Number(row.created_at)).toISOString(),
  };
}

/** The organisation's current version of a target becomes a kept one (before another is current). */
async function demoteCurrent(tx: Kysely<Database>, organisationId: string, targetId: string): Promise<void> {
  await tx
    .updateTable('upload_versions')
    .set({ status: 'kept' })
    .where('organisation_id', '=', organisationId)
    .where('target', '=', targetId)
    .where('status', '=', 'current')
    .execute();
}

/** DuckDB's line limit (max_line_size); a longer line could not be read anyway. */
const MAX_LINE_BYTES = 2 * 1024 * 1024;
/** How far an XLSX may inflate, as a multiple of the target's byte limit (XML sheets pack ~5–15×). */
const XLSX_INFLATION = 16;
const XLSX_SHARED_STRINGS_BYTES = 64 * 1024 * 1024;

/**
 * Makes the received file what DuckDB's readers read: XLSX → CSV (one sheet), text → UTF-8. In place,
 * streamed, bounded; the caller removes the file on any failure. Says how the file was read (audit).
 */
async function normalise(
  file: string,
  format: UploadFormat,
  target: UploadTarget,
  incoming: IncomingFile,
): Promise<{ sheet?: string; sheets?: string[]; encoding?: string }> {
  if (format === 'parquet') return {};
  if (format === 'xlsx') {
    const converted = await xlsxToCsv(file, incoming.sheet ?? null, {
      maxInflatedBytes: target.limits.bytes * XLSX_INFLATION,
      maxSharedStringsBytes: XLSX_SHARED_STRINGS_BYTES,
      maxRows: target.limits.rows,
      maxColumns: target.limits.columns,
    });
    return { sheet: converted.sheet, sheets: [...converted.sheets] };
  }
  const encoding = await transcodeToUtf8(file, incoming.encoding ?? 'auto', {
    maxLineBytes: Math.min(MAX_LINE_BYTES, target.limits.columns * (target.limits.cellBytes + 3)),
  });
  return { encoding };
}
