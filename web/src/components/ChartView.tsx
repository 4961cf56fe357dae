import { useEffect, useRef, useState, useSyncExternalStore } from 'react';
import type { WidgetDataResponse, WidgetDefinition } from '../../../contract/index.js';
import type * as RuntimeModule from '../charts/echarts-runtime.js';
import { chartMinHeight } from '../charts/chart-size.js';
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

/**
 * Mounts one ECharts instance, feeds it the option built from the data (charts/ builders are pure),
 * follows the colour scheme, and resizes with its box (ResizeObserver, so grid reflows count too).
 */
export function ChartView({ widget, data }: { widget: WidgetDefinition; data: WidgetDataResponse }) {
  const ref = useRef<HTMLDivElement>(null);
  const chartRef = useRef<ChartInstance | undefined>(undefined);
  const [rt, setRt] = useState<Runtime | undefined>(runtime);
  const [loadError, setLoadError] = useState<Error | undefined>(undefined);
  const [rendered, setRendered] = useState(false);
  // Width in 40px steps: label layout depends on it, but not on every pixel of a drag.
  const [width, setWidth] = useState<number | undefined>(undefined);
  const scheme = useColorScheme();
  const reducedMotion = useReducedMotion();

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
    return () => {
      observer.disconnect();
      chart.dispose();
      chartRef.current = undefined;
    };
  }, [rt]);

  useEffect(() => {
    const chart = chartRef.current;
    if (!rt || !chart || width === undefined) return;
    const option = rt.buildChartOption(widget, data, { style: rt.chartStyleFor(scheme), width });
    // notMerge: a new result may have fewer series or another legend; nothing stale may survive.
    chart.setOption({ ...option, animation: !reducedMotion }, { notMerge: true });
    setRendered(true);
  }, [rt, widget, data, scheme, reducedMotion, width]);

  if (loadError)
    return (
      <div className="widget-error" role="alert">
        <p className="widget-error-message">The chart library could not be loaded.</p>
        <button type="button" className="button" onClick={() => setLoadError(undefined)}>
          Retry
        </button>
      </div>
    );
  const minHeight = chartMinHeight(widget, data);
  return (
    <div
      ref={ref}
      className="chart"
      data-rendered={rendered ? 'true' : 'false'}
      style={minHeight ? { minHeight } : undefined}
    />
  );
}
