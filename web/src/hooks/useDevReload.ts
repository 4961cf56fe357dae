import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import type { DevProjectStatus } from '../../../contract/index.js';
import { api } from '../api/api-client.js';
import { isNewVersion, parseDevStatus } from '../api/dev-status.js';

/**
 * Under `trellis dev` (the session says `devReload`): listens to the project's status. A new version
 * (saved files that check, swapped in) refetches every query — dashboard definitions and widget data —
 * without reloading the page; problems are returned for the overlay. Elsewhere it does nothing.
 */
export function useDevReload(enabled: boolean): DevProjectStatus | undefined {
  const queryClient = useQueryClient();
  const [status, setStatus] = useState<DevProjectStatus>();
  useEffect(() => {
    if (!enabled || typeof EventSource === 'undefined') return;
    const source = new EventSource(api.streamUrl('/dev/events'));
    let seen: number | undefined;
    source.addEventListener('project', (event) => {
      const next = parseDevStatus(event.data);
      if (!next) return;
      if (isNewVersion(seen, next)) void queryClient.invalidateQueries();
      seen = next.version;
      setStatus(next);
    });
    return () => source.close();
  }, [enabled, queryClient]);
  return status;
}
