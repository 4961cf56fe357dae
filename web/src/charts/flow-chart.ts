import type { WidgetDataResponse, WidgetDefinition } from '../../../contract/index.js';
import type { ChartContext, EChartsOption } from './chart-types.js';
import { baseOption, DEFAULT_CONTEXT, escapeHtml, measureColumns } from './chart-common.js';
import { formatNumber } from './value-format.js';
import { chartWords } from './chart-words.js';
import { flowNodes } from './flow-nodes.js';

export { flowNodes };

const MAX_GRAPH_LABELS = 16;

/**
 * Rows [source, target, value] → a sankey (`sankey`; the server left out links that would close a loop)
 * or a force-directed network (`graph`), node sizes by the weight through them.
 */
export function buildFlowChart(
  widget: WidgetDefinition,
  data: WidgetDataResponse,
  ctx: ChartContext = DEFAULT_CONTEXT,
): EChartsOption {
  const { style } = ctx;
  const measure = measureColumns(data)[0];
  const { links, nodes } = flowNodes(data);
  const base = baseOption(style);
  const tooltip = {
    ...base.tooltip,
    trigger: 'item' as const,
    formatter: (p: unknown) => {
      const item = p as {
        dataType?: string;
        name?: string;
        data?: { source?: string; target?: string; value?: number };
      };
      if (item.dataType === 'edge' && item.data)
        return `${escapeHtml(item.data.source ?? '')} → ${escapeHtml(item.data.target ?? '')}: <b>${formatNumber(item.data.value ?? 0, measure?.format)}</b>`;
      const name = item.name ?? '';
      return `${escapeHtml(name)}: <b>${formatNumber(nodes.get(name) ?? 0, measure?.format)}</b> ${chartWords().total}`;
    },
  };
  if (widget.type === 'sankey')
    return {
      ...base,
      aria: { enabled: true, decal: { show: false } },
      tooltip,
      series: [
        {
          type: 'sankey',
          name: measure?.label ?? widget.title,
          left: 8,
          right: 140,
          top: 12,
          bottom: 12,
          nodeGap: 10,
          emphasis: { focus: 'adjacency' },
          data: [...nodes.keys()].map((name) => ({ name })),
          links,
          label: { color: style.text, fontSize: 12 },
          lineStyle: { color: 'gradient', opacity: 0.35, curveness: 0.5 },
          itemStyle: { borderWidth: 0 },
        },
      ],
    };
  const biggest = Math.max(1, ...nodes.values());
  const strongest = Math.max(1, ...links.map((l) => l.value));
  const names = [...nodes.keys()];
  // Dense networks name only their biggest nodes (the tooltip and the table name every one).
  const labelled = new Set(
    [...nodes]
      .sort((a, b) => b[1] - a[1])
      .slice(0, MAX_GRAPH_LABELS)
      .map(([n]) => n),
  );
  return {
    ...base,
    aria: { enabled: true, decal: { show: false } },
    tooltip,
    series: [
      {
        type: 'graph',
        name: measure?.label ?? widget.title,
        layout: 'force',
        roam: true,
        draggable: true,
        force: { repulsion: 180, edgeLength: [40, 140], gravity: 0.08 },
        // Positions start on a circle, so the layout is the same on every load (no random seed).
        data: names.map((name, i) => ({
          name,
          value: nodes.get(name) ?? 0,
          x: Math.cos((2 * Math.PI * i) / names.length) * 200,
          y: Math.sin((2 * Math.PI * i) / names.length) * 200,
          symbolSize: 8 + 26 * Math.sqrt((nodes.get(name) ?? 0) / biggest),
          itemStyle: { color: style.palette[i % style.palette.length] },
          label: { show: labelled.has(name) },
        })),
        links: links.map((l) => ({
          ...l,
          lineStyle: { width: 0.5 + 5 * (l.value / strongest) },
        })),
        label: { position: 'right', color: style.text, fontSize: 11 },
        lineStyle: { color: style.axisLine, opacity: 0.7, curveness: 0.1 },
        emphasis: { focus: 'adjacency', lineStyle: { width: 4 } },
      },
    ],
  };
}
