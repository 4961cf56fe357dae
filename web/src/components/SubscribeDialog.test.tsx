import { fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { DashboardDefinition, FilterPreset, Subscription } from '../../../contract/index.js';
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

describe('Edit a subscription', () => {
  const saved: Subscription = {
    id: 'sub_1',
    dashboard: 'sales',
    widget: null,
    format: 'pdf',
    query: '?status=COMPLETED',
    filters: null,
    preset: null,
    schedule: '0 8 * * 1',
    timeZone: 'Europe/Berlin',
    channel: 'webhook',
    target: 'https://hooks.example.com/r',
    status: 'active',
    nextRunAt: '2026-12-07T07:00:00.000Z',
    mine: true,
    lastDelivery: null,
    createdAt: '2026-12-01T00:00:00.000Z',
  };

  it('opens prefilled and sends only a PATCH of the form, its saved filters kept; no new secret', async () => {
    const onClose = vi.fn();
    const requests = serveApi(({ method, url, body }) => {
      if (method === 'PATCH' && url.pathname === '/api/v1/subscriptions/sub_1')
        return { body: { subscription: { ...saved, ...(body as object) }, webhookSecret: null } };
      return { status: 404, body: { error: 'NOT_FOUND', message: 'Not found.', requestId: 'r' } };
    });
    renderWithQueryClient(<SubscribeDialog definition={definition} subscription={saved} onClose={onClose} />);
    expect(screen.getByRole('heading', { name: 'Edit the report of Sales' })).toBeTruthy();
    expect(screen.getByText('With the filters saved with this report.')).toBeTruthy();
    expect((screen.getByLabelText('Cron schedule') as HTMLInputElement).value).toBe('0 8 * * 1');
    expect((screen.getByLabelText('Time zone') as HTMLInputElement).value).toBe('Europe/Berlin');
    expect((screen.getByLabelText('Webhook URL') as HTMLInputElement).value).toBe(saved.target);
    fireEvent.change(screen.getByLabelText('Cron schedule'), { target: { value: '0 9 * * *' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save report' }));
    await waitFor(() => expect(onClose).toHaveBeenCalled());
    expect(requests.some((r) => r.method === 'POST')).toBe(false);
    const sent = requests.find((r) => r.method === 'PATCH')?.body as Record<string, unknown>;
    expect(sent).toEqual({
      format: 'pdf',
      query: '?status=COMPLETED',
      schedule: '0 9 * * *',
      timeZone: 'Europe/Berlin',
      channel: 'webhook',
    });
  });

  it('a refused new URL is shown beside its field, and the dialog stays open', async () => {
    const onClose = vi.fn();
    serveApi(({ method }) =>
      method === 'PATCH'
        ? {
            status: 400,
            body: { error: 'WEBHOOK_URL_FORBIDDEN', message: 'Not that address.', requestId: 'r' },
          }
        : { status: 404, body: { error: 'NOT_FOUND', message: 'Not found.', requestId: 'r' } },
    );
    renderWithQueryClient(<SubscribeDialog definition={definition} subscription={saved} onClose={onClose} />);
    const url = screen.getByLabelText('Webhook URL');
    fireEvent.change(url, { target: { value: 'http://127.0.0.1/x' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save report' }));
    const error = await screen.findByText('Not that address.');
    expect(url.getAttribute('aria-describedby')).toBe(error.id);
    expect(onClose).not.toHaveBeenCalled();
  });
});
