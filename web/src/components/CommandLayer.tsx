import { useQueryClient } from '@tanstack/react-query';
import { lazy, Suspense, useEffect, useRef, useState } from 'react';
import { dashboardListQuery, queryKeys } from '../api/queries.js';
import { matchRoute } from '../app/routing/routes.js';
import { navigate, useLocation } from '../app/routing/router.js';
import { NAV_PAGES, dashboardPath } from '../app/routing/routes.js';
import { createShortcutReader, neighbourDashboard, type ShortcutAction } from '../app/shortcuts/shortcuts.js';

// Both dialogs load on first use, in their own chunk (cmdk with them): the first page stays small.
const CommandPalette = lazy(() => import('./CommandPalette.js'));
const ShortcutsHelp = lazy(() => import('./ShortcutsHelp.js'));

/**
 * The signed-in app's keyboard layer: Ctrl+K / ⌘K opens the command palette, `?` the shortcuts
 * overlay, and the shortcuts of app/shortcuts/shortcuts.ts act on the page shown.
 */
export function CommandLayer() {
  const [open, setOpen] = useState<'palette' | 'help' | undefined>();
  const queryClient = useQueryClient();
  const location = useLocation();
  const route = matchRoute(location.pathname);
  const dashboardId = route.name === 'dashboard' ? route.dashboardId : undefined;
  // The listener reads the latest values without being re-added on every navigation.
  const latest = useRef({ dashboardId, open });
  latest.current = { dashboardId, open };

  useEffect(() => {
    const read = createShortcutReader();
    const act = (action: ShortcutAction) => {
      const { dashboardId: current } = latest.current;
      switch (action) {
        case 'palette':
          setOpen('palette');
          return;
        case 'help':
          setOpen('help');
          return;
        case 'go-dashboards':
          navigate('/');
          return;
        case 'go-jobs':
          navigate(NAV_PAGES.jobs.path);
          return;
        case 'focus-filters': {
          const first = document.querySelector<HTMLElement>(
            '.filter-bar input, .filter-bar select, .filter-bar button, .filter-bar summary',
          );
          first?.focus();
          return;
        }
        case 'refresh':
          if (current) void queryClient.invalidateQueries({ queryKey: queryKeys.dashboardData(current) });
          return;
        case 'previous-dashboard':
        case 'next-dashboard':
          void queryClient.fetchQuery(dashboardListQuery()).then((list) => {
            const ids = list.dashboards.map((d) => d.id);
            const to = neighbourDashboard(ids, current, action === 'next-dashboard' ? 1 : -1);
            if (to) navigate(dashboardPath(to));
          });
          return;
      }
    };
    const onKey = (event: KeyboardEvent) => {
      // An open dialog owns the keyboard (its own Escape, arrows and typing).
      if (latest.current.open || event.defaultPrevented || event.repeat) return;
      const action = read(event, event.timeStamp);
      if (!action) return;
      event.preventDefault();
      act(action);
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [queryClient]);

  const close = () => setOpen(undefined);
  return (
    <Suspense fallback={null}>
      {open === 'palette' && (
        <CommandPalette onClose={close} onShowShortcuts={() => setOpen('help')} dashboardId={dashboardId} />
      )}
      {open === 'help' && <ShortcutsHelp onClose={close} />}
    </Suspense>
  );
}
