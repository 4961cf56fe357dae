import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AlertRule } from '../../../contract/index.js';
import { renderWithQueryClient, serveApi } from '../dom-test-kit.js';
import { AlertList } from './AlertList.js';

const rule: AlertRule = {
  id: 'alr_1',
  dashboard: 'ops',
  widget: 'total',
  title: 'Open orders',
  filters: {},
  condition: 'above',
  threshold: 100,
  everyMinutes: 15,
  cron: null,
  timeZone: 'UTC',
  channel: 'webhook',
  target: 'https://hooks.example.com/x',
  state: 'ok',
  lastValue: 42,
  lastCheckedAt: '2026-12-01T08:00:00.000Z',
  lastError: null,
  nextCheckAt: '2026-12-01T08:15:00.000Z',
  mutedUntil: null,
  mine: true,
  createdAt: '2026-12-01T07:00:00.000Z',
};

afterEach(() => vi.unstubAllGlobals());

const field = (label: string) => screen.getByLabelText(label) as HTMLInputElement;

describe('Edit an alert', () => {
  it('opens the dialog prefilled, sends the change with PATCH and shows the saved rule', async () => {
    let saved = rule;
    const requests = serveApi(({ method, url, body }) => {
      if (method === 'PATCH' && url.pathname === '/api/v1/alerts/alr_1') {
        const b = body as { threshold: number | null; condition: AlertRule['condition'] };
        // As the server's schema answers a threshold that is not a number (NaN goes as null).
        if (b.threshold === null)
          return {
            status: 400,
            body: {
              error: 'VALIDATION_FAILED',
              message: 'Invalid input: expected number, received null',
              requestId: 'r1',
              issues: [{ path: 'threshold', message: 'Invalid input: expected number, received null' }],
            },
          };
        saved = { ...rule, ...b, threshold: b.threshold };
        return { body: saved };
      }
      if (url.pathname === '/api/v1/alerts') return { body: { alerts: [saved] } };
      return { status: 404, body: { error: 'NOT_FOUND', message: 'Not found.', requestId: 'r' } };
    });
    renderWithQueryClient(<AlertList />);
    fireEvent.click(await screen.findByRole('button', { name: 'Edit the alert on Open orders (ops)' }));
    const dialog = screen.getByTestId('alert-form');
    expect(field('Threshold').value).toBe('100');
    expect((within(dialog).getByLabelText('goes above') as HTMLInputElement).checked).toBe(true);
    expect(field('Every (minutes)').value).toBe('15');
    // The channel is offered as saved; left alone, it is not sent (the webhook keeps its secret).
    expect((within(dialog).getByLabelText('Webhook') as HTMLInputElement).checked).toBe(true);
    expect(field('Webhook URL').value).toBe('https://hooks.example.com/x');

    fireEvent.click(within(dialog).getByLabelText('changes by at least (%)'));
    fireEvent.change(field('Percentage'), { target: { value: 'five' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save alert' }));
    const error = await screen.findByText('Invalid input: expected number, received null');
    expect(field('Percentage').getAttribute('aria-describedby')).toBe(error.id);
    expect(field('Percentage').getAttribute('aria-invalid')).toBe('true');

    fireEvent.change(field('Percentage'), { target: { value: '7,5' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save alert' }));
    await waitFor(() => expect(screen.queryByTestId('alert-form')).toBeNull());
    const patches = requests.filter((r) => r.method === 'PATCH');
    // Schedule unchanged: not sent (it would restart the next check).
    expect(patches.at(-1)?.body).toEqual({ condition: 'change', threshold: 7.5 });
    expect(screen.getByText('Changes by 7.5 % or more')).toBeTruthy();
  });

  it('a new webhook URL is sent with its channel (the server checks it and makes a new secret)', async () => {
    const requests = serveApi(({ method, url, body }) => {
      if (method === 'PATCH' && url.pathname === '/api/v1/alerts/alr_1') {
        const b = body as { url: string };
        return { body: { ...rule, target: b.url, webhookSecret: 'new-secret-0123456789' } };
      }
      if (url.pathname === '/api/v1/alerts') return { body: { alerts: [rule] } };
      return { status: 404, body: { error: 'NOT_FOUND', message: 'Not found.', requestId: 'r' } };
    });
    renderWithQueryClient(<AlertList />);
    fireEvent.click(await screen.findByRole('button', { name: 'Edit the alert on Open orders (ops)' }));
    fireEvent.change(field('Webhook URL'), { target: { value: ' https://hooks.example.com/new ' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save alert' }));
    await waitFor(() => expect(screen.queryByTestId('alert-form')).toBeNull());
    expect(requests.filter((r) => r.method === 'PATCH').at(-1)?.body).toMatchObject({
      channel: 'webhook',
      url: 'https://hooks.example.com/new',
    });
  });
});
