import type { WidgetDataResponse, WidgetDefinition } from '../../../contract/index.js';
import type { ChartContext, EChartsOption } from './chart-types.js';
import { baseOption, DEFAULT_CONTEXT, dimensionColumns, escapeHtml, measureColumns } from './chart-common.js';
import { categoryLabel, formatNumber } from './value-format.js';
import { chartWords } from './chart-words.js';

/** Rows [stage, measure] → a funnel in the server's order (largest first unless the file sorts it). */
export function buildFunnelChart(
  widget: WidgetDefinition,
  data: WidgetDataResponse,
  ctx: ChartContext = DEFAULT_CONTEXT,
): EChartsOption {
  const { style } = ctx;
  const dim = dimensionColumns(data)[0];
  const measure = measureColumns(data)[0];
  const di = dim ? data.columns.indexOf(dim) : -1;
  const mi = measure ? data.columns.indexOf(measure) : -1;
  const stages = data.rows.map((r) => ({
    name: categoryLabel(di === -1 ? null : (r[di] ?? null)),
    value: typeof r[mi] === 'number' ? r[mi] : 0,
  }));
  const first = stages[0]?.value || 1;
  const base = baseOption(style);
  return {
    ...base,
    tooltip: {
      ...base.tooltip,
      trigger: 'item',
      formatter: (p: unknown) => {
        const item = p as { name?: string; value?: unknown };
        const v = typeof item.value === 'number' ? item.value : 0;
        return `${escapeHtml(item.name ?? '')}: <b>${formatNumber(v, measure?.format)}</b> (${formatNumber(v / first, 'percent')} ${chartWords().ofFirstStage})`;
      },
    },
    series: [
      {
        type: 'funnel',
        name: measure?.label ?? widget.title,
        sort: 'none',
        // Labels beside the stages: the narrow last stages have no room for text inside.
        left: '4%',
        right: '38%',
        top: 12,
        bottom: 12,
        gap: 2,
        minSize: '8%',
        data: stages,
        label: {
          show: true,
          position: 'right',
          color: style.text,
          formatter: (p: { name: string; value?: unknown }) =>
            `${p.name}: ${typeof p.value === 'number' ? formatNumber(p.value, measure?.format, 'compact') : '—'}`,
        },
        labelLine: { show: true, lineStyle: { color: style.axisLine } },
        itemStyle: { borderColor: style.scheme === 'dark' ? '#1F2933' : '#FFFFFF', borderWidth: 1 },
      },
    ],
  };
}
