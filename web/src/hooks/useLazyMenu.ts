import { useCallback, useRef, useState, type RefObject } from 'react';
import { useDismissable } from './useDismissable.js';

export interface LazyMenu {
  readonly ref: RefObject<HTMLDetailsElement | null>;
  /** True from the first opening on: the panel then stays mounted (its choices kept while closed). */
  readonly opened: boolean;
  /** `<details onToggle>`: mounts the panel when the menu opens. */
  readonly onToggle: () => void;
  /** Closes the menu (the panel calls it when a choice is made). */
  readonly close: () => void;
}

/**
 * A `<details>` menu whose panel is a chunk of its own, loaded when it is first needed: `preload`
 * runs when the pointer or the focus reaches the button, so the panel has usually arrived by the time
 * it opens. Escape and a click elsewhere close it (useDismissable).
 */
export function useLazyMenu(): LazyMenu {
  const ref = useRef<HTMLDetailsElement>(null);
  const [opened, setOpened] = useState(false);
  useDismissable(ref);
  const onToggle = useCallback(() => {
    if (ref.current?.open) setOpened(true);
  }, []);
  const close = useCallback(() => {
    if (ref.current) ref.current.open = false;
  }, []);
  return { ref, opened, onToggle, close };
}
