import { useQuery } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import type { ExportFile } from '../../../contract/index.js';
import { exportListQuery } from '../api/exports-queries.js';
import { exportTransitions } from '../app/exports/export-jobs.js';
import { showToast } from '../app/shell/toasts.js';

/** On any page: a toast when one of the member's export jobs is ready (or failed). */
export function useExportToasts(signedIn: boolean): void {
  const list = useQuery({ ...exportListQuery(), enabled: signedIn });
  const previous = useRef<readonly ExportFile[] | undefined>(undefined);
  useEffect(() => {
    const now = list.data?.exports;
    if (!now) return;
    for (const toast of exportTransitions(previous.current, now)) showToast(toast);
    previous.current = now;
  }, [list.data]);
}
