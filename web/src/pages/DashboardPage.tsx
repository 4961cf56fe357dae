import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { loadPageTexts } from '../app/i18n/i18n.js';
import { lazy, Suspense, useMemo, useState, type CSSProperties } from 'react';
import type { DashboardDefinition } from '../../../contract/index.js';
import { dashboardListQuery, dashboardQuery } from '../api/queries.js';
import { layoutQuery } from '../api/layouts-api.js';
import { completeLayout, projectLayout, readingOrder } from '../app/layouts/grid-layout.js';
import { effectiveFilters, formatDashboardQuery, isMarkSelected } from '../app/filters/cross-filter.js';
import { CrossFilterChips } from '../components/CrossFilterChips.js';
import { DashboardPdfMenu } from '../components/DashboardPdfMenu.js';
import { Link } from '../app/routing/Link.js';
import { FilterBar } from '../components/FilterBar.js';
import { FreshnessControls, storeAutoRefresh } from '../components/FreshnessControls.js';
import { readAutoRefresh, type AutoRefreshMs } from '../app/freshness/auto-refresh.js';
import { PageError } from '../components/PageError.js';
import { WidgetCard } from '../components/WidgetCard.js';
import { NO_SELECTION, type RowSelection } from '../app/action-widget/row-selection.js';
import { formatDataTime } from '../app/shell/stale-data.js';
import { useDashboardFilters } from '../hooks/useDashboardFilters.js';
import { useDashboardUpdates } from '../hooks/useDashboardUpdates.js';
import { useRefreshingPipelines } from '../hooks/useRefreshingPipelines.js';
import { useStaleSince } from '../hooks/useStaleSince.js';
import { useDocumentTitle } from '../hooks/useDocumentTitle.js';

// Presets are a chunk of their own: the first page does not carry them (docs/performance.md budget).
const PresetMenu = lazy(() => import('../components/PresetMenu.js'));
// Action widgets (a pipeline's form, run progress) too: only dashboards that have one download it.
// The action form shares the Jobs page's texts (run inputs, hints), which come with the signed-in pages' catalogue.
const ActionWidget = lazy(() =>
  Promise.all([import('../components/ActionWidget.js'), loadPageTexts()]).then(([m]) => m),
);
// So is arranging (react-grid-layout): only who presses Arrange downloads it.
const ArrangeLayout = lazy(() =>
  Promise.all([import('../components/ArrangeLayout.js'), loadPageTexts()]).then(([m]) => m),
);
// Opened from the toolbar: the dialog and its texts are a chunk of their own.
const SubscribeDialog = lazy(() =>
  Promise.all([import('../components/SubscribeDialog.js'), loadPageTexts()]).then(([m]) => ({
    default: m.SubscribeDialog,
  })),
);

/** A dashboard: its definition first, then every widget loading on its own. */
export function DashboardPage({ dashboardId }: { dashboardId: string }) {
  const definition = useQuery(dashboardQuery(dashboardId));
  // Only for the project's name in the title and breadcrumb; usually cached from the list page.
  const list = useQuery(dashboardListQuery());
  const project = list.data?.project.title ?? 'Trellis';
  useDocumentTitle(definition.data ? `${definition.data.title} · ${project}` : project);

  if (definition.isPending)
    return (
      <main className="page" aria-busy="true">
        <div className="skeleton skeleton-title" />
        <div className="skeleton skeleton-filters" />
      </main>
    );
  if (definition.isError)
    return <PageError error={definition.error} onRetry={() => void definition.refetch()} />;
  return <DashboardView key={dashboardId} definition={definition.data} project={project} />;
}

function DashboardView({ definition, project }: { definition: DashboardDefinition; project: string }) {
  const { t } = useTranslation();
  const drillable = useMemo(
    () => new Set(definition.widgets.filter((w) => w.drill).map((w) => w.id)),
    [definition.widgets],
  );
  const filters = useDashboardFilters(definition.filters, drillable);
  useDashboardUpdates(definition.id);
  // Tables an action reads from: each one's selected keys (by table widget id), for this visit only.
  const [selections, setSelections] = useState<Readonly<Record<string, RowSelection>>>({});
  const staleSince = useStaleSince(definition.id);
  const refreshing = useRefreshingPipelines(definition.datasets);
  // The user's own layout, if any (docs/dashboards.md); while it loads, the project's layout shows.
  const own = useQuery(layoutQuery(definition.id));
  const [arranging, setArranging] = useState(false);
  const [subscribing, setSubscribing] = useState(false);
  const [autoRefreshMs, setAutoRefreshMs] = useState<AutoRefreshMs>(() =>
    readAutoRefresh(safeStorage(), definition.id),
  );
  const ownItems = own.data?.items ? completeLayout(own.data.items, definition.widgets) : null;
  const placement = new Map(ownItems?.map((i) => [i.widget, i]));
  // With an own layout, the page's order (Tab, screen readers) follows it: top to bottom, left to right.
  const ordered = ownItems
    ? readingOrder(ownItems).flatMap((i) => definition.widgets.filter((w) => w.id === i.widget))
    : definition.widgets;
  return (
    <main className="page" id="main" data-dashboard-id={definition.id}>
      <nav className="breadcrumb" aria-label={t('nav.breadcrumb')}>
        <Link href="/">{project}</Link>
        <span aria-hidden="true"> / </span>
        <span aria-current="page">{definition.title}</span>
      </nav>
      <header className="page-header">
        <div className="page-title-row">
          <h1>{definition.title}</h1>
          {!arranging && (
            <button
              type="button"
              className="button secondary small arrange-button"
              onClick={() => setArranging(true)}
              disabled={own.isPending}
            >
              {t('dashboard.arrange')}
            </button>
          )}
          <span role="status" className="refresh-status">
            {refreshing.length > 0 && (
              <span
                className="refresh-badge"
                data-testid="refreshing-badge"
                title={t('dashboard.refreshingBy', { pipelines: refreshing.map((p) => p.title).join(', ') })}
              >
                <span className="refresh-dot" aria-hidden="true" />
                {t('dashboard.refreshing')}
              </span>
            )}
          </span>
          <FreshnessControls
            definition={definition}
            autoRefreshMs={autoRefreshMs}
            onAutoRefresh={(ms) => {
              setAutoRefreshMs(ms);
              storeAutoRefresh(definition.id, ms);
            }}
          />
          {definition.exportable !== false && (
            <DashboardPdfMenu definition={definition} filters={filters.state} />
          )}
          {definition.exportable !== false && (
            <button type="button" className="button secondary small" onClick={() => setSubscribing(true)}>
              {t('subscribe.open')}
            </button>
          )}
          {subscribing && (
            <Suspense fallback={null}>
              <SubscribeDialog
                definition={definition}
                filters={filters.state}
                onClose={() => setSubscribing(false)}
              />
            </Suspense>
          )}
        </div>
        {definition.description && <p className="page-description">{definition.description}</p>}
      </header>
      {staleSince && (
        <div className="stale-banner" role="status" data-testid="stale-banner">
          <strong>{t('dashboard.staleSince', { time: formatDataTime(staleSince) })}</strong>
          {t('dashboard.staleRest')}
        </div>
      )}
      <FilterBar
        dashboardId={definition.id}
        filters={definition.filters}
        state={filters}
        actions={
          <Suspense fallback={null}>
            <PresetMenu definition={definition} filters={filters} />
          </Suspense>
        }
      />
      <CrossFilterChips definition={definition} filters={filters} />
      {arranging && (
        <Suspense fallback={<p role="status">{t('dashboard.loadingArranger')}</p>}>
          <ArrangeLayout
            definition={definition}
            initial={ownItems ?? projectLayout(definition.widgets)}
            hasOwn={ownItems !== null}
            onDone={() => setArranging(false)}
          />
        </Suspense>
      )}
      <div className={ownItems ? 'widget-grid own-layout' : 'widget-grid'} hidden={arranging}>
        {ordered.map((w) => {
          const at = placement.get(w.id);
          // Each widget sees the bar's filters plus cross-filters clicked in *other* widgets.
          const own = effectiveFilters(filters.state, filters.cross, w.id);
          const from = w.action?.fromTable;
          const card =
            w.type === 'action' ? (
              <Suspense key={w.id} fallback={<div className={`widget span-${w.width} skeleton`} />}>
                <ActionWidget
                  dashboardId={definition.id}
                  widget={w}
                  selectedKeys={from ? (selections[from] ?? NO_SELECTION).keys : []}
                  tableTitle={from ? definition.widgets.find((t) => t.id === from)?.title : undefined}
                />
              </Suspense>
            ) : (
              <WidgetCard
                key={w.id}
                dashboardId={definition.id}
                widget={w}
                filters={own}
                filtersKey={formatDashboardQuery(own, [], definition.filters)}
                exportable={definition.exportable !== false}
                autoRefreshMs={autoRefreshMs}
                drill={
                  w.drill
                    ? { path: filters.drill[w.id] ?? NO_PATH, set: (path) => filters.setDrill(w.id, path) }
                    : undefined
                }
                crossFilter={
                  w.crossFilters?.length
                    ? {
                        isSelected: (mark) => isMarkSelected(filters.cross, w, mark),
                        activate: (mark, additive) => filters.activateMark(w, mark, additive),
                      }
                    : undefined
                }
                selected={
                  w.selection
                    ? {
                        value: selections[w.id] ?? NO_SELECTION,
                        onChange: (s) => setSelections((all) => ({ ...all, [w.id]: s })),
                      }
                    : undefined
                }
              />
            );
          // Own layout: the card sits in a slot placed on the grid (phones ignore it: one column).
          return at ? (
            <div key={w.id} className="layout-slot" style={slotStyle(at)}>
              {card}
            </div>
          ) : (
            card
          );
        })}
      </div>
    </main>
  );
}

const NO_PATH: readonly string[] = [];

/** localStorage, or nothing where the browser refuses it (a sandboxed frame). */
function safeStorage(): Storage | undefined {
  try {
    return localStorage;
  } catch {
    return undefined;
  }
}

function slotStyle(at: { x: number; y: number; w: number; h: number }): CSSProperties {
  return {
    '--slot-column': `${at.x + 1} / span ${at.w}`,
    '--slot-row': `${at.y + 1} / span ${at.h}`,
    '--slot-h': String(at.h),
  } as CSSProperties;
}
