import type { QueryClient } from '@tanstack/react-query';
import type { FilterPreset, FilterValues, PresetList } from '../../../contract/index.js';
import { presets, type PresetsApi } from './presets-api.js';
import { presetKeys } from './presets-queries.js';

/**
 * Preset writes, optimistic (accounts-mutations.ts describes the factory pattern): the list in the
 * cache changes at once, the previous list comes back if the server refuses, and the server's answer
 * is fetched afterwards either way.
 */
type Snapshot = { previous: PresetList | undefined };

function optimistic<V>(
  queryClient: QueryClient,
  dashboardId: string,
  change: (list: PresetList, vars: V) => PresetList,
) {
  const key = presetKeys.list(dashboardId);
  return {
    onMutate: async (vars: V): Promise<Snapshot> => {
      await queryClient.cancelQueries({ queryKey: key });
      const previous = queryClient.getQueryData<PresetList>(key);
      if (previous) queryClient.setQueryData<PresetList>(key, change(previous, vars));
      return { previous };
    },
    onError: (_err: unknown, _vars: V, snapshot: Snapshot | undefined) => {
      if (snapshot?.previous) queryClient.setQueryData(key, snapshot.previous);
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: key }),
  };
}

const byName = (a: FilterPreset, b: FilterPreset) => a.name.localeCompare(b.name);

export interface SavePresetVars {
  readonly name: string;
  readonly filters: FilterValues;
  readonly shared: boolean;
}

/** Save the current filters: a placeholder row (id `pending-…`) until the server answers. */
export function savePresetMutation(
  queryClient: QueryClient,
  dashboardId: string,
  client: PresetsApi = presets,
) {
  return {
    mutationFn: (vars: SavePresetVars) => client.create(dashboardId, vars),
    ...optimistic<SavePresetVars>(queryClient, dashboardId, (list, vars) => ({
      ...list,
      presets: [
        ...list.presets,
        {
          id: `pending-${vars.name}`,
          name: vars.name.trim(),
          shared: vars.shared,
          mine: true,
          editable: false,
          filters: vars.filters,
          dropped: [],
          updatedAt: new Date().toISOString(),
        },
      ].sort(byName),
    })),
  };
}

export function renamePresetMutation(
  queryClient: QueryClient,
  dashboardId: string,
  client: PresetsApi = presets,
) {
  return {
    mutationFn: (vars: { id: string; name: string }) =>
      client.update(dashboardId, vars.id, { name: vars.name }),
    ...optimistic<{ id: string; name: string }>(queryClient, dashboardId, (list, vars) => ({
      ...list,
      presets: list.presets
        .map((p) => (p.id === vars.id ? { ...p, name: vars.name.trim() } : p))
        .sort(byName),
    })),
  };
}

export function sharePresetMutation(
  queryClient: QueryClient,
  dashboardId: string,
  client: PresetsApi = presets,
) {
  return {
    mutationFn: (vars: { id: string; shared: boolean }) =>
      client.update(dashboardId, vars.id, { shared: vars.shared }),
    ...optimistic<{ id: string; shared: boolean }>(queryClient, dashboardId, (list, vars) => ({
      ...list,
      presets: list.presets.map((p) => (p.id === vars.id ? { ...p, shared: vars.shared } : p)),
    })),
  };
}

export function deletePresetMutation(
  queryClient: QueryClient,
  dashboardId: string,
  client: PresetsApi = presets,
) {
  return {
    mutationFn: (id: string) => client.remove(dashboardId, id),
    ...optimistic<string>(queryClient, dashboardId, (list, id) => ({
      presets: list.presets.filter((p) => p.id !== id),
      defaultPresetId: list.defaultPresetId === id ? null : list.defaultPresetId,
    })),
  };
}

export function defaultPresetMutation(
  queryClient: QueryClient,
  dashboardId: string,
  client: PresetsApi = presets,
) {
  return {
    mutationFn: (presetId: string | null) => client.setDefault(dashboardId, presetId),
    ...optimistic<string | null>(queryClient, dashboardId, (list, presetId) => ({
      ...list,
      defaultPresetId: presetId,
    })),
  };
}
