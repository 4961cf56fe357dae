import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { useEffect, useRef, useState } from 'react';
import type { DashboardDefinition } from '../../../contract/index.js';
import { dashboardQuery } from '../api/queries.js';
import { filtersLine } from '../charts/chart-image.js';
import { effectiveFilters, formatDashboardQuery } from '../app/filters/cross-filter.js';
import { requestFilters } from '../app/filters/filter-state.js';
import { PageError } from '../components/PageError.js';
import { WidgetCard } from '../components/WidgetCard.js';
import { useDashboardFilters } from '../hooks/useDashboardFilters.js';
import { useDocumentTitle } from '../hooks/useDocumentTitle.js';

/**
 * A dashboard laid out for paper (`/print/d/:id?<filters>`), opened by the worker's headless Chromium
 * for a PDF job (docs/exports.md): no app header or menus, a header with the title, the filters and
 * the time printed, every widget kept whole on a page. It needs no session: the render credential
 * header reads this one dashboard. `data-print-ready` on <main> turns "true" once every widget has
 * loaded (or "error" when one failed), which the renderer waits for before printing.
 */
export function PrintDashboardPage({ dashboardId }: { dashboardId: string }) {
  const definition = useQuery(dashboardQuery(dashboardId));
  useDocumentTitle(definition.data?.title ?? 'Trellis');
  if (definition.isPending) return <main className="page print-page" aria-busy="true" />;
  if (definition.isError)
    return (
      <main className="page print-page" data-print-ready="error">
        <PageError error={definition.error} onRetry={() => void definition.refetch()} />
      </main>
    );
  return <PrintView definition={definition.data} />;
}

function PrintView({ definition }: { definition: DashboardDefinition }) {
  const { t } = useTranslation();
  const filters = useDashboardFilters(definition.filters);
  const main = useRef<HTMLElement>(null);
  const [ready, setReady] = useState<'false' | 'true' | 'error'>('false');
  const [printedAt] = useState(() => new Date());

  // Every widget reports its state in data-state; watch them until none is loading any more.
  useEffect(() => {
    const root = main.current;
    if (!root) return;
    const check = () => {
      const cards = Array.from(root.querySelectorAll<HTMLElement>('[data-widget-id]'));
      if (cards.some((c) => c.dataset.state === 'loading' || c.dataset.fetching === 'true')) return;
      // Two frames: the last chart's canvas has painted by then.
      requestAnimationFrame(() =>
        requestAnimationFrame(() =>
          setReady(cards.some((c) => c.dataset.state === 'error') ? 'error' : 'true'),
        ),
      );
      observer.disconnect();
    };
    const observer = new MutationObserver(check);
    observer.observe(root, {
      subtree: true,
      attributes: true,
      attributeFilter: ['data-state', 'data-fetching'],
    });
    check();
    return () => observer.disconnect();
  }, []);

  const values = requestFilters(filters.state, Object.keys(filters.state));
  return (
    <main className="page print-page" id="main" ref={main} data-print-ready={ready}>
      <header className="print-header">
        <h1>{definition.title}</h1>
        <p className="print-filters" data-testid="print-filters">
          {filtersLine(values)}
        </p>
        <p className="print-time">
          {t('exportPanel.dataAsOf', {
            time: `${printedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC`,
          })}
        </p>
      </header>
      <div className="widget-grid">
        {/* An action widget is a form to launch a run: nothing to print (and no data to wait for). */}
        {definition.widgets
          .filter((w) => w.type !== 'action')
          .map((w) => {
            const own = effectiveFilters(filters.state, filters.cross, w.id);
            return (
              <WidgetCard
                key={w.id}
                dashboardId={definition.id}
                widget={w}
                filters={own}
                filtersKey={formatDashboardQuery(own, [], definition.filters)}
                exportable={false}
              />
            );
          })}
      </div>
    </main>
  );
}
