import type { WidgetDataResponse, WidgetDefinition } from '../../../contract/index.js';
import type { ChartContext, EChartsOption } from './chart-types.js';
import { baseOption, DEFAULT_CONTEXT, measureColumns } from './chart-common.js';
import { formatNumber } from './value-format.js';

/** The chart's own words (kept together for the message catalogue). */
export const GAUGE_TEXT = { target: 'target' };

/**
 * One measure → a dial from the file's `min` to `max`; the band up to the `target` (when declared)
 * is drawn in a muted colour and the target is printed under the value.
 */
export function buildGaugeChart(
  widget: WidgetDefinition,
  data: WidgetDataResponse,
  ctx: ChartContext = DEFAULT_CONTEXT,
): EChartsOption {
  const { style } = ctx;
  const measure = measureColumns(data)[0];
  const mi = measure ? data.columns.indexOf(measure) : -1;
  const raw = data.rows[0]?.[mi];
  const value = typeof raw === 'number' ? raw : 0;
  const { min = 0, max = 100, target } = widget.gauge ?? {};
  const fmt = (v: number) => formatNumber(v, measure?.format, 'compact');
  const accent = style.palette[4] ?? style.text;
  const track = style.scheme === 'dark' ? '#323F4B' : '#E4E7EB';
  const targetAt = target === undefined ? undefined : (target - min) / (max - min);
  return {
    ...baseOption(style),
    series: [
      {
        type: 'gauge',
        name: measure?.label ?? widget.title,
        min,
        max,
        radius: '92%',
        center: ['50%', '58%'],
        startAngle: 210,
        endAngle: -30,
        progress: { show: true, width: 14, itemStyle: { color: accent } },
        axisLine: {
          lineStyle: {
            width: 14,
            color:
              targetAt === undefined
                ? [[1, track]]
                : [
                    [Math.max(0, Math.min(1, targetAt)), track],
                    [1, style.scheme === 'dark' ? '#3E4C59' : '#CBD2D9'],
                  ],
          },
        },
        pointer: { show: false },
        axisTick: { show: false },
        splitLine: { show: false },
        axisLabel: {
          distance: 18,
          color: style.mutedText,
          fontSize: 11,
          formatter: (v: number) => (v === min || v === max ? fmt(v) : ''),
        },
        title: { show: target !== undefined, offsetCenter: [0, '38%'], color: style.mutedText, fontSize: 12 },
        detail: {
          valueAnimation: false,
          offsetCenter: [0, '5%'],
          color: style.text,
          fontSize: 26,
          fontWeight: 600,
          formatter: (v: number) => fmt(v),
        },
        // No row, no needle: an empty result draws an empty dial rather than an invented zero.
        data: data.rows.length
          ? [{ value, name: target !== undefined ? `${GAUGE_TEXT.target} ${fmt(target)}` : '' }]
          : [],
      },
    ],
  };
}
