import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { DashboardDefinition, WidgetDefinition } from '../../../contract/index.js';
import { setLocale } from '../app/i18n/i18n.js';
import { renderWithQueryClient, serveApi, type ServedRequest } from '../dom-test-kit.js';
import { DashboardPdfMenu } from './DashboardPdfMenu.js';
import { ExportMenu } from './ExportMenu.js';

const TABLE: WidgetDefinition = {
  id: 'studies',
  type: 'table',
  title: 'Studies',
  width: 12,
  height: 'large',
  filters: ['status'],
  freshnessMs: 0,
  exportFormats: ['csv', 'xlsx'],
};

const OVERVIEW = {
  id: 'overview',
  title: 'Overview',
  filters: [],
  widgets: [TABLE],
} as unknown as DashboardDefinition;

/** Opens or closes a `<details>` the way a click on its summary does, toggle event included. */
async function toggle(details: HTMLDetailsElement, open: boolean) {
  await act(async () => {
    details.open = open;
    details.dispatchEvent(new Event('toggle'));
  });
}

let requests: ServedRequest[];
beforeAll(async () => {
  await setLocale('en');
});
beforeEach(() => {
  requests = serveApi(() => ({ status: 404, body: {} }));
});
afterEach(() => vi.unstubAllGlobals());

describe('the Export menu (its panel a lazy chunk)', () => {
  it('shows only its labelled button until opened, then the widget’s formats as download links', async () => {
    renderWithQueryClient(
      <ExportMenu dashboardId="overview" widget={TABLE} filters={{ status: ['RECRUITING'] }} />,
    );
    const menu = screen.getByTestId('export-menu') as HTMLDetailsElement;
    const summary = within(menu).getByText('Export').closest('summary');
    expect(summary?.getAttribute('aria-label')).toBe('Export Studies');
    expect(within(menu).queryAllByRole('link', { hidden: true })).toHaveLength(0);

    await toggle(menu, true);
    const list = await within(menu).findByRole('list', { name: 'Download Studies as' });
    const links = within(list).getAllByRole('link');
    expect(links.map((a) => a.textContent)).toEqual(['CSV', 'CSV for Excel (UTF-8 BOM)', 'Excel (XLSX)']);
    expect(links[0]?.getAttribute('href')).toContain('/api/v1/dashboards/overview/widgets/studies/export');
    expect(links[0]?.getAttribute('href')).toContain('RECRUITING');
    expect(within(menu).getByText(/All rows, with the current filters/)).toBeTruthy();
    expect(requests).toHaveLength(0);
  });

  it('closes on Escape with focus back on its button, and a choice closes it too', async () => {
    renderWithQueryClient(<ExportMenu dashboardId="overview" widget={TABLE} filters={{}} />);
    const menu = screen.getByTestId('export-menu') as HTMLDetailsElement;
    await toggle(menu, true);
    await within(menu).findByRole('link', { name: 'CSV' });
    fireEvent.keyDown(document, { key: 'Escape' });
    expect(menu.open).toBe(false);
    expect(document.activeElement).toBe(menu.querySelector('summary'));

    await toggle(menu, true);
    fireEvent.click(within(menu).getByRole('link', { name: 'Excel (XLSX)' }));
    expect(menu.open).toBe(false);
    await waitFor(() => expect(requests.map((r) => r.url.pathname)).toContain('/api/v1/exports'));
    expect(requests[0]?.body).toMatchObject({ dashboard: 'overview', widget: 'studies', format: 'xlsx' });
  });
});

describe('the PDF / PNG menu (its panel a lazy chunk)', () => {
  it('names its button with the visible label inside, and keeps the choices while closed', async () => {
    renderWithQueryClient(<DashboardPdfMenu definition={OVERVIEW} filters={{}} />);
    const menu = screen.getByTestId('pdf-menu') as HTMLDetailsElement;
    const summary = menu.querySelector('summary');
    // Label in name (WCAG 2.5.3): the accessible name contains the text shown.
    expect(summary?.getAttribute('aria-label')).toBe('PDF / PNG of Overview');
    expect(summary?.textContent).toContain('PDF / PNG');
    expect(within(menu).queryAllByRole('radio', { hidden: true })).toHaveLength(0);

    await toggle(menu, true);
    fireEvent.click(await within(menu).findByRole('radio', { name: /Letter/ }));
    fireEvent.click(within(menu).getByRole('radio', { name: /Landscape/ }));
    await toggle(menu, false);
    await toggle(menu, true);
    expect((within(menu).getByRole('radio', { name: /Letter/ }) as HTMLInputElement).checked).toBe(true);
    expect((within(menu).getByRole('radio', { name: /Landscape/ }) as HTMLInputElement).checked).toBe(true);
    expect(within(menu).getByRole('button', { name: 'Create PDF' })).toBeTruthy();
  });
});
