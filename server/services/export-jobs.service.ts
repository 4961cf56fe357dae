import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type {
  DashboardPdfBody,
  ExportFile,
  ExportFormatName,
  ExportJobFormat,
  ExportStartResponse,
  Role,
  SortSpec,
} from '../../contract/index.js';
import type { ActionContext } from '../audit/audit-log.js';
import type { AuditRecorder } from '../audit/audit-recorder.js';
import { RENDER_HEADER, mintRenderCredential } from '../auth/render-credential.js';
import type { Orientation, PaperSize, PdfRenderer } from '../exports/dashboard-pdf.js';
import { ERROR_CATALOGUE, TrellisError, type ErrorCode } from '../errors.js';
import { CONTENT_TYPES, exportFileName } from '../exports/export-formats.js';
import { EXPORT_ID, ExportFiles, newExportId, type ExportFileRow } from '../jobs/export-files.js';
import type { Queue } from '../jobs/queue.js';
import { ReleaseJob, WorkerStopping } from '../jobs/queue.js';
import type { TaskContext } from '../jobs/task.js';
import type { ExportFileTask } from '../jobs/tasks/export-file.task.js';
import { exportListScope, mayAccessExportFile } from '../policies/export-file-policy.js';
import type { Tenant } from '../policies/tenant.js';
import { tenantId } from '../query/plan.js';
import type { Store } from '../store/store.js';
import type { Viewer } from './viewer.js';
import type { WidgetExports } from './widget-export.service.js';

/** Who asks: from the session only (tenant, user, role). */
export interface ExportCaller {
  readonly tenant: Tenant;
  readonly userId: string;
  readonly role: Role;
  /** For a dashboard PDF's render credential (who the print page acts as). */
  readonly email?: string;
  readonly organisationName?: string;
}

export interface ExportJobsOptions {
  readonly store: Store;
  readonly queue: Queue;
  readonly task: ExportFileTask;
  readonly exports: WidgetExports;
  readonly audit: AuditRecorder;
  /** Finished files (shared by web and worker processes). */
  readonly dir: string;
  /** Exports of more rows than this become jobs. */
  readonly jobRows: number;
  /** How long a ready file is kept. */
  readonly keepMs: number;
  readonly logger: { error(obj: object, msg?: string): void };
  readonly now?: () => number;
  /** Progress and cancel-flag intervals (tests shorten them). */
  readonly progressMs?: number;
  /** Dashboard PDFs: the Chromium pool, where the web app is, the secret render credentials are signed with. */
  readonly pdf: {
    readonly renderer: PdfRenderer;
    readonly baseUrl: () => string;
    readonly secret: string;
  };
}

/** Who a dashboard is printed for, and how (ids and values checked when the job was asked for). */
export interface DashboardRenderRequest {
  readonly organisationId: string;
  readonly tenant: string;
  readonly userId: string;
  readonly email: string;
  readonly organisationName: string;
  readonly role: Role;
  readonly dashboard: string;
  readonly query: string;
  readonly paper: PaperSize;
  readonly orientation: Orientation;
  /** A paged PDF (default) or a full-page PNG (paper and orientation do not apply). */
  readonly output?: 'pdf' | 'png';
  readonly signal: AbortSignal;
}

/** What a dashboard PDF job keeps in its row's `request`: ids and values only, checked when asked. */
interface PdfRequest {
  readonly query: string;
  readonly paper: PaperSize;
  readonly orientation: Orientation;
  readonly email: string;
  readonly organisationName: string;
}

/** Files a dashboard render job writes (Chromium): a paged PDF or a full-page PNG. */
const RENDER_TYPES = { pdf: 'application/pdf', png: 'image/png' } as const;
type RenderFormat = keyof typeof RENDER_TYPES;
const isRender = (format: string): format is RenderFormat => format === 'pdf' || format === 'png';

export interface ExportRequest {
  readonly dashboard: string;
  readonly widget: string;
  readonly format: ExportFormatName;
  readonly bom: boolean;
  readonly filters: Record<string, unknown>;
  readonly sort?: SortSpec | undefined;
}

/**
 * Export jobs (docs/exports.md): the Export menu asks `start`; an export within the row threshold is
 * downloaded directly (streamed by the widget export route), a larger one is written on the worker
 * into the exports folder — progress with rows/s and ETA, cancel, kept for `keepMs`, then deleted —
 * and downloaded only by its requester and the organisation's admins (policies/export-file-policy.ts).
 */
export class ExportJobs {
  readonly files: ExportFiles;
  private readonly now: () => number;

  constructor(private readonly options: ExportJobsOptions) {
    this.files = new ExportFiles(options.store);
    this.now = options.now ?? Date.now;
    options.task.bind((id, context) => this.execute(id, context));
  }

  async start(
    caller: ExportCaller,
    request: ExportRequest,
    context: ActionContext,
  ): Promise<ExportStartResponse> {
    // The same checks as the download (dashboard, widget, filters, format, the export limit).
    const rows = await this.options.exports.count({ ...request, viewer: viewerFor(caller) });
    if (rows === undefined || rows <= this.options.jobRows) return { mode: 'direct', rows: rows ?? null };
    const now = this.now();
    const id = newExportId();
    const row: ExportFileRow = {
      id,
      organisation_id: caller.tenant.id,
      tenant: caller.tenant.slug,
      requested_by: caller.userId,
      role: caller.role,
      dashboard: request.dashboard,
      widget: request.widget,
      format: request.format,
      bom: request.bom ? 1 : 0,
      request: JSON.stringify({ filters: request.filters, sort: request.sort ?? null }),
      file_name: exportFileName(request.dashboard, request.widget, request.format, new Date(now)),
      status: 'queued',
      rows_total: rows,
      rows_done: 0,
      rows_per_second: null,
      bytes: null,
      error_code: null,
      cancel_requested: 0,
      request_id: context.requestId,
      ip: context.ip,
      created_at: now,
      updated_at: now,
      finished_at: null,
      expires_at: null,
    };
    await this.files.create(row);
    await this.options.task.enqueue(this.options.queue, { exportId: id }, { idempotencyKey: `export:${id}` });
    await this.options.audit.record(context, {
      action: 'export.request',
      outcome: 'success',
      target: `${request.dashboard}/${request.widget}`,
      detail: { export: id, format: request.format, rows },
    });
    return { mode: 'job', export: present(row, caller, now) };
  }

  /**
   * A dashboard PDF job (docs/exports.md): checked now (dashboard visible to the caller, downloads
   * allowed, the filter query naming only its filters), rendered on the worker, listed like the others.
   */
  async startPdf(caller: ExportCaller, body: DashboardPdfBody, context: ActionContext): Promise<ExportFile> {
    const query = body.query ?? '';
    this.options.exports.checkDashboardPdf(body.dashboard, viewerFor(caller), query);
    const now = this.now();
    const id = newExportId();
    const request: PdfRequest = {
      query,
      paper: body.paper ?? 'A4',
      orientation: body.orientation ?? 'portrait',
      email: caller.email ?? '',
      organisationName: caller.organisationName ?? caller.tenant.slug,
    };
    const safe = body.dashboard.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 80) || 'dashboard';
    const format: RenderFormat = body.format ?? 'pdf';
    const row: ExportFileRow = {
      id,
      organisation_id: caller.tenant.id,
      tenant: caller.tenant.slug,
      requested_by: caller.userId,
      role: caller.role,
      dashboard: body.dashboard,
      widget: '',
      format,
      bom: 0,
      request: JSON.stringify(request),
      file_name: `${safe}-${new Date(now).toISOString().slice(0, 10)}.${format}`,
      status: 'queued',
      rows_total: null,
      rows_done: 0,
      rows_per_second: null,
      bytes: null,
      error_code: null,
      cancel_requested: 0,
      request_id: context.requestId,
      ip: context.ip,
      created_at: now,
      updated_at: now,
      finished_at: null,
      expires_at: null,
    };
    await this.files.create(row);
    await this.options.task.enqueue(this.options.queue, { exportId: id }, { idempotencyKey: `export:${id}` });
    await this.options.audit.record(context, {
      action: 'export.request',
      outcome: 'success',
      target: body.dashboard,
      detail: { export: id, format, paper: request.paper, orientation: request.orientation },
    });
    return present(row, caller, now);
  }

  async list(caller: ExportCaller): Promise<ExportFile[]> {
    const now = this.now();
    const rows = await this.files.list(caller.tenant.id, exportListScope(policyCaller(caller)).requester);
    return rows.map((r) => present(r, caller, now));
  }

  async get(caller: ExportCaller, id: string): Promise<ExportFile> {
    return present(await this.visible(caller, id), caller, this.now());
  }

  async cancel(caller: ExportCaller, id: string, context: ActionContext): Promise<ExportFile> {
    const row = await this.visible(caller, id);
    const changed = await this.files.requestCancel(caller.tenant.id, row.id, this.now());
    if (!changed)
      throw new TrellisError('EXPORT_NOT_RUNNING', { detail: { export: row.id, status: row.status } });
    await this.options.audit.record(context, {
      action: 'export.cancel',
      outcome: 'success',
      target: `${row.dashboard}/${row.widget}`,
      detail: { export: row.id },
    });
    return present(await this.visible(caller, id), caller, this.now());
  }

  /** The ready file, for its requester or an admin of its organisation; audited. */
  async download(
    caller: ExportCaller,
    id: string,
    context: ActionContext,
  ): Promise<{ fileName: string; contentType: string; bytes: number; body: Readable }> {
    const row = await this.visible(caller, id);
    if (row.status === 'expired' || (row.status === 'ready' && (row.expires_at ?? 0) <= this.now()))
      throw new TrellisError('EXPORT_EXPIRED');
    if (row.status !== 'ready')
      throw new TrellisError('EXPORT_NOT_READY', { detail: { status: row.status } });
    const file = this.pathOf(row.id, row.format as ExportJobFormat);
    let bytes: number;
    try {
      bytes = (await stat(file)).size;
    } catch (err) {
      // The row says ready but the file is gone (deleted by hand, another disk): say so, log why.
      this.options.logger.error({ err, export: row.id }, 'export file missing');
      throw new TrellisError('EXPORT_EXPIRED');
    }
    await this.options.audit.record(context, {
      action: 'export.download',
      outcome: 'success',
      target: `${row.dashboard}/${row.widget}`,
      detail: { export: row.id, format: row.format, bytes },
    });
    return {
      fileName: row.file_name,
      contentType: isRender(row.format)
        ? RENDER_TYPES[row.format]
        : CONTENT_TYPES[row.format as ExportFormatName],
      bytes,
      body: createReadStream(file),
    };
  }

  /**
   * The worker's side: writes the file to `<id>.part`, then renames it (atomic), so a reader never sees
   * half a file and a dead worker's retry replaces its partial file — one file in the end.
   */
  async execute(id: string, context: TaskContext): Promise<void> {
    const row = await this.files.byId(id);
    if (!row || !(row.status === 'queued' || row.status === 'running')) return;
    const format = row.format as ExportFormatName;
    const now = this.now();
    if (!(await this.files.start(id, row.rows_total, now))) return;
    // Cancelled while a previous attempt ran (or just before this one): stop before any work.
    if (row.cancel_requested === 1) {
      await this.files.finish(id, { status: 'cancelled', errorCode: null }, now);
      return;
    }
    if (isRender(row.format)) return this.executePdf(row, row.format, context);
    const controller = new AbortController();
    const cancelled = { value: false };
    const onJobAbort = () => controller.abort(context.signal.reason);
    if (context.signal.aborted) onJobAbort();
    else context.signal.addEventListener('abort', onJobAbort, { once: true });
    const every = this.options.progressMs ?? 500;
    const watch = setInterval(() => {
      void this.files.cancelRequested(id).then(
        (yes) => {
          if (yes) {
            cancelled.value = true;
            controller.abort(new Error('cancelled by the user'));
          }
        },
        (err: unknown) => this.options.logger.error({ err, export: id }, 'export cancel check failed'),
      );
    }, every);
    let rowsDone = 0;
    let lastReport = 0;
    const started = this.now();
    const report = (force: boolean) => {
      const t = this.now();
      if (!force && t - lastReport < every) return;
      lastReport = t;
      const rate = rowsDone / Math.max(0.001, (t - started) / 1000);
      void this.files
        .progress(id, rowsDone, rate, t)
        .catch((err: unknown) =>
          this.options.logger.error({ err, export: id }, 'export progress not stored'),
        );
    };
    await mkdir(this.options.dir, { recursive: true, mode: 0o700 });
    const part = path.join(this.options.dir, `${id}.part`);
    const final = this.pathOf(id, format);
    const request = JSON.parse(row.request) as { filters: Record<string, unknown>; sort: SortSpec | null };
    try {
      const file = await this.options.exports.open({
        dashboard: row.dashboard,
        widget: row.widget,
        format,
        bom: row.bom === 1,
        filters: request.filters,
        sort: request.sort ?? undefined,
        viewer: { tenant: tenantId(row.tenant), role: row.role, user: row.requested_by },
        context: {
          actor: row.requested_by,
          ip: row.ip,
          requestId: row.request_id,
          organisationId: row.organisation_id,
        },
        signal: controller.signal,
        onRows: (n) => {
          rowsDone = n;
          report(false);
        },
      });
      let bytes = 0;
      const counter = new Transform({
        transform(chunk: Buffer, _encoding, done) {
          bytes += chunk.length;
          done(null, chunk);
        },
      });
      await pipeline(file.body, counter, createWriteStream(part, { mode: 0o600 }), {
        signal: controller.signal,
      });
      await rename(part, final);
      rowsDone = file.rows ?? rowsDone;
      const done = await this.files.finish(
        id,
        { status: 'ready', rowsDone, bytes, expiresAt: this.now() + this.options.keepMs },
        this.now(),
      );
      if (!done) await this.cancelledAtTheEnd(id, final);
    } catch (err) {
      await rm(part, { force: true });
      const reason: unknown = context.signal.reason;
      if (context.signal.aborted && reason instanceof WorkerStopping) {
        throw new ReleaseJob('the worker is stopping'); // back to the queue, started again elsewhere
      }
      if (cancelled.value || (await this.files.cancelRequested(id))) {
        await this.files.finish(id, { status: 'cancelled', errorCode: null }, this.now());
        return;
      }
      // A refusal (too large now, dashboard gone, filter no longer valid) will not change on a retry.
      if (err instanceof TrellisError && err.status < 500) {
        await this.files.finish(id, { status: 'failed', errorCode: err.code }, this.now());
        return;
      }
      if (context.job.attempt >= context.job.maxAttempts) {
        await this.files.finish(
          id,
          { status: 'failed', errorCode: err instanceof TrellisError ? err.code : 'INTERNAL' },
          this.now(),
        );
      }
      throw err;
    } finally {
      clearInterval(watch);
      context.signal.removeEventListener('abort', onJobAbort);
      report(true);
    }
  }

  /**
   * A dashboard PDF on the worker: a render credential for the requester (their organisation, their
   * role, this dashboard, two minutes), the print page in headless Chromium, the PDF written to
   * `<id>.part` and renamed — so, as for the other exports, one file in the end whatever dies when.
   */
  private async executePdf(row: ExportFileRow, format: RenderFormat, context: TaskContext): Promise<void> {
    const id = row.id;
    const request = JSON.parse(row.request) as PdfRequest;
    const controller = new AbortController();
    const onJobAbort = () => controller.abort(context.signal.reason);
    if (context.signal.aborted) onJobAbort();
    else context.signal.addEventListener('abort', onJobAbort, { once: true });
    const watch = setInterval(() => {
      void this.files.cancelRequested(id).then(
        (yes) => yes && controller.abort(new Error('cancelled by the user')),
        (err: unknown) => this.options.logger.error({ err, export: id }, 'export cancel check failed'),
      );
    }, this.options.progressMs ?? 500);
    await mkdir(this.options.dir, { recursive: true, mode: 0o700 });
    const part = path.join(this.options.dir, `${id}.part`);
    const final = this.pathOf(id, format);
    try {
      const pdf = await this.renderDashboard({
        organisationId: row.organisation_id,
        tenant: row.tenant,
        userId: row.requested_by,
        email: request.email,
        organisationName: request.organisationName,
        role: row.role as Role,
        dashboard: row.dashboard,
        query: request.query,
        paper: request.paper,
        orientation: request.orientation,
        output: format,
        signal: controller.signal,
      });
      if (controller.signal.aborted) throw controller.signal.reason;
      await writeFile(part, pdf, { mode: 0o600 });
      await rename(part, final);
      const done = await this.files.finish(
        id,
        { status: 'ready', rowsDone: 0, bytes: pdf.length, expiresAt: this.now() + this.options.keepMs },
        this.now(),
      );
      if (!done) await this.cancelledAtTheEnd(id, final);
    } catch (err) {
      await rm(part, { force: true });
      await this.failed(id, err, context);
    } finally {
      clearInterval(watch);
      context.signal.removeEventListener('abort', onJobAbort);
    }
  }

  /**
   * Prints a dashboard as its requester sees it (a PDF job, a scheduled report): a render credential
   * for them (their organisation, their role, this dashboard, two minutes) and the print page in
   * headless Chromium, bounded by the renderer's pool and timeout.
   */
  async renderDashboard(request: DashboardRenderRequest): Promise<Buffer> {
    const { renderer, baseUrl, secret } = this.options.pdf;
    const credential = mintRenderCredential(
      secret,
      {
        user: { id: request.userId, email: request.email },
        organisation: { id: request.organisationId, slug: request.tenant, name: request.organisationName },
        role: request.role,
        dashboard: request.dashboard,
      },
      this.now(),
    );
    // Built from the checked dashboard id; the query only ever lands in the URL's search part.
    const url = new URL(`/print/d/${encodeURIComponent(request.dashboard)}`, baseUrl());
    url.search = request.query;
    const target = { url: url.toString(), headers: { [RENDER_HEADER]: credential }, signal: request.signal };
    if (request.output === 'png') return (await renderer.screenshot(target)).png;
    const { pdf } = await renderer.render({
      ...target,
      paper: request.paper,
      orientation: request.orientation,
    });
    return pdf;
  }

  /**
   * The file was complete but the export could not be made ready: a cancel accepted meanwhile (or
   * another end). The file goes; a pending cancel is carried out.
   */
  private async cancelledAtTheEnd(id: string, final: string): Promise<void> {
    await rm(final, { force: true });
    await this.files.finish(id, { status: 'cancelled', errorCode: null }, this.now());
  }

  /** After a failed attempt: back to the queue, cancelled, failed for good, or retried (thrown). */
  private async failed(id: string, err: unknown, context: TaskContext): Promise<void> {
    const reason: unknown = context.signal.reason;
    if (context.signal.aborted && reason instanceof WorkerStopping)
      throw new ReleaseJob('the worker is stopping');
    if (await this.files.cancelRequested(id)) {
      await this.files.finish(id, { status: 'cancelled', errorCode: null }, this.now());
      return;
    }
    if (err instanceof TrellisError && err.status < 500) {
      await this.files.finish(id, { status: 'failed', errorCode: err.code }, this.now());
      return;
    }
    if (context.job.attempt >= context.job.maxAttempts)
      await this.files.finish(
        id,
        { status: 'failed', errorCode: err instanceof TrellisError ? err.code : 'INTERNAL' },
        this.now(),
      );
    throw err;
  }

  /** Deletes ready files past their time (the worker's housekeeping, every minute). */
  async sweep(): Promise<number> {
    let deleted = 0;
    for (;;) {
      const due = await this.files.expired(this.now());
      for (const { id, format } of due) {
        await rm(this.pathOf(id, format as ExportJobFormat), { force: true });
        await this.files.markExpired(id, this.now());
        deleted++;
      }
      if (due.length < 100) return deleted;
    }
  }

  /** Where a file lies: from the checked id and a known format only, never from anything a client sent. */
  pathOf(id: string, format: ExportJobFormat): string {
    if (!EXPORT_ID.test(id) || !(isRender(format) || format in CONTENT_TYPES))
      throw new TrellisError('EXPORT_NOT_FOUND');
    return path.join(this.options.dir, `${id}.${format}`);
  }

  /** The caller's organisation's export, if the policy lets them at it; otherwise not found. */
  private async visible(caller: ExportCaller, id: string): Promise<ExportFileRow> {
    const row = await this.files.find(caller.tenant.id, id);
    if (
      !row ||
      !mayAccessExportFile(policyCaller(caller), {
        organisationId: row.organisation_id,
        requestedBy: row.requested_by,
      })
    )
      throw new TrellisError('EXPORT_NOT_FOUND');
    return row;
  }
}

function viewerFor(caller: ExportCaller): Viewer {
  return { tenant: caller.tenant.slug, role: caller.role, user: caller.userId };
}

function policyCaller(caller: ExportCaller) {
  return { organisationId: caller.tenant.id, userId: caller.userId, role: caller.role };
}

function present(row: ExportFileRow, caller: ExportCaller, now: number): ExportFile {
  const running = row.status === 'running';
  const rate = row.rows_per_second === null ? null : Number(row.rows_per_second);
  const total = row.rows_total === null ? null : Number(row.rows_total);
  const done = Number(row.rows_done);
  const expired = row.status === 'expired' || (row.status === 'ready' && (row.expires_at ?? 0) <= now);
  const code = row.error_code;
  return {
    id: row.id,
    dashboard: row.dashboard,
    widget: row.widget,
    format: row.format as ExportJobFormat,
    fileName: row.file_name,
    status: expired ? 'expired' : row.status,
    rowsTotal: total,
    rowsDone: done,
    rowsPerSecond: rate,
    etaSeconds: running && rate && total !== null ? Math.max(0, Math.ceil((total - done) / rate)) : null,
    bytes: row.bytes === null ? null : Number(row.bytes),
    error: code
      ? {
          code,
          message:
            code in ERROR_CATALOGUE ? ERROR_CATALOGUE[code as ErrorCode].message : 'The export failed.',
        }
      : null,
    mine: row.requested_by === caller.userId,
    createdAt: new Date(Number(row.created_at)).toISOString(),
    finishedAt: row.finished_at === null ? null : new Date(Number(row.finished_at)).toISOString(),
    expiresAt: row.expires_at === null ? null : new Date(Number(row.expires_at)).toISOString(),
  };
}
