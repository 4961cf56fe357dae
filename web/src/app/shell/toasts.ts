import { useSyncExternalStore } from 'react';

/**
 * Short notices that appear on any page (a run finished) and go away by themselves. A tiny external
 * store: pure list operations below (tested), a module-level list the Toaster component reads.
 */
export interface Toast {
  readonly id: number;
  readonly kind: 'success' | 'error' | 'info';
  readonly title: string;
  readonly message: string;
  /** Deduplication: a second toast with the same key replaces the first (the same run heard twice). */
  readonly key?: string;
}

export const MAX_TOASTS = 4;

/** The list with `toast` on top: one per key, at most `max` (the oldest go first). */
export function addToast(list: readonly Toast[], toast: Toast, max = MAX_TOASTS): Toast[] {
  const rest = toast.key === undefined ? list : list.filter((t) => t.key !== toast.key);
  const next = [...rest, toast];
  return next.length > max ? next.slice(next.length - max) : next;
}

export function removeToast(list: readonly Toast[], id: number): Toast[] {
  return list.filter((t) => t.id !== id);
}

/** How long a toast stays: failures longer, since their message is worth reading. */
export function toastLifetimeMs(kind: Toast['kind']): number {
  return kind === 'error' ? 15_000 : 8_000;
}

let toasts: readonly Toast[] = [];
let nextId = 1;
const listeners = new Set<() => void>();
const emit = () => {
  for (const l of listeners) l();
};

export function showToast(toast: Omit<Toast, 'id'>): number {
  const id = nextId++;
  toasts = addToast(toasts, { ...toast, id });
  emit();
  return id;
}

export function dismissToast(id: number): void {
  const next = removeToast(toasts, id);
  if (next.length === toasts.length) return;
  toasts = next;
  emit();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function useToasts(): readonly Toast[] {
  return useSyncExternalStore(subscribe, () => toasts);
}
