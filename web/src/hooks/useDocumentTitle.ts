import { useEffect } from 'react';

/** The tab's title follows the page, so history and bookmarks name the dashboard. */
export function useDocumentTitle(title: string): void {
  useEffect(() => {
    document.title = title;
  }, [title]);
}
