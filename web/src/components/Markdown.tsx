import { useEffect, useState } from 'react';
import type * as ContentModule from './MarkdownContent.js';

// Type-only: the renderer (and micromark with it) is loaded on demand below.
type Content = typeof ContentModule;

/**
 * micromark and the renderer are their own chunk (docs/ARCHITECTURE.md has the sizes), pulled in by
 * the first text widget on a page, like ECharts by the first chart: the dashboard list and pages
 * without text widgets never download it.
 */
let contentPromise: Promise<Content> | undefined;
let content: Content | undefined;
function loadContent(): Promise<Content> {
  contentPromise ??= import('./MarkdownContent.js').then(
    (m) => (content = m),
    (err: unknown) => {
      contentPromise = undefined; // let a later attempt try again
      throw err;
    },
  );
  return contentPromise;
}

export type MarkdownRenderer = 'loading' | 'ready' | 'failed';

/**
 * Whether the renderer is there yet (loading it when `enabled`). The widget card stays in its
 * loading state until then, so a text widget appears once, rendered, rather than changing under
 * the reader (and under tests that compare what widgets show).
 */
export function useMarkdownRenderer(enabled = true): MarkdownRenderer {
  const [state, setState] = useState<MarkdownRenderer>(content ? 'ready' : 'loading');
  useEffect(() => {
    if (!enabled || state !== 'loading') return;
    let live = true;
    loadContent().then(
      () => live && setState('ready'),
      () => live && setState('failed'),
    );
    return () => {
      live = false;
    };
  }, [enabled, state]);
  return state;
}

/**
 * A text widget's Markdown, rendered safely (markdown-tree.ts). If the renderer cannot be loaded the
 * source is shown as plain text: the words are never missing.
 */
export function Markdown({ source }: { source: string }) {
  const state = useMarkdownRenderer();
  if (state === 'ready' && content) return <content.MarkdownContent source={source} />;
  return (
    <div className="markdown markdown-plain" aria-busy={state === 'loading'}>
      {state === 'failed' && <p>{source}</p>}
    </div>
  );
}
