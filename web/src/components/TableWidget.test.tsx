import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Cell, ResultColumn, SortSpec, WidgetDefinition } from '../../../contract/index.js';
import { setLocale } from '../app/i18n/i18n.js';
import { renderWithQueryClient, serveApi, type ServedRequest } from '../dom-test-kit.js';
import { DataTable } from './DataTable.js';
import { WidgetCard } from './WidgetCard.js';

const COLUMNS: ResultColumn[] = [
  { key: 'nct_id', label: 'NCT id', type: 'string', role: 'dimension' },
  { key: 'title', label: 'Title', type: 'string', role: 'dimension' },
  { key: 'enrollment', label: 'Enrollment', type: 'number', role: 'measure', format: 'integer' },
];
/** 23 studies: NCT001…NCT023, enrollment descending with the id so the two sorts differ. */
const STUDIES: Cell[][] = Array.from({ length: 23 }, (_, i) => [
  `NCT${String(i + 1).padStart(3, '0')}`,
  `Study ${i + 1}`,
  (23 - i) * 10,
]);
const TABLE: WidgetDefinition = {
  id: 'studies',
  type: 'table',
  title: 'Studies',
  width: 12,
  height: 'large',
  filters: [],
  freshnessMs: 0,
  pageSize: 10,
  sortable: ['title', 'enrollment'],
};

interface DataBody {
  page?: { offset: number; limit: number };
  sort?: SortSpec;
}

/** The widget data endpoint as the server answers it: sorted (by id unless asked), one page, the total. */
function serveStudies(rows: Cell[][]) {
  return serveApi(({ body }) => {
    const { page = { offset: 0, limit: 10 }, sort } = body as DataBody;
    const by = sort ?? { column: 'nct_id', direction: 'asc' };
    const i = COLUMNS.findIndex((c) => c.key === by.column);
    const sorted = [...rows].sort((a, b) => {
      const x = a[i] as string | number;
      const y = b[i] as string | number;
      return (x < y ? -1 : x > y ? 1 : 0) * (by.direction === 'asc' ? 1 : -1);
    });
    const pageRows = sorted.slice(page.offset, page.offset + page.limit);
    return {
      body: {
        widget: 'studies',
        columns: COLUMNS,
        rows: pageRows,
        total: rows.length,
        page,
        sort: by,
        meta: {
          queryMs: 1,
          rowCount: pageRows.length,
          asOf: new Date().toISOString(),
          cache: 'miss',
          stale: false,
        },
      },
    };
  });
}

let requests: ServedRequest[];
beforeEach(() => {
  requests = serveStudies(STUDIES);
});
afterEach(() => vi.unstubAllGlobals());

const renderTable = () =>
  renderWithQueryClient(<WidgetCard dashboardId="overview" widget={TABLE} filters={{}} filtersKey="" />);
const firstColumn = () =>
  within(screen.getByRole('table'))
    .getAllByRole('row')
    .slice(1)
    .map((r) => r.querySelector('td')?.textContent);
const header = (name: string) => screen.getByRole('columnheader', { name: new RegExp(`^${name}`) });
const pager = () => screen.getByRole('navigation', { name: 'Studies pages' });

describe('the table widget', () => {
  it('shows the first page in the server’s order, with the range and page count', async () => {
    renderTable();
    await waitFor(() => expect(firstColumn()).toHaveLength(10));
    expect(firstColumn()[0]).toBe('NCT001');
    expect(firstColumn()[9]).toBe('NCT010');
    expect(pager().querySelector('.pager-range')?.textContent).toBe('1–10 of 23');
    expect(pager().querySelector('.pager-page')?.textContent).toBe('Page 1 of 3');
    expect((screen.getByRole('button', { name: '‹ Previous' }) as HTMLButtonElement).disabled).toBe(true);
    expect(requests[0]?.body).toEqual({ filters: {}, page: { offset: 0, limit: 10 } });
  });

  it('speaks German when the UI does: range, page count, buttons and the pager’s label', async () => {
    await setLocale('de');
    try {
      renderTable();
      await waitFor(() => expect(firstColumn()).toHaveLength(10));
      const nav = screen.getByRole('navigation', { name: 'Seiten von Studies' });
      expect(nav.querySelector('.pager-range')?.textContent).toBe('1–10 von 23');
      expect(nav.querySelector('.pager-page')?.textContent).toBe('Seite 1 von 3');
      expect((screen.getByRole('button', { name: '‹ Zurück' }) as HTMLButtonElement).disabled).toBe(true);
      expect((screen.getByRole('button', { name: 'Weiter ›' }) as HTMLButtonElement).disabled).toBe(false);
    } finally {
      await setLocale('en');
    }
  });

  it('sorts only by the declared columns: a header click asks the server, a second click reverses', async () => {
    renderTable();
    await waitFor(() => expect(firstColumn()).toHaveLength(10));
    // nct_id is not declared sortable: plain text, no button, no aria-sort.
    expect(within(header('NCT id')).queryByRole('button')).toBeNull();
    expect(header('NCT id').getAttribute('aria-sort')).toBeNull();
    expect(header('Enrollment').getAttribute('aria-sort')).toBe('none');

    fireEvent.click(within(header('Enrollment')).getByRole('button'));
    await waitFor(() => expect(header('Enrollment').getAttribute('aria-sort')).toBe('ascending'));
    expect(firstColumn()[0]).toBe('NCT023'); // the smallest enrollment
    expect(requests.at(-1)?.body).toMatchObject({ sort: { column: 'enrollment', direction: 'asc' } });

    fireEvent.click(within(header('Enrollment')).getByRole('button'));
    await waitFor(() => expect(header('Enrollment').getAttribute('aria-sort')).toBe('descending'));
    expect(firstColumn()[0]).toBe('NCT001');
    expect(header('Title').getAttribute('aria-sort')).toBe('none');
  });

  it('pages forward and back; Next stops at the last page; a new sort starts at page one', async () => {
    renderTable();
    await waitFor(() => expect(firstColumn()).toHaveLength(10));
    const next = () => screen.getByRole('button', { name: 'Next ›' }) as HTMLButtonElement;
    fireEvent.click(next());
    await waitFor(() => expect(firstColumn()[0]).toBe('NCT011'));
    fireEvent.click(next());
    await waitFor(() => expect(firstColumn()).toEqual(['NCT021', 'NCT022', 'NCT023']));
    expect(pager().querySelector('.pager-range')?.textContent).toBe('21–23 of 23');
    expect(next().disabled).toBe(true);
    expect(requests.map((r) => (r.body as DataBody).page?.offset)).toEqual([0, 10, 20]);

    fireEvent.click(screen.getByRole('button', { name: '‹ Previous' }));
    await waitFor(() => expect(firstColumn()[0]).toBe('NCT011'));

    fireEvent.click(within(header('Title')).getByRole('button'));
    await waitFor(() => expect(header('Title').getAttribute('aria-sort')).toBe('ascending'));
    expect((requests.at(-1)?.body as DataBody).page?.offset).toBe(0);
    expect(pager().querySelector('.pager-page')?.textContent).toBe('Page 1 of 3');
  });

  it('says so when nothing matches instead of drawing an empty table', async () => {
    vi.unstubAllGlobals();
    serveStudies([]);
    const { container } = renderTable();
    await waitFor(() => expect(screen.getByText('No data for these filters')).toBeTruthy());
    expect(screen.queryByRole('table')).toBeNull();
    expect(container.querySelector('[data-widget-id="studies"]')?.getAttribute('data-state')).toBe('empty');
  });

  it('shows the server’s error with its request id, and Retry asks again', async () => {
    vi.unstubAllGlobals();
    let fail = true;
    const asked = serveApi(() =>
      fail
        ? {
            status: 503,
            body: { error: 'SOURCE_UNAVAILABLE', message: 'The source is down.', requestId: 'rq-7' },
          }
        : {
            body: {
              widget: 'studies',
              columns: COLUMNS,
              rows: STUDIES.slice(0, 10),
              total: 23,
              meta: { queryMs: 1, rowCount: 10, asOf: new Date().toISOString(), cache: 'miss', stale: false },
            },
          },
    );
    renderTable();
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('The source is down.');
    expect(alert.textContent).toContain('rq-7');
    fail = false;
    fireEvent.click(within(alert).getByRole('button', { name: 'Retry' }));
    await waitFor(() => expect(firstColumn()).toHaveLength(10));
    expect(asked).toHaveLength(2);
  });
});

describe('the data table', () => {
  it('is reachable by keyboard: a focusable scroll region, and native buttons for sortable headers', () => {
    const onSort = vi.fn();
    renderWithQueryClient(
      <DataTable
        caption="Studies"
        columns={COLUMNS}
        rows={STUDIES.slice(0, 3)}
        sortable={['enrollment']}
        sort={{ column: 'enrollment', direction: 'desc' }}
        onSort={onSort}
      />,
    );
    const region = screen.getByRole('region', { name: 'Studies' });
    expect(region.tabIndex).toBe(0);
    const sortButton = within(header('Enrollment')).getByRole('button');
    expect(sortButton.getAttribute('type')).toBe('button');
    expect(header('Enrollment').getAttribute('aria-sort')).toBe('descending');
    expect(within(header('Title')).queryByRole('button')).toBeNull();
    sortButton.focus();
    expect(document.activeElement).toBe(sortButton);
    fireEvent.click(sortButton);
    expect(onSort).toHaveBeenCalledWith('enrollment');
    // The caption names the table for screen readers; numbers are right-aligned and formatted.
    expect(screen.getByRole('table', { name: 'Studies' })).toBeTruthy();
    const cells = within(screen.getAllByRole('row')[1]!).getAllByRole('cell');
    expect(cells.map((c) => [c.textContent, c.className])).toEqual([
      ['NCT001', ''],
      ['Study 1', ''],
      ['230', 'num'],
    ]);
  });

  it('without onSort no header is a button, even for declared columns (charts shown as tables)', () => {
    renderWithQueryClient(
      <DataTable caption="Chart data" columns={COLUMNS} rows={[]} sortable={['enrollment']} />,
    );
    expect(screen.queryAllByRole('button')).toEqual([]);
    expect(header('Enrollment').getAttribute('aria-sort')).toBeNull();
  });
});
