import { useEffect, useRef, useState } from 'react';

/**
 * Local edits of a value that is committed elsewhere (the URL) after a pause. The draft follows
 * outside changes (Reset, back/forward) but ignores the echo of its own commits, which would
 * otherwise overwrite what the user typed after the commit was sent.
 */
export function useDraft<T>(
  committed: T,
  commit: (value: T) => void,
  options: { delayMs: number; equals: (a: T, b: T) => boolean },
): [T, (next: T) => void, () => void] {
  const [draft, setDraft] = useState(committed);
  const lastSent = useRef(committed);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const { delayMs, equals } = options;

  useEffect(() => {
    if (equals(committed, lastSent.current)) return;
    lastSent.current = committed;
    clearTimeout(timer.current);
    setDraft(committed);
  }, [committed, equals]);

  useEffect(() => () => clearTimeout(timer.current), []);

  const send = (value: T) => {
    clearTimeout(timer.current);
    if (equals(value, lastSent.current)) return;
    lastSent.current = value;
    commit(value);
  };

  const update = (next: T) => {
    setDraft(next);
    clearTimeout(timer.current);
    timer.current = setTimeout(() => send(next), delayMs);
  };

  /** Commit now (Enter, blur) instead of waiting for the pause. */
  const flush = () => send(draft);

  return [draft, update, flush];
}
