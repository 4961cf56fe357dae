import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { FilterDefinition } from '../../../contract/index.js';
import { navigate } from '../app/routing/router.js';
import { renderWithQueryClient, serveApi, type ServedRequest } from '../dom-test-kit.js';
import { useDashboardFilters } from '../hooks/useDashboardFilters.js';
import { FilterBar } from './FilterBar.js';

const FILTERS: FilterDefinition[] = [
  { id: 'status', type: 'multi_select', label: 'Status' },
  { id: 'started', type: 'date_range', label: 'Start date' },
  { id: 'enrollment', type: 'number_range', label: 'Enrollment', min: 0, max: 10_000, step: 1 },
  { id: 'title', type: 'text', label: 'Title' },
];
const STATUSES = [
  { value: 'COMPLETED', count: 120 },
  { value: 'RECRUITING', count: 80 },
  { value: 'NOT_YET_RECRUITING', count: 12 },
  { value: 'WITHDRAWN', count: 3 },
];

/** The page's wiring: filter state in the URL (useDashboardFilters), shown by the bar. */
function Page() {
  const state = useDashboardFilters(FILTERS);
  return <FilterBar dashboardId="overview" filters={FILTERS} state={state} />;
}

let requests: ServedRequest[];
beforeEach(() => {
  act(() => navigate('/d/overview', { replace: true }));
  // The options endpoint as the server answers it: values containing the search, with counts.
  requests = serveApi(({ url }) => {
    const search = (url.searchParams.get('search') ?? '').toLowerCase();
    return {
      body: {
        filter: 'status',
        options: STATUSES.filter((o) => o.value.toLowerCase().includes(search)),
        more: false,
      },
    };
  });
});
afterEach(() => vi.unstubAllGlobals());

const search = () => new URLSearchParams(window.location.search);
const statusBox = () => screen.getByRole('combobox', { name: 'Status' });
const optionNames = () =>
  within(screen.getByRole('listbox', { name: 'Status' }))
    .queryAllByRole('option')
    .map((o) => o.querySelector('.ms-value')?.textContent);

describe('the filter bar', () => {
  it('shows the filters of a copied URL in every control, and counts them on Reset', () => {
    act(() =>
      navigate(
        '/d/overview?status=RECRUITING,COMPLETED&started=2015-01-01..2020-12-31&enrollment=10..500&title=diabetes',
      ),
    );
    renderWithQueryClient(<Page />);
    expect(screen.getByRole('button', { name: 'Remove RECRUITING from Status' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Remove COMPLETED from Status' })).toBeTruthy();
    expect((screen.getByLabelText('From') as HTMLInputElement).value).toBe('2015-01-01');
    expect((screen.getByLabelText('To') as HTMLInputElement).value).toBe('2020-12-31');
    expect((screen.getByLabelText('Min') as HTMLInputElement).value).toBe('10');
    expect((screen.getByLabelText('Max') as HTMLInputElement).value).toBe('500');
    expect((screen.getByLabelText('Title') as HTMLInputElement).value).toBe('diabetes');
    expect(screen.getByRole('button', { name: 'Reset filters (4)' })).toBeTruthy();
  });

  it('with no filter set, Reset is disabled and the URL has no query', () => {
    renderWithQueryClient(<Page />);
    expect((screen.getByRole('button', { name: 'Reset filters' }) as HTMLButtonElement).disabled).toBe(true);
    expect(window.location.search).toBe('');
  });

  it('multi-select: searches the server as you type and puts a picked value in the URL', async () => {
    renderWithQueryClient(<Page />);
    fireEvent.focus(statusBox());
    await waitFor(() =>
      expect(optionNames()).toEqual(['COMPLETED', 'RECRUITING', 'NOT_YET_RECRUITING', 'WITHDRAWN']),
    );
    expect(statusBox().getAttribute('aria-expanded')).toBe('true');

    fireEvent.change(statusBox(), { target: { value: 'recr' } });
    await waitFor(() => expect(optionNames()).toEqual(['RECRUITING', 'NOT_YET_RECRUITING']));
    // One request per pause in typing, with the search and the bounded limit.
    const asked = requests.map((r) => `${r.url.pathname}?${r.url.searchParams.toString()}`);
    expect(asked).toEqual([
      '/api/v1/dashboards/overview/filters/status/options?limit=50',
      '/api/v1/dashboards/overview/filters/status/options?search=recr&limit=50',
    ]);

    fireEvent.click(screen.getByRole('option', { name: /^RECRUITING/ }));
    expect(search().get('status')).toBe('RECRUITING');
    expect(screen.getByRole('option', { name: /^RECRUITING/ }).getAttribute('aria-selected')).toBe('true');
    expect(screen.getByRole('button', { name: 'Remove RECRUITING from Status' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Reset filters (1)' })).toBeTruthy();
  });

  it('multi-select keyboard: arrows move, Enter toggles, Escape closes, Backspace removes the last chip', async () => {
    renderWithQueryClient(<Page />);
    const box = statusBox();
    fireEvent.keyDown(box, { key: 'Enter' }); // opens
    await waitFor(() => expect(optionNames()).toHaveLength(4));
    fireEvent.keyDown(box, { key: 'ArrowDown' });
    fireEvent.keyDown(box, { key: 'ArrowDown' });
    const active = box.getAttribute('aria-activedescendant');
    expect(active && document.getElementById(active)?.textContent).toContain('RECRUITING');
    fireEvent.keyDown(box, { key: 'Enter' });
    expect(search().get('status')).toBe('RECRUITING');
    fireEvent.keyDown(box, { key: 'End' });
    fireEvent.keyDown(box, { key: 'Enter' });
    expect(search().get('status')).toBe('RECRUITING,WITHDRAWN');
    fireEvent.keyDown(box, { key: 'Enter' }); // toggles WITHDRAWN off again
    expect(search().get('status')).toBe('RECRUITING');

    fireEvent.keyDown(box, { key: 'Escape' });
    expect(box.getAttribute('aria-expanded')).toBe('false');
    expect(screen.queryByRole('listbox')).toBeNull();

    fireEvent.keyDown(box, { key: 'Backspace' });
    expect(search().has('status')).toBe(false);
    expect(screen.queryByRole('button', { name: /^Remove / })).toBeNull();
  });

  it('date range: commits a finished date after a pause; a reversed range is shown, never sent', async () => {
    renderWithQueryClient(<Page />);
    fireEvent.change(screen.getByLabelText('From'), { target: { value: '2020-01-01' } });
    expect(search().has('started')).toBe(false); // not while the date may still be typed
    await waitFor(() => expect(search().get('started')).toBe('2020-01-01..'));

    fireEvent.change(screen.getByLabelText('To'), { target: { value: '2019-06-30' } });
    fireEvent.blur(screen.getByLabelText('To'));
    expect(screen.getByRole('alert').textContent).toBe('“From” must not be after “To”.');
    expect(screen.getByLabelText('To').getAttribute('aria-invalid')).toBe('true');
    await new Promise((r) => setTimeout(r, 700));
    expect(search().get('started')).toBe('2020-01-01..');

    fireEvent.change(screen.getByLabelText('To'), { target: { value: '2021-06-30' } });
    fireEvent.blur(screen.getByLabelText('To'));
    expect(search().get('started')).toBe('2020-01-01..2021-06-30');
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('number range: Enter commits at once; min above max is explained and not sent', () => {
    renderWithQueryClient(<Page />);
    const min = screen.getByLabelText('Min') as HTMLInputElement;
    const max = screen.getByLabelText('Max') as HTMLInputElement;
    expect([min.min, min.max, min.step]).toEqual(['0', '10000', '1']);
    fireEvent.change(min, { target: { value: '100' } });
    fireEvent.keyDown(min, { key: 'Enter' });
    expect(search().get('enrollment')).toBe('100..');

    fireEvent.change(max, { target: { value: '50' } });
    fireEvent.keyDown(max, { key: 'Enter' });
    expect(screen.getByRole('alert').textContent).toBe('“Min” must not exceed “Max”.');
    expect(search().get('enrollment')).toBe('100..');

    fireEvent.change(max, { target: { value: '5000' } });
    fireEvent.blur(max);
    expect(search().get('enrollment')).toBe('100..5000');
  });

  it('text: waits for a pause in typing, or commits on Enter; odd characters survive the URL', async () => {
    renderWithQueryClient(<Page />);
    const title = screen.getByLabelText('Title');
    fireEvent.change(title, { target: { value: 'type 2' } });
    expect(search().has('title')).toBe(false);
    await waitFor(() => expect(search().get('title')).toBe('type 2'));

    fireEvent.change(title, { target: { value: 'a&b=c, 100%' } });
    fireEvent.keyDown(title, { key: 'Enter' });
    expect(search().get('title')).toBe('a&b=c, 100%');
  });

  it('Reset clears the URL and every control; Back brings the filters back', async () => {
    act(() => navigate('/d/overview?status=WITHDRAWN&enrollment=..9&title=x'));
    renderWithQueryClient(<Page />);
    fireEvent.click(screen.getByRole('button', { name: 'Reset filters (3)' }));
    expect(window.location.pathname + window.location.search).toBe('/d/overview');
    await waitFor(() => expect((screen.getByLabelText('Title') as HTMLInputElement).value).toBe(''));
    expect((screen.getByLabelText('Max') as HTMLInputElement).value).toBe('');
    expect(screen.queryByRole('button', { name: /^Remove / })).toBeNull();

    act(() => window.history.back());
    await waitFor(() => expect(screen.getByRole('button', { name: 'Reset filters (3)' })).toBeTruthy());
    expect((screen.getByLabelText('Title') as HTMLInputElement).value).toBe('x');
    expect((screen.getByLabelText('Max') as HTMLInputElement).value).toBe('9');
    expect(screen.getByRole('button', { name: 'Remove WITHDRAWN from Status' })).toBeTruthy();
  });
});
