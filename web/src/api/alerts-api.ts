import type { z } from 'zod';
import type {
  AlertCreateBody,
  AlertUpdated,
  AlertUpdateBody,
  alertCreated,
  alertHistoryResponse,
  alertListResponse,
} from '../../../contract/index.js';
import { api, type ApiClient } from './api-client.js';

export type AlertList = z.infer<typeof alertListResponse>;
export type AlertHistory = z.infer<typeof alertHistoryResponse>;
export type AlertCreated = z.infer<typeof alertCreated>;

/** Typed calls of the alerts API (contract/alerts.schema.ts; docs/exports.md, "Alerts"). */
export function alertsApi(client: ApiClient = api) {
  const seg = encodeURIComponent;
  return {
    list: (signal?: AbortSignal) => client.send<AlertList>('GET', '/alerts', undefined, signal),
    create: (body: AlertCreateBody) => client.send<AlertCreated>('POST', '/alerts', body),
    update: (id: string, body: AlertUpdateBody) =>
      client.send<AlertUpdated>('PATCH', `/alerts/${seg(id)}`, body),
    remove: (id: string) => client.send<void>('DELETE', `/alerts/${seg(id)}`),
    history: (id: string, signal?: AbortSignal) =>
      client.send<AlertHistory>('GET', `/alerts/${seg(id)}/history`, undefined, signal),
  };
}

export type AlertsApi = ReturnType<typeof alertsApi>;
export const alertsClient = alertsApi();
