import { fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { DashboardDefinition, FilterPreset } from '../../../contract/index.js';
import { renderWithQueryClient, serveApi, type ServedRequest } from '../dom-test-kit.js';
import { SubscribeDialog } from './SubscribeDialog.js';

// Only what the dialog reads: no filters, no CSV widgets (PDF only).
const definition = {
  id: 'sales',
  title: 'Sales',
  filters: [],
  widgets: [],
} as unknown as DashboardDefinition;

const preset = (id: string, name: string, shared: boolean): FilterPreset => ({
  id,
  name,
  shared,
  mine: !shared,
  editable: !shared,
  filters: { status: 'COMPLETED' },
  dropped: [],
  updatedAt: '2026-12-01T00:00:00.000Z',
});

afterEach(() => vi.unstubAllGlobals());

function serve(presets: FilterPreset[], answer: (body: unknown) => { status?: number; body: unknown }) {
  return serveApi(({ method, url, body }) => {
    if (url.pathname === '/api/v1/dashboards/sales/presets')
      return { body: { presets, defaultPresetId: null } };
    if (method === 'POST' && url.pathname === '/api/v1/subscriptions') return answer(body);
    return { status: 404, body: { error: 'NOT_FOUND', message: 'Not found.', requestId: 'r' } };
  });
}

const presetsRead = (requests: ServedRequest[]) =>
  requests.filter((r) => r.url.pathname.endsWith('/presets')).length;

describe('Subscribe… with a saved preset', () => {
  it('offers the presets the member may see and sends the chosen one instead of filters', async () => {
    const onClose = vi.fn();
    const requests = serve([preset('prs_a', 'Mine', false), preset('prs_b', 'Team view', true)], () => ({
      status: 201,
      body: { subscription: {}, webhookSecret: null },
    }));
    renderWithQueryClient(<SubscribeDialog definition={definition} filters={{}} onClose={onClose} />);
    // The bar's filters are the default, and the presets are not read until asked for.
    expect(screen.getByText('With the filters shown on the dashboard now.')).toBeTruthy();
    expect(presetsRead(requests)).toBe(0);
    fireEvent.click(screen.getByLabelText('A saved preset'));
    const select = (await screen.findByLabelText('Preset')) as HTMLSelectElement;
    expect([...select.options].map((o) => o.text)).toEqual(['Mine', 'Team view (shared)']);
    fireEvent.change(select, { target: { value: 'prs_b' } });
    fireEvent.click(screen.getByRole('button', { name: 'Subscribe' }));
    await waitFor(() => expect(onClose).toHaveBeenCalled());
    const sent = requests.find((r) => r.method === 'POST')?.body as Record<string, unknown>;
    expect(sent).toMatchObject({ dashboard: 'sales', format: 'pdf', preset: 'prs_b', channel: 'email' });
    expect(sent).not.toHaveProperty('query');
    expect(sent).not.toHaveProperty('filters');
  });

  it('shows PRESET_NOT_FOUND beside the preset, and clears it when another is chosen', async () => {
    const requests = serve([preset('prs_a', 'Mine', false), preset('prs_b', 'Gone', true)], () => ({
      status: 404,
      body: { error: 'PRESET_NOT_FOUND', message: 'That preset does not exist.', requestId: 'r1' },
    }));
    renderWithQueryClient(<SubscribeDialog definition={definition} filters={{}} onClose={() => undefined} />);
    fireEvent.click(screen.getByLabelText('A saved preset'));
    const select = (await screen.findByLabelText('Preset')) as HTMLSelectElement;
    fireEvent.change(select, { target: { value: 'prs_b' } });
    fireEvent.click(screen.getByRole('button', { name: 'Subscribe' }));
    const error = await screen.findByText('That preset does not exist.');
    expect(select.getAttribute('aria-invalid')).toBe('true');
    expect(select.getAttribute('aria-describedby')).toBe(error.id);
    expect(requests.filter((r) => r.method === 'POST')).toHaveLength(1);
    fireEvent.change(select, { target: { value: 'prs_a' } });
    expect(screen.queryByText('That preset does not exist.')).toBeNull();
  });

  it('says so when the dashboard has no preset to use, and sends nothing', async () => {
    const requests = serve([], () => ({ status: 500, body: {} }));
    renderWithQueryClient(<SubscribeDialog definition={definition} filters={{}} onClose={() => undefined} />);
    fireEvent.click(screen.getByLabelText('A saved preset'));
    await screen.findByText(/This dashboard has no preset you may use/);
    fireEvent.click(screen.getByRole('button', { name: 'Subscribe' }));
    expect(requests.filter((r) => r.method === 'POST')).toHaveLength(0);
  });
});
