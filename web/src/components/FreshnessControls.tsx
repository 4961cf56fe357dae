import { useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import type { DashboardDefinition } from '../../../contract/index.js';
import { api, type WidgetDataParams } from '../api/api-client.js';
import { queryKeys } from '../api/queries.js';
import {
  AUTO_REFRESH_CHOICES,
  autoRefreshLabel,
  clampNote,
  storageKey,
  type AutoRefreshMs,
} from '../app/freshness/auto-refresh.js';
import { useSession } from '../hooks/useSession.js';

import { useTranslation } from 'react-i18next';

/**
 * The dashboard's freshness controls: auto-refresh (off / 1 / 5 / 15 min, clamped to the datasets'
 * freshness, said under the select) and, for editors and admins, "Refresh now", which asks the server
 * to read the sources again instead of its cache (the server ignores it for viewers).
 */
export function FreshnessControls(props: {
  definition: DashboardDefinition;
  autoRefreshMs: AutoRefreshMs;
  onAutoRefresh: (ms: AutoRefreshMs) => void;
}) {
  const { definition, autoRefreshMs } = props;
  const { t } = useTranslation();
  const selectId = useId();
  const noteId = useId();
  const session = useSession();
  const client = useQueryClient();
  const [busy, setBusy] = useState(false);
  const editor = session.data?.role === 'editor' || session.data?.role === 'admin';
  const say = (key: 'off' | 'every' | 'allClamped' | 'someClamped', v: { time: string }) =>
    t(`freshness.${key}`, v);
  const note = clampNote(
    autoRefreshMs,
    definition.widgets.filter((w) => w.type !== 'text').map((w) => w.freshnessMs),
    say,
  );

  const refreshNow = async () => {
    setBusy(true);
    try {
      const queries = client
        .getQueryCache()
        .findAll({ queryKey: queryKeys.dashboardData(definition.id), type: 'active' });
      await Promise.all(
        queries.map(async (q) => {
          const [, dashboardId, widgetId, params] = q.queryKey as [string, string, string, unknown];
          // The rows behind a mark: refetched once the widgets' fresh results are cached.
          if (typeof params !== 'object' || params === null) return;
          const data = await api.widgetData(dashboardId, widgetId, {
            ...(params as WidgetDataParams),
            refresh: true,
          });
          client.setQueryData(q.queryKey, data);
        }),
      );
      await client.invalidateQueries({ queryKey: queryKeys.dashboardData(definition.id), type: 'active' });
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="freshness-controls">
      <label htmlFor={selectId} className="freshness-label">
        {t('freshness.autoRefresh')}
      </label>
      <select
        id={selectId}
        className="freshness-select"
        value={autoRefreshMs}
        aria-describedby={note ? noteId : undefined}
        onChange={(e) => props.onAutoRefresh(Number(e.target.value) as AutoRefreshMs)}
      >
        {AUTO_REFRESH_CHOICES.map((ms) => (
          <option key={ms} value={ms}>
            {autoRefreshLabel(ms, say)}
          </option>
        ))}
      </select>
      {note && (
        <span id={noteId} className="freshness-note" data-testid="auto-refresh-note">
          {note}
        </span>
      )}
      {editor && (
        <button
          type="button"
          className="button secondary small"
          onClick={() => void refreshNow()}
          disabled={busy}
          aria-busy={busy}
          title={t('freshness.refreshNowTitle')}
          data-testid="refresh-now"
        >
          {busy ? t('freshness.refreshing') : t('freshness.refreshNow')}
        </button>
      )}
    </div>
  );
}

/** Writes the choice for this dashboard in this browser (storage may be unavailable: then it lasts the visit). */
export function storeAutoRefresh(dashboardId: string, ms: AutoRefreshMs): void {
  try {
    if (ms === 0) localStorage.removeItem(storageKey(dashboardId));
    else localStorage.setItem(storageKey(dashboardId), String(ms));
  } catch {
    // Private mode or storage full: the choice still holds for this page.
  }
}
