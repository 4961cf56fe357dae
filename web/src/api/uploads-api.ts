import type {
  UploadPreview,
  UploadProfile,
  UploadReport,
  UploadSummary,
  UploadTargetSummary,
  UploadVersion,
} from '../../../contract/index.js';
import { ApiError, toApiError } from './api-error.js';
import { api, readCsrfCookie, type ApiClient } from './api-client.js';
import { queryString } from './jobs-api.js';

/**
 * Typed calls of the uploads API (docs/uploads.md) on the shared ApiClient, and the one call fetch
 * cannot make well: sending the file with upload progress (XMLHttpRequest's upload events) and a
 * cancel. Only type imports from contract/ (no zod in the bundle).
 */
export function uploadsApi(client: ApiClient = api) {
  const seg = encodeURIComponent;
  return {
    targets: (signal?: AbortSignal) =>
      client.send<{ targets: UploadTargetSummary[] }>('GET', '/uploads/targets', undefined, signal),
    preview: (id: string, signal?: AbortSignal) =>
      client.send<UploadPreview>('GET', `/uploads/${seg(id)}/preview`, undefined, signal),
    profile: (id: string, signal?: AbortSignal) =>
      client.send<UploadProfile>('GET', `/uploads/${seg(id)}/profile`, undefined, signal),
    report: (id: string, page: { offset: number; limit: number }, signal?: AbortSignal) =>
      client.send<UploadReport>('GET', `/uploads/${seg(id)}/report${queryString(page)}`, undefined, signal),
    reportCsvUrl: (id: string) => client.streamUrl(`/uploads/${seg(id)}/report.csv`),
    /** Asks for the import: 202 with the upload `queued`; the worker imports it (poll `get`). */
    importUpload: (id: string) => client.send<UploadSummary>('POST', `/uploads/${seg(id)}/import`, {}),
    get: (id: string, signal?: AbortSignal) =>
      client.send<UploadSummary>('GET', `/uploads/${seg(id)}`, undefined, signal),
    versions: (target: string, signal?: AbortSignal) =>
      client.send<{ versions: UploadVersion[] }>(
        'GET',
        `/uploads/targets/${seg(target)}/versions`,
        undefined,
        signal,
      ),
    rollback: (target: string, version: number) =>
      client.send<UploadVersion>('POST', `/uploads/targets/${seg(target)}/versions/${version}/rollback`, {}),
  };
}

export type UploadsApi = ReturnType<typeof uploadsApi>;
export const uploads = uploadsApi();

export interface UploadProgress {
  readonly loaded: number;
  readonly total: number;
  /** Bytes per second since the start. */
  readonly rate: number;
}

/**
 * Sends one file (multipart, field "file") with progress events; `cancel()` aborts it (the server
 * removes the part it received). Resolves with the upload's summary or rejects with an ApiError.
 */
export function sendFile(
  target: string,
  file: File,
  onProgress: (p: UploadProgress) => void,
  readAs: { readonly sheet?: string; readonly encoding?: string } = {},
  baseUrl = '/api/v1',
): { done: Promise<UploadSummary>; cancel: () => void } {
  const xhr = new XMLHttpRequest();
  const started = performance.now();
  const done = new Promise<UploadSummary>((resolve, reject) => {
    xhr.upload.addEventListener('progress', (e) => {
      const seconds = Math.max(0.001, (performance.now() - started) / 1000);
      onProgress({
        loaded: e.loaded,
        total: e.lengthComputable ? e.total : file.size,
        rate: e.loaded / seconds,
      });
    });
    xhr.addEventListener('load', () => {
      let body: unknown;
      try {
        body = JSON.parse(xhr.responseText) as unknown;
      } catch {
        body = undefined;
      }
      if (xhr.status === 201) resolve(body as UploadSummary);
      else reject(toApiError(xhr.status, body, xhr.getResponseHeader('x-request-id')));
    });
    xhr.addEventListener('error', () =>
      reject(
        new ApiError({
          code: 'NETWORK_ERROR',
          message: 'The upload was interrupted: the server could not be reached.',
          status: 0,
        }),
      ),
    );
    xhr.addEventListener('abort', () =>
      reject(new ApiError({ code: 'UPLOAD_CANCELLED', message: 'The upload was cancelled.', status: 0 })),
    );
  });
  const query = new URLSearchParams();
  if (readAs.sheet) query.set('sheet', readAs.sheet);
  if (readAs.encoding && readAs.encoding !== 'auto') query.set('encoding', readAs.encoding);
  const qs = query.size > 0 ? `?${query.toString()}` : '';
  xhr.open('POST', `${baseUrl}/uploads/targets/${encodeURIComponent(target)}/uploads${qs}`);
  xhr.setRequestHeader('accept', 'application/json');
  const csrf = readCsrfCookie();
  if (csrf) xhr.setRequestHeader('x-csrf-token', csrf);
  const form = new FormData();
  form.append('file', file, file.name);
  xhr.send(form);
  return { done, cancel: () => xhr.abort() };
}
