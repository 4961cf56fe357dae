import type {
  CreatePresetRequest,
  FilterPreset,
  PresetList,
  UpdatePresetRequest,
} from '../../../contract/index.js';
import { api, type ApiClient } from './api-client.js';

/** Typed calls of the presets API (contract/presets.schema.ts) on the shared client. */
export function presetsApi(client: ApiClient = api) {
  const base = (dashboardId: string) => `/dashboards/${encodeURIComponent(dashboardId)}`;
  const one = (dashboardId: string, id: string) => `${base(dashboardId)}/presets/${encodeURIComponent(id)}`;
  return {
    list: (dashboardId: string, signal?: AbortSignal) =>
      client.send<PresetList>('GET', `${base(dashboardId)}/presets`, undefined, signal),
    get: (dashboardId: string, id: string, signal?: AbortSignal) =>
      client.send<FilterPreset>('GET', one(dashboardId, id), undefined, signal),
    create: (dashboardId: string, body: CreatePresetRequest) =>
      client.send<FilterPreset>('POST', `${base(dashboardId)}/presets`, body),
    update: (dashboardId: string, id: string, body: UpdatePresetRequest) =>
      client.send<FilterPreset>('PATCH', one(dashboardId, id), body),
    remove: (dashboardId: string, id: string) => client.send<void>('DELETE', one(dashboardId, id)),
    setDefault: (dashboardId: string, presetId: string | null) =>
      client.send<void>('PUT', `${base(dashboardId)}/default-preset`, { presetId }),
  };
}
export type PresetsApi = ReturnType<typeof presetsApi>;
export const presets = presetsApi();
