import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { loginAs, startApp, type SignedIn, type TestApp } from './app-harness.js';
import { createMiniProject } from './mini-project.js';

/**
 * The upload API tests' common setup: the mini project with upload targets (`uploads/<id>.yaml`),
 * a `targets` dataset and dashboard whose `total` widget sums the upload's `target` column, a
 * private upload folder, and three callers — editors of two organisations and a viewer of the first.
 */
export interface UploadApi {
  readonly app: TestApp;
  readonly close: () => Promise<void>;
  readonly tempDir: string;
  /** acme's editor. */
  readonly a: SignedIn;
  /** globex's editor. */
  readonly b: SignedIn;
  /** acme's viewer. */
  readonly viewer: SignedIn;
}

/** The `targets` dataset and dashboard the upload tests' widgets read (files of the mini project). */
export const UPLOAD_PROJECT_FILES = (): Record<string, string> => ({
  'datasets/targets.yaml': DATASET,
  'dashboards/targets.yaml': DASHBOARD,
});

const DATASET = `table: targets
tenant_column: org
columns:
  org: { type: string }
  sponsor: { type: string }
  target: { type: number }
measures:
  total: { agg: sum, column: target }
  rows: { agg: count }
`;
const DASHBOARD = `title: Targets
dataset: targets
widgets:
  - { id: total, type: kpi, title: Total target, measure: total }
`;

/** `uploads`: file name (without .yaml) → the target's YAML. */
export async function startUploadApi(uploads: Record<string, string>, prefix: string): Promise<UploadApi> {
  const mini = await createMiniProject({
    'datasets/targets.yaml': DATASET,
    'dashboards/targets.yaml': DASHBOARD,
  });
  mkdirSync(path.join(mini.dir, 'uploads'));
  for (const [id, yaml] of Object.entries(uploads))
    writeFileSync(path.join(mini.dir, 'uploads', `${id}.yaml`), yaml);
  const tempDir = mkdtempSync(path.join(tmpdir(), `trellis-${prefix}-`));
  const { app, close } = await startApp(mini.dir, { uploads: { tempDir } });
  // Imports are the worker's (the import-upload task): this app runs one, as `serve` (role all) does.
  app.services.jobs.startWorker();
  return {
    app,
    close,
    tempDir,
    a: await loginAs(app, { org: 'acme', role: 'editor' }),
    b: await loginAs(app, { org: 'globex', role: 'editor' }),
    viewer: await loginAs(app, { org: 'acme', role: 'viewer' }),
  };
}

/** The multipart boundary sendUpload uses (for tests that write a body by hand). */
export const BOUNDARY = '----trellis-test-boundary';

/** One file, multipart, to a target's upload route; `query` as written (`?sheet=…`). */
export function sendUpload(
  who: SignedIn,
  fileName: string,
  content: Buffer | string,
  options: { target?: string; query?: string; contentType?: string } = {},
) {
  return who.inject({
    method: 'POST',
    url: `/api/v1/uploads/targets/${options.target ?? 'targets'}/uploads${options.query ?? ''}`,
    headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` },
    payload: Buffer.concat([
      Buffer.from(
        `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="${fileName}"\r\n` +
          `Content-Type: ${options.contentType ?? 'application/octet-stream'}\r\n\r\n`,
      ),
      Buffer.isBuffer(content) ? content : Buffer.from(content),
      Buffer.from(`\r\n--${BOUNDARY}--\r\n`),
    ]),
  });
}

/** The `targets` dashboard's total widget as `who` sees it. */
export async function widgetTotal(who: SignedIn): Promise<{ rows: unknown[][] }> {
  const r = await who.inject({
    method: 'POST',
    url: '/api/v1/dashboards/targets/widgets/total/data',
    payload: { filters: {} },
  });
  expect(r.statusCode, r.body).toBe(200);
  return r.json() as { rows: unknown[][] };
}

/**
 * Every file left in the upload folder is a recorded upload's — its file, and once checked and
 * importable its typed rows (`<file>.rows.parquet`) — with no partial, converted or spill leftovers.
 */
export async function expectOnlyRecordedFiles(api: UploadApi): Promise<void> {
  const kept = new Set(
    (await api.app.services.store.db.selectFrom('uploads').select('id').execute()).map(
      (k) => `${k.id}.upload`,
    ),
  );
  const left = readdirSync(api.tempDir).filter((f) => !kept.has(f.replace(/\.rows\.parquet$/, '')));
  expect(left).toEqual([]);
}

/**
 * What became of an import request: refused at once (`statusCode` 4xx/5xx, `body` the error), or
 * accepted (202, the upload `queued`) and then settled by the worker — `status` imported (`body` the
 * import's result: version, rowDiff, skippedRows), or rejected/failed (`body` { error: its code }).
 */
export interface ImportOutcome {
  readonly statusCode: number;
  readonly status: 'refused' | 'imported' | 'rejected' | 'failed';
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read the JSON as they expect it
  readonly body: any;
}

/** POST …/import, then (when accepted) polls the upload until the worker settled it (bounded). */
export async function importUpload(who: SignedIn, id: string, timeoutMs = 120_000): Promise<ImportOutcome> {
  const r = await who.inject({ method: 'POST', url: `/api/v1/uploads/${id}/import`, payload: {} });
  if (r.statusCode !== 202) return { statusCode: r.statusCode, status: 'refused', body: r.json() };
  expect(['queued', 'importing', 'imported', 'failed', 'rejected']).toContain(r.json().status);
  const settled = await waitForUpload(who, id, timeoutMs);
  return {
    statusCode: 202,
    status: settled.status as ImportOutcome['status'],
    body: settled.status === 'imported' ? settled.result : { error: settled.errorCode },
  };
}

/** The upload once no longer queued or importing (polled every 25 ms; fails after `timeoutMs`). */
export async function waitForUpload(
  who: SignedIn,
  id: string,
  timeoutMs = 120_000,
): Promise<{ status: string; errorCode: string | null; result?: unknown; ahead?: number }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await who.inject(`/api/v1/uploads/${id}`);
    expect(r.statusCode, r.body).toBe(200);
    const upload = r.json() as { status: string; errorCode: string | null; result?: unknown };
    if (upload.status !== 'queued' && upload.status !== 'importing') return upload;
    if (Date.now() > deadline) throw new Error(`upload ${id} still ${upload.status} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
