/**
 * The keys a table widget hands to an action (docs/project-files.md#action-widgets): only the key
 * column's values, in the order they were picked, never more than the action's keys input allows.
 * Pure functions: the dashboard page holds the state, the table and the action widget read it.
 */

export interface RowSelection {
  readonly keys: readonly string[];
  /** Set when the last change asked for more than `max`: what was refused (shown beside the count). */
  readonly refused: number;
}

export const NO_SELECTION: RowSelection = { keys: [], refused: 0 };

/** One row's checkbox: on adds its key (refused beyond `max`), off removes it. */
export function toggleKey(sel: RowSelection, key: string, max: number): RowSelection {
  if (sel.keys.includes(key)) return { keys: sel.keys.filter((k) => k !== key), refused: 0 };
  if (sel.keys.length >= max) return { keys: sel.keys, refused: 1 };
  return { keys: [...sel.keys, key], refused: 0 };
}

/** How much of the page is selected: drives the header checkbox (checked, mixed, clear). */
export function pageState(sel: RowSelection, pageKeys: readonly string[]): 'all' | 'some' | 'none' {
  const on = pageKeys.filter((k) => sel.keys.includes(k)).length;
  return on === 0 ? 'none' : on === pageKeys.length ? 'all' : 'some';
}

/**
 * The header checkbox: a fully selected page is cleared; otherwise the page's keys are added up to
 * `max`, and how many did not fit is reported rather than silently dropped.
 */
export function togglePage(sel: RowSelection, pageKeys: readonly string[], max: number): RowSelection {
  if (pageKeys.length > 0 && pageState(sel, pageKeys) === 'all')
    return { keys: sel.keys.filter((k) => !pageKeys.includes(k)), refused: 0 };
  const missing = [...new Set(pageKeys)].filter((k) => !sel.keys.includes(k));
  const room = Math.max(0, max - sel.keys.length);
  return { keys: [...sel.keys, ...missing.slice(0, room)], refused: Math.max(0, missing.length - room) };
}

/** A cell's value as a key (the server refuses anything a `keys` input would not take). */
export function keyOf(value: unknown): string | null {
  if (value === null || value === undefined || value === '') return null;
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : null;
}
