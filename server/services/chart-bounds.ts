import type { Cell } from '../../contract/index.js';
import type { ResolvedDataWidget } from '../config/project/project.types.js';

/**
 * The declared bounds of the newer charts, applied to a result that was asked for one row beyond
 * them: the rows kept and, when something was left out, a sentence saying what (shown under the
 * chart and read with its description). Charts never grow past what their project file allows.
 */
export interface BoundedRows {
  readonly rows: Cell[][];
  readonly notice?: string;
}

export function boundChartRows(widget: ResolvedDataWidget, rows: Cell[][]): BoundedRows {
  switch (widget.type) {
    case 'boxplot':
      return widget.dimension ? cutAt(rows, widget.limit, 'groups', 'the first') : { rows };
    case 'map':
    case 'floorplan':
      return cutAt(rows, widget.limit, 'regions', 'the largest');
    case 'sankey':
    case 'graph':
      return boundLinks(rows, widget.max_links, widget.max_nodes, widget.type === 'sankey');
    default:
      return { rows };
  }
}

function cutAt(rows: Cell[][], limit: number, what: string, which: string): BoundedRows {
  if (rows.length <= limit) return { rows };
  return { rows: rows.slice(0, limit), notice: `Showing ${which} ${limit} ${what}; there are more.` };
}

/**
 * Links [source, target, value], strongest first (as the query sorts them): at most `maxLinks`, only
 * links whose nodes fit in `maxNodes` (the nodes of the strongest links are kept), and for a sankey no
 * link back into what already flows (a sankey cannot draw a loop) nor to itself.
 */
export function boundLinks(
  rows: Cell[][],
  maxLinks: number,
  maxNodes: number,
  acyclic: boolean,
): BoundedRows {
  const cutLinks = rows.length > maxLinks;
  const nodes = new Set<string>();
  const next = new Map<string, Set<string>>();
  const kept: Cell[][] = [];
  let nodeCut = 0;
  let loops = 0;
  for (const row of rows.slice(0, maxLinks)) {
    const source = String(row[0] ?? '');
    const target = String(row[1] ?? '');
    const added = [source, target].filter((n, i, all) => !nodes.has(n) && all.indexOf(n) === i).length;
    if (nodes.size + added > maxNodes) {
      nodeCut++;
      continue;
    }
    if (acyclic && (source === target || reaches(next, target, source))) {
      loops++;
      continue;
    }
    nodes.add(source);
    nodes.add(target);
    const out = next.get(source) ?? new Set<string>();
    out.add(target);
    next.set(source, out);
    kept.push(row);
  }
  const parts: string[] = [];
  if (cutLinks) parts.push(`the ${maxLinks} strongest links are shown; weaker ones are left out`);
  if (nodeCut)
    parts.push(`${nodeCut} ${nodeCut === 1 ? 'link' : 'links'} to more than ${maxNodes} nodes left out`);
  if (loops) parts.push(`${loops} ${loops === 1 ? 'link' : 'links'} closing a loop left out`);
  if (!parts.length) return { rows: kept };
  const text = parts.join('; ');
  return { rows: kept, notice: `${text.charAt(0).toUpperCase()}${text.slice(1)}.` };
}

/** Is `to` reachable from `from` along the kept links? (Bounded: at most maxNodes nodes.) */
function reaches(next: ReadonlyMap<string, ReadonlySet<string>>, from: string, to: string): boolean {
  const seen = new Set<string>([from]);
  const stack = [from];
  while (stack.length) {
    const n = stack.pop() as string;
    if (n === to) return true;
    for (const m of next.get(n) ?? [])
      if (!seen.has(m)) {
        seen.add(m);
        stack.push(m);
      }
  }
  return false;
}
