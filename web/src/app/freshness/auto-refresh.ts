/**
 * Auto-refresh per dashboard (docs/dashboards.md): off, 1, 5 or 15 minutes, kept per dashboard in
 * this browser. A widget never refreshes faster than its dataset's freshness (the server would answer
 * from its cache anyway): the interval is clamped up to it, and the page says so.
 */
export const AUTO_REFRESH_CHOICES = [0, 60_000, 300_000, 900_000] as const;
export type AutoRefreshMs = (typeof AUTO_REFRESH_CHOICES)[number];

/** The words of the auto-refresh choices and note (the UI passes the catalogue's; English by default). */
export type AutoRefreshWords = (
  key: 'off' | 'every' | 'allClamped' | 'someClamped',
  values: { time: string },
) => string;

const ENGLISH: AutoRefreshWords = (key, v) =>
  ({
    off: 'Off',
    every: `Every ${v.time}`,
    allClamped: `Widgets refresh every ${v.time} at most: their data is kept that long.`,
    someClamped: `Some widgets refresh every ${v.time} at most: their data is kept that long.`,
  })[key];

export function autoRefreshLabel(ms: number, say: AutoRefreshWords = ENGLISH): string {
  return ms === 0 ? say('off', { time: '' }) : say('every', { time: formatMinutes(ms) });
}

/** How often one widget refetches under the chosen interval: never faster than its freshness. */
export function widgetRefreshMs(chosenMs: number, freshnessMs: number): number | false {
  return chosenMs === 0 ? false : Math.max(chosenMs, freshnessMs);
}

/**
 * What the page says when a dataset's freshness slows the chosen interval down: the slowest clamped
 * interval ("Some widgets refresh every 1 h: their data is kept that long"), or nothing.
 */
export function clampNote(
  chosenMs: number,
  freshness: readonly number[],
  say: AutoRefreshWords = ENGLISH,
): string | undefined {
  if (chosenMs === 0) return undefined;
  const slowest = Math.max(0, ...freshness);
  if (slowest <= chosenMs) return undefined;
  const all = freshness.every((f) => f > chosenMs);
  return say(all ? 'allClamped' : 'someClamped', { time: formatMinutes(slowest) });
}

/** The stored choice for a dashboard; anything not a choice (an old or edited value) is off. */
export function readAutoRefresh(
  storage: Pick<Storage, 'getItem'> | undefined,
  dashboardId: string,
): AutoRefreshMs {
  const raw = Number(storage?.getItem(storageKey(dashboardId)) ?? 0);
  return (AUTO_REFRESH_CHOICES as readonly number[]).includes(raw) ? (raw as AutoRefreshMs) : 0;
}

export function storageKey(dashboardId: string): string {
  return `trellis.auto-refresh.${dashboardId}`;
}

function formatMinutes(ms: number): string {
  const minutes = ms / 60_000;
  if (minutes >= 60 && minutes % 60 === 0) return `${minutes / 60} h`;
  if (minutes >= 1) return `${Math.round(minutes)} min`;
  return `${Math.round(ms / 1000)} s`;
}
