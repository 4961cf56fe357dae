/**
 * Drill-down paths in the URL, one `dr=<widget>:<period>,<period>` per drilled widget, so a copied
 * link opens the same level and Back climbs up again. Periods are the first days of the chosen
 * periods (YYYY-MM-DD), coarsest first; the server checks them (DRILL_INVALID), so here only their
 * shape is kept and at most 3 per widget.
 */
export const DRILL_PARAM = 'dr';
const DATE = /^\d{4}-\d{2}-\d{2}$/;

export type DrillPaths = Readonly<Record<string, readonly string[]>>;

export function parseDrill(search: string, drillable: ReadonlySet<string>): DrillPaths {
  const out: Record<string, string[]> = {};
  for (const raw of new URLSearchParams(search).getAll(DRILL_PARAM)) {
    const colon = raw.indexOf(':');
    if (colon < 1) continue;
    const widget = raw.slice(0, colon);
    const path = raw.slice(colon + 1).split(',');
    if (!drillable.has(widget) || out[widget] || path.length > 3 || !path.every((p) => DATE.test(p)))
      continue;
    out[widget] = path;
  }
  return out;
}

/** `dr=` pairs of a query string (to append after the filters), in widget order. */
export function formatDrill(paths: DrillPaths): string[] {
  return Object.entries(paths)
    .filter(([, path]) => path.length > 0)
    .map(([widget, path]) => `${DRILL_PARAM}=${encodeURIComponent(widget)}:${path.join(',')}`);
}

/** The `dr=` pairs already in a query string, kept as they are when filters change. */
export function drillPairs(search: string): string[] {
  return search
    .replace(/^\?/, '')
    .split('&')
    .filter((p) => p.startsWith(`${DRILL_PARAM}=`));
}

/** How a period reads in the breadcrumb: 2021, Q1 2021, Mar 2021, 4 Mar 2021. */
export function periodLabel(grain: string, start: string): string {
  const [y, m, d] = start.split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(y, m - 1, d));
  switch (grain) {
    case 'year':
      return String(y);
    case 'quarter':
      return `Q${Math.floor((m - 1) / 3) + 1} ${y}`;
    case 'month':
      return date.toLocaleDateString('en-GB', { month: 'short', year: 'numeric', timeZone: 'UTC' });
    default:
      return date.toLocaleDateString('en-GB', {
        day: 'numeric',
        month: 'short',
        year: 'numeric',
        timeZone: 'UTC',
      });
  }
}
