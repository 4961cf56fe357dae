/**
 * The app's keyboard shortcuts, as a pure reader of key events (testable without a DOM): single keys
 * and two-key sequences ("g" then "d"). Plain keys never fire while the person types in a field or
 * holds a modifier; only Ctrl+K / ⌘K (the palette) uses one.
 */
export type ShortcutAction =
  | 'palette'
  | 'help'
  | 'go-dashboards'
  | 'go-jobs'
  | 'focus-filters'
  | 'refresh'
  | 'previous-dashboard'
  | 'next-dashboard';

/** For the `?` overlay: what to press, and the action (its text is the catalogue's shortcuts.does.<action>). */
export const SHORTCUTS: readonly { readonly keys: readonly string[]; readonly action: ShortcutAction }[] = [
  { keys: ['Ctrl', 'K'], action: 'palette' },
  { keys: ['?'], action: 'help' },
  { keys: ['g', 'd'], action: 'go-dashboards' },
  { keys: ['g', 'j'], action: 'go-jobs' },
  { keys: ['/'], action: 'focus-filters' },
  { keys: ['r'], action: 'refresh' },
  { keys: ['['], action: 'previous-dashboard' },
  { keys: [']'], action: 'next-dashboard' },
];

export interface KeyLike {
  readonly key: string;
  readonly ctrlKey: boolean;
  readonly metaKey: boolean;
  readonly altKey: boolean;
  readonly target: unknown;
}

/** A second key must follow "g" within this long (ms), or the sequence is forgotten. */
export const SEQUENCE_MS = 1_500;

/** Where typed characters are text, not commands. */
export function isTypingTarget(target: unknown): boolean {
  const el = target as { tagName?: unknown; isContentEditable?: unknown; type?: unknown } | null;
  if (!el || typeof el.tagName !== 'string') return false;
  const tag = el.tagName.toUpperCase();
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
  if (tag === 'INPUT') {
    const type = typeof el.type === 'string' ? el.type.toLowerCase() : 'text';
    // A checkbox or button takes no text: shortcuts still work with focus on one.
    return !['checkbox', 'radio', 'button', 'submit', 'reset', 'range', 'color', 'file'].includes(type);
  }
  return el.isContentEditable === true;
}

/** A reader with its own sequence memory: call it with each keydown and the time. */
export function createShortcutReader(): (event: KeyLike, now: number) => ShortcutAction | undefined {
  let pending: { key: string; at: number } | undefined;
  return (event, now) => {
    const key = event.key;
    if ((event.ctrlKey || event.metaKey) && !event.altKey && key.toLowerCase() === 'k') {
      pending = undefined;
      return 'palette';
    }
    if (event.ctrlKey || event.metaKey || event.altKey || isTypingTarget(event.target)) {
      pending = undefined;
      return undefined;
    }
    const previous = pending && now - pending.at <= SEQUENCE_MS ? pending.key : undefined;
    pending = undefined;
    if (previous === 'g') {
      if (key === 'd') return 'go-dashboards';
      if (key === 'j') return 'go-jobs';
    }
    switch (key) {
      case 'g':
        pending = { key, at: now };
        return undefined;
      case '?':
        return 'help';
      case '/':
        return 'focus-filters';
      case 'r':
        return 'refresh';
      case '[':
        return 'previous-dashboard';
      case ']':
        return 'next-dashboard';
      default:
        return undefined;
    }
  };
}

/** The dashboard before or after `current` in list order, wrapping around; undefined if none. */
export function neighbourDashboard(
  ids: readonly string[],
  current: string | undefined,
  step: 1 | -1,
): string | undefined {
  if (ids.length === 0) return undefined;
  const at = current === undefined ? -1 : ids.indexOf(current);
  if (at === -1) return step === 1 ? ids[0] : ids[ids.length - 1];
  return ids[(at + step + ids.length) % ids.length];
}
