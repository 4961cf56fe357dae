import { lazy, Suspense, useId, useMemo, useRef, useState, type MutableRefObject } from 'react';
import { useTranslation } from 'react-i18next';
import type { ChartType, SortSpec, WidgetDataResponse, WidgetDefinition } from '../../../contract/index.js';
import type { MarkValues } from '../app/filters/cross-filter.js';
import type { FilterState } from '../app/filters/filter-state.js';
import { chartMarks } from '../charts/chart-marks.js';
import { periodLabel } from '../app/filters/drill-url.js';
import { formatDataTime } from '../app/shell/stale-data.js';
import { DEFAULT_PAGE_SIZE, useWidgetData } from '../hooks/useWidgetData.js';
import { ChartView, type ChartInteraction, type ChartSnapshot } from './ChartView.js';
import type { DrillMark } from './DrillRowsDialog.js';
import { drillToPath } from '../app/routing/drill-to-path.js';
import { widgetRefreshMs } from '../app/freshness/auto-refresh.js';
import { navigate } from '../app/routing/router.js';
import { DataTable, type CellFilter } from './DataTable.js';
import { ExportMenu } from './ExportMenu.js';
import { KpiValue, kpiIsEmpty } from './KpiValue.js';
import { Markdown, useMarkdownRenderer } from './Markdown.js';
import { TableWidget } from './TableWidget.js';
import type { RowSelection } from '../app/action-widget/row-selection.js';
import { WidgetEmpty, WidgetError, WidgetSkeleton } from './WidgetStates.js';
import { loadPageTexts } from '../app/i18n/i18n.js';

// The alert dialog and its texts load when someone opens it: most dashboard views never do.
const AlertDialog = lazy(() =>
  Promise.all([import('./AlertDialog.js'), loadPageTexts()]).then(([m]) => ({ default: m.AlertDialog })),
);

// The rows behind a mark open in a dialog few views ever show: a chunk of its own.
const DrillRowsDialog = lazy(() =>
  import('./DrillRowsDialog.js').then((m) => ({ default: m.DrillRowsDialog })),
);

interface Props {
  readonly dashboardId: string;
  readonly widget: WidgetDefinition;
  readonly filters: FilterState;
  /** A stable string of the filters; a table goes back to its first page when it changes. */
  readonly filtersKey: string;
  /** Present when the widget's marks cross-filter the dashboard (widget.crossFilters). */
  readonly crossFilter?: WidgetCrossFilter | undefined;
  /** False when the dashboard says `export: false`: no export menu. */
  readonly exportable?: boolean;
  /** Present when the widget drills down a time hierarchy (widget.drill): its path and how to change it. */
  readonly drill?: WidgetDrill | undefined;
  /** The dashboard's auto-refresh choice in ms (0: off); clamped to the widget's freshness. */
  readonly autoRefreshMs?: number;
  /** A table an action reads from (widget.selection): its selected keys and how to change them. */
  readonly selected?:
    { readonly value: RowSelection; readonly onChange: (s: RowSelection) => void } | undefined;
}

export interface WidgetDrill {
  readonly path: readonly string[];
  set(path: readonly string[]): void;
}

export interface WidgetCrossFilter {
  isSelected(mark: MarkValues): boolean;
  activate(mark: MarkValues, additive: boolean): void;
}

export type WidgetState = 'loading' | 'error' | 'empty' | 'ready';

// Spelled out, not imported: a value import of contract/index.js would pull zod into the first page.
const CHART_TYPE_LIST: Record<ChartType, true> = {
  bar: true,
  line: true,
  area: true,
  pie: true,
  donut: true,
  scatter: true,
  histogram: true,
  heatmap: true,
  boxplot: true,
  funnel: true,
  gauge: true,
  calendar: true,
  sankey: true,
  graph: true,
  map: true,
  floorplan: true,
};
const CHART_TYPES = new Set<string>(Object.keys(CHART_TYPE_LIST));

/** Widgets whose marks stand for a category (a histogram's bins and a KPI do not): a click can drill. */
const MARKED_TYPES = new Set(['bar', 'line', 'area', 'pie', 'donut', 'scatter', 'heatmap']);

/**
 * One widget: its own query, its own skeleton, error (with Retry) and empty states, so one failing
 * or slow widget never blanks the rest of the page. `data-widget-id` and `data-state` are stable
 * hooks for tests and tooling.
 */
export function WidgetCard({
  dashboardId,
  widget,
  filters,
  filtersKey,
  crossFilter,
  exportable = true,
  drill,
  autoRefreshMs = 0,
  selected,
}: Props) {
  const { t } = useTranslation();
  const titleId = useId();
  const isTable = widget.type === 'table';
  const isChart = CHART_TYPES.has(widget.type);
  const pageSize = widget.pageSize ?? DEFAULT_PAGE_SIZE;
  // The page belongs to the filters it was chosen under: new filters start at page one.
  const [paging, setPaging] = useState<{ key: string; offset: number }>({ key: filtersKey, offset: 0 });
  const [sort, setSort] = useState<SortSpec | undefined>(undefined);
  const offset = paging.key === filtersKey ? paging.offset : 0;
  const [asTable, setAsTable] = useState(false);
  // The mark whose rows are open (widget.drillRows), if any.
  const [rowsOf, setRowsOf] = useState<DrillMark | undefined>(undefined);
  const [alertOpen, setAlertOpen] = useState(false);
  const onMark = useMemo(() => {
    if (widget.drillRows) return (mark: DrillMark) => setRowsOf(mark);
    const to = widget.drillTo;
    if (to) return (mark: DrillMark) => navigate(drillToPath(to, mark.values));
    return undefined;
  }, [widget.drillRows, widget.drillTo]);
  // The mounted chart's snapshot, for the Export menu's PNG and SVG.
  const snapshot = useRef<(() => ChartSnapshot | undefined) | undefined>(undefined);

  const query = useWidgetData(
    dashboardId,
    widget,
    filters,
    isTable ? { offset, sort } : undefined,
    drill?.path,
    widgetRefreshMs(autoRefreshMs, widget.freshnessMs),
  );
  const markdown = useMarkdownRenderer(widget.type === 'text');
  const data = query.data;
  const state: WidgetState =
    widget.type === 'text'
      ? markdown === 'loading'
        ? 'loading'
        : 'ready'
      : query.isError
        ? 'error'
        : !data
          ? 'loading'
          : isEmpty(widget, data)
            ? 'empty'
            : 'ready';

  return (
    <article
      className={`widget span-${widget.width} widget-${widget.type} height-${widget.height}`}
      aria-labelledby={titleId}
      aria-busy={state === 'loading' || query.isFetching}
      data-widget-id={widget.id}
      data-widget-type={widget.type}
      data-state={state}
      data-fetching={query.isFetching ? 'true' : 'false'}
    >
      <header className="widget-header">
        <div className="widget-heading">
          <h2 id={titleId} className="widget-title">
            {widget.title}
          </h2>
          {widget.description && <p className="widget-description">{widget.description}</p>}
          {widget.drill && drill && (
            <DrillBreadcrumb title={widget.title} levels={widget.drill.levels} drill={drill} />
          )}
        </div>
        {data?.meta.stale && (
          <span className="stale-badge" title={t('widget.staleTitle')}>
            {t('widget.dataFrom', { time: formatDataTime(data.meta.asOf) })}
          </span>
        )}
        <div className="widget-actions">
          {widget.drillRows && !MARKED_TYPES.has(widget.type) && state === 'ready' && (
            <button
              type="button"
              className="button secondary small"
              onClick={() => setRowsOf({ label: '', values: {} })}
            >
              {t('charts.showRows')}
            </button>
          )}
          {isChart && state === 'ready' && (
            <button
              type="button"
              className="button secondary small"
              aria-pressed={asTable}
              onClick={() => setAsTable((v) => !v)}
            >
              {asTable ? t('widget.showChart') : t('widget.viewAsTable')}
            </button>
          )}
          {widget.type === 'kpi' && (state === 'ready' || state === 'empty') && (
            <button
              type="button"
              className="button secondary small widget-alert-button"
              aria-label={t('alerts.openNamed', { title: widget.title })}
              onClick={() => setAlertOpen(true)}
            >
              {t('alerts.open')}
            </button>
          )}
          {exportable && widget.type !== 'text' && (state === 'ready' || state === 'empty') && (
            <ExportMenu
              dashboardId={dashboardId}
              widget={widget}
              filters={filters}
              sort={sort}
              chart={
                isChart && !asTable && state === 'ready' && data
                  ? { snapshot: () => snapshot.current?.(), asOf: data.meta.asOf }
                  : undefined
              }
            />
          )}
        </div>
      </header>
      {query.isFetching && data && <div className="widget-progress" aria-hidden="true" />}
      <div className="widget-body">
        {state === 'loading' && <WidgetSkeleton type={widget.type} />}
        {state === 'error' && query.error && (
          <WidgetError error={query.error} onRetry={() => void query.refetch()} retrying={query.isFetching} />
        )}
        {state === 'empty' && <WidgetEmpty />}
        {state === 'ready' && widget.type === 'text' && <Markdown source={widget.markdown ?? ''} />}
        {state === 'ready' && data && (
          <WidgetContent
            widget={widget}
            data={data}
            asTable={asTable}
            crossFilter={crossFilter}
            drill={drill}
            onMark={onMark}
            snapshot={snapshot}
            offset={offset}
            pageSize={pageSize}
            onPage={(o) => setPaging({ key: filtersKey, offset: o })}
            onSort={(s) => {
              setSort(s);
              setPaging({ key: filtersKey, offset: 0 });
            }}
            selected={selected}
          />
        )}
      </div>
      {alertOpen && (
        <Suspense fallback={null}>
          <AlertDialog
            dashboardId={dashboardId}
            widget={widget}
            filters={filters}
            onClose={() => setAlertOpen(false)}
          />
        </Suspense>
      )}
      {rowsOf && (
        <Suspense fallback={null}>
          <DrillRowsDialog
            dashboardId={dashboardId}
            widget={widget}
            filters={filters}
            drillPath={drill?.path}
            mark={rowsOf}
            onClose={() => setRowsOf(undefined)}
          />
        </Suspense>
      )}
    </article>
  );
}

function WidgetContent(props: {
  widget: WidgetDefinition;
  data: WidgetDataResponse;
  asTable: boolean;
  crossFilter: WidgetCrossFilter | undefined;
  drill: WidgetDrill | undefined;
  /** Present when a mark opens its rows or another dashboard (widget.drillRows / drillTo). */
  onMark: ((mark: DrillMark) => void) | undefined;
  snapshot: MutableRefObject<(() => ChartSnapshot | undefined) | undefined>;
  offset: number;
  pageSize: number;
  onPage: (offset: number) => void;
  onSort: (sort: SortSpec) => void;
  selected: Props['selected'];
}) {
  const { widget, data, asTable, crossFilter, drill, onMark } = props;
  const { t } = useTranslation();
  const interaction = useMemo((): ChartInteraction | undefined => {
    // A drillable time chart: a period's mark opens the next level inside it (until the last level).
    if (widget.drill && drill && drill.path.length < widget.drill.levels.length - 1) {
      const axis = data.columns.find((c) => c.role === 'dimension')?.key;
      if (!axis) return undefined;
      const { path } = drill;
      const grain = widget.drill.levels[path.length] ?? 'day';
      return {
        // Marks read as their period ("2021", "Mar 2021"), not as the period's first day.
        marks: chartMarks({ ...widget, crossFilters: [{ column: axis, filter: 'drill' }] }, data).map(
          (m) => ({
            ...m,
            label: periodLabel(grain, (m.values[axis] ?? '').slice(0, 10)),
          }),
        ),
        isSelected: () => false,
        enterDoes: t('drill.enterDoes', {
          level: t(`drill.levels.${levelKey(widget.drill.levels[path.length + 1])}`),
        }),
        onActivate: (m) => {
          const start = m.values[axis];
          if (start) drill.set([...path, start.slice(0, 10)]);
        },
      };
    }
    // A declared drill to rows or to a dashboard: the mark carries every dimension it stands for.
    if (onMark && MARKED_TYPES.has(widget.type)) {
      const level = widget.drill && drill ? widget.drill.levels[drill.path.length] : undefined;
      const axis = data.columns.find((c) => c.role === 'dimension')?.key;
      const dims = data.columns
        .filter((c) => c.role === 'dimension')
        .map((c) => ({ column: c.key, filter: 'drill' }));
      return {
        marks: chartMarks({ ...widget, crossFilters: dims }, data).map((m) =>
          level && axis ? { ...m, label: periodLabel(level, (m.values[axis] ?? '').slice(0, 10)) } : m,
        ),
        isSelected: () => false,
        enterDoes: widget.drillRows
          ? t('charts.enterShowsRows')
          : t('charts.enterOpens', { title: widget.drillTo?.title ?? '' }),
        onActivate: (m) => onMark({ label: m.label, values: m.values }),
      };
    }
    if (!crossFilter || widget.type === 'table') return undefined;
    return {
      marks: chartMarks(widget, data),
      isSelected: (m) => crossFilter.isSelected(m.values),
      onActivate: (m, additive) => crossFilter.activate(m.values, additive),
    };
  }, [widget, data, crossFilter, drill, onMark, t]);
  const cellFilter = useMemo((): CellFilter | undefined => {
    if (!crossFilter || widget.type !== 'table') return undefined;
    return {
      columns: new Set((widget.crossFilters ?? []).map((l) => l.column)),
      isSelected: (column, value) => crossFilter.isSelected({ [column]: value }),
      activate: (column, value, additive) => crossFilter.activate({ [column]: value }, additive),
    };
  }, [widget, crossFilter]);
  switch (widget.type) {
    case 'kpi':
      return <KpiValue data={data} />;
    case 'table':
      return (
        <TableWidget
          widget={widget}
          data={data}
          offset={props.offset}
          pageSize={props.pageSize}
          onPage={props.onPage}
          onSort={props.onSort}
          cellFilter={cellFilter}
          selected={props.selected}
        />
      );
    case 'text':
      return null;
    default:
      return asTable ? (
        <div className="chart-table">
          <DataTable caption={`${widget.title} (data)`} columns={data.columns} rows={data.rows} />
        </div>
      ) : (
        <>
          <ChartView widget={widget} data={data} interaction={interaction} snapshot={props.snapshot} />
          {data.meta.notice && <p className="chart-notice">{data.meta.notice}</p>}
        </>
      );
  }
}

function isEmpty(widget: WidgetDefinition, data: WidgetDataResponse): boolean {
  if (widget.type === 'kpi') return kpiIsEmpty(data);
  if (widget.type === 'table') return (data.total ?? data.rows.length) === 0;
  return data.rows.length === 0;
}

const LEVELS = ['year', 'quarter', 'month', 'day'] as const;

/** A drill level's catalogue key (drill.levels.*); an unknown one reads as "details". */
function levelKey(level: string | undefined): (typeof LEVELS)[number] | 'details' {
  return LEVELS.find((l) => l === level) ?? 'details';
}

/**
 * Where a drilled chart is: "All years › 2021 › Mar 2021", each step a button back up to it, and what
 * a click on a mark does next. The last step is the level shown (aria-current).
 */
function DrillBreadcrumb({
  title,
  levels,
  drill,
}: {
  title: string;
  levels: readonly string[];
  drill: WidgetDrill;
}) {
  const { t } = useTranslation();
  const { path } = drill;
  const next = levels[path.length + 1];
  return (
    <nav
      className="drill-breadcrumb"
      aria-label={t('widget.drillOf', { title })}
      data-testid="drill-breadcrumb"
    >
      <ol>
        <li>
          {path.length === 0 ? (
            <span aria-current="location">
              {t('drill.all', { level: t(`drill.levels.${levelKey(levels[0])}`) })}
            </span>
          ) : (
            <button type="button" className="drill-step" onClick={() => drill.set([])}>
              {t('drill.all', { level: t(`drill.levels.${levelKey(levels[0])}`) })}
            </button>
          )}
        </li>
        {path.map((start, i) => (
          <li key={start}>
            <span aria-hidden="true" className="drill-sep">
              ›
            </span>
            {i === path.length - 1 ? (
              <span aria-current="location">{periodLabel(levels[i] ?? 'day', start)}</span>
            ) : (
              <button type="button" className="drill-step" onClick={() => drill.set(path.slice(0, i + 1))}>
                {periodLabel(levels[i] ?? 'day', start)}
              </button>
            )}
          </li>
        ))}
      </ol>
      {next && (
        <span className="drill-hint">{t('drill.hint', { level: t(`drill.levels.${levelKey(next)}`) })}</span>
      )}
    </nav>
  );
}
