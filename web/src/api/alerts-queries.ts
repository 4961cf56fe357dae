import { mutationOptions, queryOptions, type QueryClient } from '@tanstack/react-query';
import type { AlertCreateBody, AlertRule, AlertUpdateBody } from '../../../contract/index.js';
import { alertsClient, type AlertList, type AlertsApi } from './alerts-api.js';

export const alertKeys = {
  all: () => ['alerts'] as const,
  list: () => ['alerts', 'list'] as const,
  history: (id: string) => ['alerts', 'history', id] as const,
};

/** The caller's alert rules with their state and last value. */
export function alertListQuery(client: AlertsApi = alertsClient) {
  return queryOptions({
    queryKey: alertKeys.list(),
    queryFn: ({ signal }) => client.list(signal),
    staleTime: 5_000,
  });
}

/** One rule's transitions, newest first (opened on demand from its row). */
export function alertHistoryQuery(id: string, client: AlertsApi = alertsClient) {
  return queryOptions({
    queryKey: alertKeys.history(id),
    queryFn: ({ signal }) => client.history(id, signal),
    staleTime: 5_000,
  });
}

/** Create: refused per field (SCHEDULE_INVALID, WEBHOOK_URL_FORBIDDEN…) as the mutation's error. */
export function createAlertMutation(queryClient: QueryClient, client: AlertsApi = alertsClient) {
  return mutationOptions({
    mutationFn: (body: AlertCreateBody) => client.create(body),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: alertKeys.list() }),
  });
}

/** Change or mute/unmute: the server's answer replaces the rule in the list at once. */
export function updateAlertMutation(queryClient: QueryClient, client: AlertsApi = alertsClient) {
  return mutationOptions({
    mutationFn: ({ id, body }: { id: string; body: AlertUpdateBody }) => client.update(id, body),
    onSuccess: (next: AlertRule) =>
      queryClient.setQueryData<AlertList>(alertKeys.list(), (old) =>
        old ? { alerts: old.alerts.map((a) => (a.id === next.id ? next : a)) } : old,
      ),
  });
}

/** Delete a rule and its history: it leaves the list, and its history's cache goes. */
export function removeAlertMutation(queryClient: QueryClient, client: AlertsApi = alertsClient) {
  return mutationOptions({
    mutationFn: (id: string) => client.remove(id),
    onSuccess: (_void, id) => {
      queryClient.setQueryData<AlertList>(alertKeys.list(), (old) =>
        old ? { alerts: old.alerts.filter((a) => a.id !== id) } : old,
      );
      queryClient.removeQueries({ queryKey: alertKeys.history(id) });
    },
  });
}
