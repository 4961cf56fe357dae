import { queryOptions } from '@tanstack/react-query';
import { isPending } from '../app/exports/export-jobs.js';
import { exportsClient, type ExportsApi } from './exports-api.js';

export const exportKeys = {
  all: () => ['exports'] as const,
  list: () => ['exports', 'list'] as const,
};

/** While polling: how often the list is asked again while an export is queued or running. */
export const EXPORT_POLL_MS = 1_000;

/**
 * The caller's export jobs (admins: the organisation's). Polled only while one of them is pending —
 * progress, then the "ready" toast — and quiet otherwise.
 */
export function exportListQuery(client: ExportsApi = exportsClient) {
  return queryOptions({
    queryKey: exportKeys.list(),
    queryFn: ({ signal }) => client.list(signal),
    staleTime: 5_000,
    refetchInterval: (query) => (query.state.data?.exports.some(isPending) ? EXPORT_POLL_MS : false),
  });
}
