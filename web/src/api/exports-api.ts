import type {
  DashboardPdfBody,
  ExportFile,
  ExportListResponse,
  ExportStartBody,
  ExportStartResponse,
} from '../../../contract/index.js';
import { api, type ApiClient } from './api-client.js';

/** Typed calls of the export jobs API (contract/export-jobs.schema.ts; docs/exports.md). */
export function exportsApi(client: ApiClient = api) {
  const seg = encodeURIComponent;
  return {
    /** `direct` (download the streamed file now) or `job` (queued on the worker). */
    start: (body: ExportStartBody) => client.send<ExportStartResponse>('POST', '/exports', body),
    /** A dashboard PDF: always a job, rendered on the worker. */
    startPdf: (body: DashboardPdfBody) => client.send<ExportFile>('POST', '/exports/pdf', body),
    list: (signal?: AbortSignal) => client.send<ExportListResponse>('GET', '/exports', undefined, signal),
    cancel: (id: string) => client.send<ExportFile>('POST', `/exports/${seg(id)}/cancel`, {}),
  };
}

/** The file's download link: a plain GET the browser streams to disk. */
export function exportDownloadUrl(id: string): string {
  return `/api/v1/exports/${encodeURIComponent(id)}/download`;
}

export type ExportsApi = ReturnType<typeof exportsApi>;
export const exportsClient = exportsApi();
