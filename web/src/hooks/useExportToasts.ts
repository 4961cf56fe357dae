import { useQuery } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import type { ExportFile } from '../../../contract/index.js';
import { exportListQuery } from '../api/exports-queries.js';
import { exportTransitions, type ExportToastWords } from '../app/exports/export-jobs.js';
import { i18n } from '../app/i18n/i18n.js';
import { showToast } from '../app/shell/toasts.js';

/** On any page: a toast when one of the member's export jobs is ready (or failed). */
export function useExportToasts(signedIn: boolean): void {
  const list = useQuery({ ...exportListQuery(), enabled: signedIn });
  const previous = useRef<readonly ExportFile[] | undefined>(undefined);
  useEffect(() => {
    const now = list.data?.exports;
    if (!now) return;
    // In the reader's language at the time of the toast (i18n.t follows a language change).
    const say: ExportToastWords = (key, v) => i18n.t(`toasts.export.${key}`, { ...v });
    for (const toast of exportTransitions(previous.current, now, say)) showToast(toast);
    previous.current = now;
  }, [list.data]);
}
