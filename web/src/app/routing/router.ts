import { useSyncExternalStore } from 'react';

/**
 * A tiny router on the History API: the location is an external store that React reads with
 * useSyncExternalStore, so back/forward (popstate) and our own pushState calls re-render the same way.
 */
export interface AppLocation {
  readonly pathname: string;
  readonly search: string;
}

const listeners = new Set<() => void>();
let current: AppLocation = readLocation();

function readLocation(): AppLocation {
  return { pathname: window.location.pathname, search: window.location.search };
}

function emit(): void {
  const next = readLocation();
  // Same object when nothing changed, so subscribers do not re-render for nothing.
  if (next.pathname === current.pathname && next.search === current.search) return;
  current = next;
  for (const l of listeners) l();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  if (listeners.size === 1) window.addEventListener('popstate', emit);
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0) window.removeEventListener('popstate', emit);
  };
}

export function useLocation(): AppLocation {
  return useSyncExternalStore(subscribe, () => current);
}

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  const here = `${window.location.pathname}${window.location.search}`;
  if (to === here) return;
  if (options.replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  emit();
}

/** For <a> clicks: let the browser handle new tabs, downloads and modified clicks. */
export function shouldHandleClick(event: {
  button: number;
  metaKey: boolean;
  ctrlKey: boolean;
  shiftKey: boolean;
  altKey: boolean;
  defaultPrevented: boolean;
}): boolean {
  return (
    !event.defaultPrevented &&
    event.button === 0 &&
    !event.metaKey &&
    !event.ctrlKey &&
    !event.shiftKey &&
    !event.altKey
  );
}
