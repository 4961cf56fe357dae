import type { ExportFile } from '../../../../contract/index.js';
import type { Toast } from '../shell/toasts.js';

/** Formatting and transitions of export jobs for the Exports page and its toasts. Pure. */

const PENDING = new Set<ExportFile['status']>(['queued', 'running']);

export function isPending(e: Pick<ExportFile, 'status'>): boolean {
  return PENDING.has(e.status);
}

/** "Ready", "Writing", … for the status badge. */
export function exportStatusLabel(status: ExportFile['status']): string {
  switch (status) {
    case 'queued':
      return 'Queued';
    case 'running':
      return 'Writing';
    case 'ready':
      return 'Ready';
    case 'failed':
      return 'Failed';
    case 'cancelled':
      return 'Cancelled';
    case 'expired':
      return 'Expired';
  }
}

/** "12 KB", "3.4 MB"; "—" when unknown. */
export function formatBytes(bytes: number | null): string {
  if (bytes === null || !Number.isFinite(bytes) || bytes < 0) return '—';
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = bytes / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v >= 10 ? Math.round(v) : v.toFixed(1)} ${units[i]}`;
}

/**
 * Toasts for exports that finished since the last look: ready (with its file name) or failed. An
 * export first seen already finished (the page opened later) gives none.
 */
/** The sentences of the export toasts, with {{name}} and {{message}} (the UI passes the catalogue's). */
export type ExportToastWords = (
  key: 'ready' | 'readyMessage' | 'failed' | 'failedMessage' | 'failedNoMessage',
  values: { name: string; message: string },
) => string;

const EXPORT_TOAST_ENGLISH: ExportToastWords = (key, v) =>
  ({
    ready: 'Export ready',
    readyMessage: `${v.name} is ready on the Exports page.`,
    failed: 'Export failed',
    failedMessage: `${v.name}: ${v.message}`,
    failedNoMessage: 'the export failed.',
  })[key];

export function exportTransitions(
  before: readonly ExportFile[] | undefined,
  after: readonly ExportFile[],
  say: ExportToastWords = EXPORT_TOAST_ENGLISH,
): Omit<Toast, 'id'>[] {
  if (!before) return [];
  const was = new Map(before.map((e) => [e.id, e.status]));
  const out: Omit<Toast, 'id'>[] = [];
  for (const e of after) {
    const prior = was.get(e.id);
    if (!prior || !PENDING.has(prior) || PENDING.has(e.status)) continue;
    if (e.status === 'ready')
      out.push({
        kind: 'success',
        title: say('ready', { name: e.fileName, message: '' }),
        message: say('readyMessage', { name: e.fileName, message: '' }),
        key: `export:${e.id}`,
      });
    else if (e.status === 'failed')
      out.push({
        kind: 'error',
        title: say('failed', { name: e.fileName, message: '' }),
        message: say('failedMessage', {
          name: e.fileName,
          message: e.error?.message ?? say('failedNoMessage', { name: e.fileName, message: '' }),
        }),
        key: `export:${e.id}`,
      });
  }
  return out;
}
