import {
  useEffect,
  useId,
  useMemo,
  useRef,
  useState,
  useSyncExternalStore,
  type KeyboardEvent,
  type MutableRefObject,
} from 'react';
import { useTranslation } from 'react-i18next';
import type { WidgetDataResponse, WidgetDefinition } from '../../../contract/index.js';
import type * as RuntimeModule from '../charts/echarts-runtime.js';
import { chartMinHeight } from '../charts/chart-size.js';
import type { RegionLookup } from '../charts/chart-types.js';
import { distinctMarks, placeRegionMarks, type ChartMark } from '../charts/chart-marks.js';
import { useColorScheme } from '../hooks/useColorScheme.js';

// Type-only: the module itself is loaded on demand below.
type Runtime = typeof RuntimeModule;
type ChartInstance = ReturnType<Runtime['echarts']['init']>;

/**
 * The first chart on a page pulls ECharts in (one shared promise); every page without charts, and
 * the first paint of every page, goes without it.
 */
let runtimePromise: Promise<Runtime> | undefined;
let runtime: Runtime | undefined;
function loadRuntime(): Promise<Runtime> {
  runtimePromise ??= import('../charts/echarts-runtime.js').then(
    (m) => (runtime = m),
    (err: unknown) => {
      runtimePromise = undefined; // let a later attempt try again
      throw err;
    },
  );
  return runtimePromise;
}

const reducedMotionQuery = '(prefers-reduced-motion: reduce)';
function useReducedMotion(): boolean {
  return useSyncExternalStore(
    (cb) => {
      const mql = window.matchMedia(reducedMotionQuery);
      mql.addEventListener('change', cb);
      return () => mql.removeEventListener('change', cb);
    },
    () => window.matchMedia(reducedMotionQuery).matches,
  );
}

/** The chart as drawn now: ECharts' SVG and the box it fills, for chart images (charts/chart-image.ts). */
export interface ChartSnapshot {
  readonly svg: string;
  readonly width: number;
  readonly height: number;
  readonly scheme: 'light' | 'dark';
}

/** Marks that cross-filter the dashboard when clicked, or chosen with arrow keys and Enter. */
export interface ChartInteraction {
  readonly marks: readonly ChartMark[];
  readonly isSelected: (mark: ChartMark) => boolean;
  readonly onActivate: (mark: ChartMark, additive: boolean) => void;
  /** What Enter does, for the marks' label (default: "Enter filters the dashboard"). */
  readonly enterDoes?: string;
}

/**
 * Mounts one ECharts instance, feeds it the option built from the data (charts/ builders are pure),
 * follows the colour scheme, and resizes with its box (ResizeObserver, so grid reflows count too).
 */
export function ChartView({
  widget,
  data,
  interaction: given,
  snapshot,
}: {
  widget: WidgetDefinition;
  data: WidgetDataResponse;
  interaction?: ChartInteraction | undefined;
  /** Set while the chart is mounted: takes a snapshot for the Export menu's PNG and SVG. */
  snapshot?: MutableRefObject<(() => ChartSnapshot | undefined) | undefined> | undefined;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const chartRef = useRef<ChartInstance | undefined>(undefined);
  const [rt, setRt] = useState<Runtime | undefined>(runtime);
  const [loadError, setLoadError] = useState<Error | undefined>(undefined);
  const [rendered, setRendered] = useState(false);
  // Width in 40px steps: label layout depends on it, but not on every pixel of a drag.
  const [width, setWidth] = useState<number | undefined>(undefined);
  const scheme = useColorScheme();
  const schemeRef = useRef(scheme);
  schemeRef.current = scheme;
  const reducedMotion = useReducedMotion();
  // Map and floor-plan widgets draw on a registered map (the bundled outlines load on first use).
  const needsRegions = widget.type === 'map' || widget.type === 'floorplan';
  const [regions, setRegions] = useState<{ widget: WidgetDefinition; lookup: RegionLookup } | undefined>();
  const regionLookup = regions?.widget === widget ? regions.lookup : undefined;
  // A map's marks follow its regions' order, known once the map is loaded.
  const interaction = useMemo(
    () =>
      given && needsRegions
        ? { ...given, marks: regionLookup ? placeRegionMarks(given.marks, regionLookup) : [] }
        : given,
    [given, needsRegions, regionLookup],
  );
  // Clicks map back to marks by (series, data) index; the handler reads the latest props.
  const interactionRef = useRef(interaction);
  interactionRef.current = interaction;
  const [optionVersion, setOptionVersion] = useState(0);
  const { t } = useTranslation();
  // Maps and floor plans draw their chosen regions framed in the option itself (region-map-chart.ts):
  // the option is rebuilt when the choice changes. One string, so the effect sees a value, not a set.
  const chosenRegions =
    needsRegions && interaction
      ? JSON.stringify(interaction.marks.filter((m) => interaction.isSelected(m)).map((m) => m.label))
      : '[]';

  useEffect(() => {
    if (rt) return;
    let live = true;
    loadRuntime().then(
      (m) => live && setRt(m),
      (err: unknown) => live && setLoadError(err instanceof Error ? err : new Error(String(err))),
    );
    return () => {
      live = false;
    };
  }, [rt, loadError]);

  useEffect(() => {
    const el = ref.current;
    if (!rt || !el) return;
    const chart = rt.echarts.init(el, undefined, { renderer: 'svg' });
    chartRef.current = chart;
    const observer = new ResizeObserver(() => {
      chart.resize();
      setWidth(Math.round(el.clientWidth / 40) * 40);
    });
    observer.observe(el);
    setWidth(Math.round(el.clientWidth / 40) * 40);
    if (snapshot)
      snapshot.current = () => {
        // The drawn SVG element, serialised by the browser: ECharts' renderToSVGString leaves the
        // quotes of a font-family list unescaped inside a style attribute (not well-formed XML).
        const drawn = el.querySelector('svg');
        return {
          svg: drawn ? new XMLSerializer().serializeToString(drawn) : chart.renderToSVGString(),
          width: chart.getWidth(),
          height: chart.getHeight(),
          scheme: schemeRef.current,
        };
      };
    return () => {
      if (snapshot) snapshot.current = undefined;
      observer.disconnect();
      chart.dispose();
      chartRef.current = undefined;
    };
  }, [rt, snapshot]);

  useEffect(() => {
    if (!rt || !needsRegions) return;
    let live = true;
    rt.prepareRegions(widget).then(
      (lookup) => live && lookup && setRegions({ widget, lookup }),
      (err: unknown) => live && setLoadError(err instanceof Error ? err : new Error(String(err))),
    );
    return () => {
      live = false;
    };
  }, [rt, widget, needsRegions]);

  useEffect(() => {
    const chart = chartRef.current;
    if (!rt || !chart || width === undefined) return;
    if (needsRegions && !regionLookup) return;
    const option = rt.buildChartOption(widget, data, {
      style: rt.chartStyleFor(scheme),
      width,
      regions: regionLookup,
      selectedRegions: new Set(JSON.parse(chosenRegions) as string[]),
    });
    // Clickable charts select their chosen marks (the rest stay as they are, only those get a frame).
    const series = Array.isArray(option.series) ? option.series : option.series ? [option.series] : [];
    const selectable =
      interactionRef.current?.marks.length && !needsRegions
        ? {
            series: series.map((s) => ({
              ...s,
              selectedMode: 'multiple',
              select: {
                itemStyle: { borderColor: scheme === 'dark' ? '#F5F7FA' : '#1F2933', borderWidth: 2 },
              },
            })),
          }
        : {};
    // notMerge: a new result may have fewer series or another legend; nothing stale may survive.
    chart.setOption({ ...option, ...selectable, animation: !reducedMotion } as typeof option, {
      notMerge: true,
    });
    setOptionVersion((v) => v + 1);
    setRendered(true);
  }, [rt, widget, data, scheme, reducedMotion, width, needsRegions, regionLookup, chosenRegions]);

  useEffect(() => {
    const chart = chartRef.current;
    if (!chart) return;
    const onClick = (p: {
      seriesIndex?: number;
      dataIndex?: number;
      dataType?: string;
      event?: { event?: unknown };
    }) => {
      // A sankey's or graph's links share the indexes of its nodes; only nodes are marks.
      if (p.dataType === 'edge') return;
      const current = interactionRef.current;
      const mark = current?.marks.find((m) => m.seriesIndex === p.seriesIndex && m.dataIndex === p.dataIndex);
      // A mouse or a touch event: only a mouse has the modifier keys that add to a selection.
      const e = p.event?.event as Partial<MouseEvent> | undefined;
      if (mark) current?.onActivate(mark, !!(e && (e.ctrlKey || e.metaKey || e.shiftKey)));
    };
    chart.on('click', onClick);
    return () => {
      chart.off('click', onClick);
    };
  }, [rt]);

  // The selection follows the URL: after every option and every cross-filter change.
  const selectedKey = interaction
    ? interaction.marks.map((m) => (interaction.isSelected(m) ? 1 : 0)).join('')
    : '';
  useEffect(() => {
    const chart = chartRef.current;
    const current = interactionRef.current;
    if (!chart || !current?.marks.length) return;
    const bySeries = new Map<number, { all: number[]; on: number[] }>();
    for (const m of current.marks) {
      const entry = bySeries.get(m.seriesIndex) ?? { all: [], on: [] };
      entry.all.push(m.dataIndex);
      if (current.isSelected(m)) entry.on.push(m.dataIndex);
      bySeries.set(m.seriesIndex, entry);
    }
    for (const [seriesIndex, { all, on }] of bySeries) {
      chart.dispatchAction({ type: 'unselect', seriesIndex, dataIndex: all });
      if (on.length) chart.dispatchAction({ type: 'select', seriesIndex, dataIndex: on });
    }
  }, [selectedKey, optionVersion]);

  // Keyboard: the overlay listbox holds focus; arrows move a highlighted mark, Enter applies it.
  const keyMarks = interaction ? distinctMarks(interaction.marks) : [];
  const [active, setActive] = useState(-1);
  const listId = useId();
  const focusMark = (i: number) => {
    const chart = chartRef.current;
    const mark = keyMarks[i];
    setActive(i);
    if (!chart || !mark) return;
    chart.dispatchAction({ type: 'downplay' });
    chart.dispatchAction({ type: 'highlight', seriesIndex: mark.seriesIndex, dataIndex: mark.dataIndex });
    chart.dispatchAction({ type: 'showTip', seriesIndex: mark.seriesIndex, dataIndex: mark.dataIndex });
  };
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (!keyMarks.length) return;
    const last = keyMarks.length - 1;
    const move: Record<string, number> = {
      ArrowRight: Math.min(last, active + 1),
      ArrowDown: Math.min(last, active + 1),
      ArrowLeft: Math.max(0, active - 1),
      ArrowUp: Math.max(0, active - 1),
      Home: 0,
      End: last,
    };
    const to = move[e.key];
    if (to !== undefined) {
      e.preventDefault();
      focusMark(to);
    } else if ((e.key === 'Enter' || e.key === ' ') && keyMarks[active]) {
      e.preventDefault();
      interaction?.onActivate(keyMarks[active], e.ctrlKey || e.metaKey || e.shiftKey);
    }
  };
  const onBlur = () => {
    chartRef.current?.dispatchAction({ type: 'downplay' });
    chartRef.current?.dispatchAction({ type: 'hideTip' });
  };

  if (loadError)
    return (
      <div className="widget-error" role="alert">
        <p className="widget-error-message">{t('charts.libraryFailed')}</p>
        <button type="button" className="button" onClick={() => setLoadError(undefined)}>
          {t('common.retry')}
        </button>
      </div>
    );
  const minHeight = chartMinHeight(widget, data);
  const chart = (
    <div
      ref={ref}
      className="chart"
      data-rendered={rendered ? 'true' : 'false'}
      style={minHeight ? { minHeight } : undefined}
    />
  );
  // One tree whether or not there are marks: the chart's element must survive a change of marks (a
  // drill to the last level has none), or ECharts would keep drawing into a removed element.
  return (
    <div className="chart-frame">
      {chart}
      {/* Marks as options, so keyboards and screen readers can pick what a mouse clicks. */}
      {keyMarks.length > 0 && interaction && (
        <div
          className="chart-marks"
          role="listbox"
          tabIndex={0}
          aria-multiselectable="true"
          aria-label={t('charts.marksLabel', {
            title: widget.title,
            does: interaction.enterDoes ?? t('charts.enterFilters'),
          })}
          // The marks change with the data (a drill, a filter): an old index past the end points nowhere.
          aria-activedescendant={active >= 0 && active < keyMarks.length ? `${listId}-${active}` : undefined}
          onKeyDown={onKeyDown}
          onFocus={() => active >= 0 && focusMark(active)}
          onBlur={onBlur}
          data-testid="chart-marks"
        >
          {keyMarks.map((m, i) => (
            <div
              key={i}
              id={`${listId}-${i}`}
              role="option"
              aria-selected={interaction.isSelected(m)}
              className="visually-hidden"
              data-active={i === active ? 'true' : undefined}
            >
              {m.label}
            </div>
          ))}
        </div>
      )}
    </div>
  );
}
