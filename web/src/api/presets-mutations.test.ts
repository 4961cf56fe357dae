import { MutationObserver, QueryClient } from '@tanstack/react-query';
import { describe, expect, it } from 'vitest';
import type { FilterPreset, PresetList } from '../../../contract/index.js';
import { jsonResponse, noContent, recordingClient } from './api-test-client.js';
import { presetsApi } from './presets-api.js';
import { deletePresetMutation, renamePresetMutation, savePresetMutation } from './presets-mutations.js';
import { presetKeys } from './presets-queries.js';

const preset = (id: string, name: string): FilterPreset => ({
  id,
  name,
  shared: false,
  mine: true,
  editable: true,
  filters: { status: ['COMPLETED'] },
  dropped: [],
  updatedAt: '2026-01-01T00:00:00.000Z',
});
const KEY = presetKeys.list('overview');

function cacheWith(list: PresetList) {
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  queryClient.setQueryData(KEY, list);
  return queryClient;
}

/** A server that holds its answer until released, so the test can look at the cache in between. */
function heldServer(answer: () => Response) {
  let release: () => void = () => undefined;
  const gate = new Promise<void>((r) => (release = r));
  const { client, calls } = recordingClient(() => answer());
  const held = new Proxy(client, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (prop !== 'send' || typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        await gate;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { client: held, calls, release };
}

describe('preset mutations are optimistic', () => {
  it('a rename shows before the server answers, and stays once it agrees', async () => {
    const queryClient = cacheWith({ presets: [preset('prs_a', 'Old')], defaultPresetId: null });
    const server = heldServer(() => jsonResponse({ ...preset('prs_a', 'New') }));
    const observer = new MutationObserver(
      queryClient,
      renamePresetMutation(queryClient, 'overview', presetsApi(server.client)),
    );
    const done = observer.mutate({ id: 'prs_a', name: ' New ' });
    await new Promise((r) => setTimeout(r, 0));
    expect(queryClient.getQueryData<PresetList>(KEY)?.presets.map((p) => p.name)).toEqual(['New']);
    server.release();
    await done;
    expect(server.calls).toEqual([
      { call: 'PATCH /api/v1/dashboards/overview/presets/prs_a', body: { name: ' New ' } },
    ]);
  });

  it('a refused delete puts the preset (and the default) back', async () => {
    const queryClient = cacheWith({ presets: [preset('prs_a', 'Keep')], defaultPresetId: 'prs_a' });
    const server = heldServer(() =>
      jsonResponse({ error: 'FORBIDDEN', message: 'Only whoever saved this preset…', requestId: 'r1' }, 403),
    );
    const observer = new MutationObserver(
      queryClient,
      deletePresetMutation(queryClient, 'overview', presetsApi(server.client)),
    );
    const done = observer.mutate('prs_a').catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 0));
    expect(queryClient.getQueryData<PresetList>(KEY)).toEqual({ presets: [], defaultPresetId: null });
    server.release();
    expect(await done).toMatchObject({ code: 'FORBIDDEN' });
    expect(queryClient.getQueryData<PresetList>(KEY)).toEqual({
      presets: [preset('prs_a', 'Keep')],
      defaultPresetId: 'prs_a',
    });
  });

  it('a save adds a pending row in name order, sending only ids and values', async () => {
    const queryClient = cacheWith({ presets: [preset('prs_b', 'B')], defaultPresetId: null });
    const server = heldServer(() => noContent());
    const observer = new MutationObserver(
      queryClient,
      savePresetMutation(queryClient, 'overview', presetsApi(server.client)),
    );
    const done = observer.mutate({ name: 'A', filters: { phase: ['PHASE2'] }, shared: true });
    await new Promise((r) => setTimeout(r, 0));
    const list = queryClient.getQueryData<PresetList>(KEY);
    expect(list?.presets.map((p) => [p.id, p.name, p.editable])).toEqual([
      ['pending-A', 'A', false],
      ['prs_b', 'B', true],
    ]);
    server.release();
    await done;
    expect(server.calls[0]).toEqual({
      call: 'POST /api/v1/dashboards/overview/presets',
      body: { name: 'A', filters: { phase: ['PHASE2'] }, shared: true },
    });
  });
});
