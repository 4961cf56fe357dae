import { useQuery } from '@tanstack/react-query';
import { Command } from 'cmdk';
import { useEffect, useRef, useState } from 'react';
import { MAX_SEARCH_QUERY } from '../../../contract/index.js';
import { dashboardListQuery } from '../api/queries.js';
import { searchQuery } from '../api/search-api.js';
import { can } from '../app/accounts/abilities.js';
import { ACCOUNT_PAGES, NAV_PAGES, dashboardPath } from '../app/routing/routes.js';
import { hitPath } from '../app/routing/search-hit-path.js';
import { navigate } from '../app/routing/router.js';
import { useTranslation } from 'react-i18next';
import { LOCALE_NAMES, LOCALES } from '../../../contract/locale.js';
import { useLocaleChoice } from '../app/i18n/useLocale.js';
import { setThemePreference, THEME_PREFERENCES } from '../app/shell/theme.js';
import { useThemePreference } from '../hooks/useColorScheme.js';
import { useSession } from '../hooks/useSession.js';

/** Wait this long after the last keystroke before asking the server (ms). */
const SEARCH_DELAY_MS = 200;
/** Shorter text matches too much to be worth a request. */
const SEARCH_MIN_LENGTH = 2;

interface Entry {
  readonly id: string;
  readonly label: string;
  readonly hint?: string;
  readonly run: () => void;
}

/**
 * Ctrl+K / ⌘K: jump to a dashboard or page, run an action, or find a value the project declared
 * searchable (GET /api/v1/search) and open its dashboard filtered to it. A modal <dialog> holds cmdk's
 * list (arrow keys, Enter); Escape closes and focus returns where it was.
 */
export default function CommandPalette({
  onClose,
  onShowShortcuts,
  dashboardId,
}: {
  onClose: () => void;
  onShowShortcuts: () => void;
  dashboardId: string | undefined;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const [text, setText] = useState('');
  const [q, setQ] = useState('');
  const session = useSession();
  const list = useQuery(dashboardListQuery());
  const theme = useThemePreference();
  const { t } = useTranslation();
  const language = useLocaleChoice();

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    const returnTo = document.activeElement as HTMLElement | null;
    if (!dialog.open) dialog.showModal();
    // showModal focuses the first focusable element (cmdk's root); typing belongs in the input.
    dialog.querySelector<HTMLInputElement>('.palette-input')?.focus();
    const cancel = (e: Event) => {
      e.preventDefault();
      onClose();
    };
    dialog.addEventListener('cancel', cancel);
    return () => {
      dialog.removeEventListener('cancel', cancel);
      if (dialog.open) dialog.close();
      // Back to where the palette was opened, unless navigation moved focus on purpose.
      if (returnTo?.isConnected && document.activeElement === document.body) returnTo.focus();
    };
  }, [onClose]);

  useEffect(() => {
    const timer = setTimeout(() => setQ(text.trim()), SEARCH_DELAY_MS);
    return () => clearTimeout(timer);
  }, [text]);
  const searching = q.length >= SEARCH_MIN_LENGTH;
  const found = useQuery({ ...searchQuery(q), enabled: searching });

  const go = (to: string) => {
    onClose();
    navigate(to);
  };
  const needle = text.trim().toLowerCase();
  const matches = (e: Entry) => !needle || `${e.label} ${e.hint ?? ''}`.toLowerCase().includes(needle);

  const dashboards: Entry[] = (list.data?.dashboards ?? []).map((d) => ({
    id: `dashboard:${d.id}`,
    label: d.title,
    ...(d.description ? { hint: d.description } : {}),
    run: () => go(dashboardPath(d.id)),
  }));
  const pages: Entry[] = [
    { id: 'page:list', label: t('common.allDashboards'), run: () => go('/') },
    // Every page of the app bar (Jobs, Exports, Subscriptions, Data) and of the account menu that
    // this member may open.
    ...(Object.keys(NAV_PAGES) as (keyof typeof NAV_PAGES)[])
      .filter((name) => {
        const ability = NAV_PAGES[name].ability;
        return !ability || can(session.data, ability);
      })
      .map((name) => ({
        id: `page:${name}`,
        label: t(`pages.${name}`),
        run: () => go(NAV_PAGES[name].path),
      })),
    ...(Object.keys(ACCOUNT_PAGES) as (keyof typeof ACCOUNT_PAGES)[])
      .filter((name) => {
        const ability = ACCOUNT_PAGES[name].ability;
        return !ability || can(session.data, ability);
      })
      .map((name) => ({
        id: `page:${name}`,
        label: t(`pages.${name}`),
        hint: name.startsWith('admin') ? t('nav.admin') : t('nav.account'),
        run: () => go(ACCOUNT_PAGES[name].path),
      })),
  ];
  const actions: Entry[] = [
    {
      id: 'action:shortcuts',
      label: t('palette.shortcuts'),
      hint: '?',
      run: onShowShortcuts,
    },
    // One entry per theme, so typing "dark" finds it; the current one says so.
    ...THEME_PREFERENCES.map((p) => ({
      id: `action:theme-${p}`,
      label: t('theme.action', { name: t(`theme.${p}`) }),
      hint: p === theme ? t('palette.current') : p === 'system' ? t('theme.followSystem') : t('theme.legend'),
      run: () => {
        setThemePreference(p);
        onClose();
      },
    })),
    // One entry per language, named in itself ("Deutsch") and in the current language's word for it.
    ...LOCALES.map((l) => ({
      id: `action:language-${l}`,
      label: t('language.action', { name: LOCALE_NAMES[l] }),
      hint: l === language.locale ? t('palette.current') : t('language.hint'),
      run: () => {
        language.choose(l);
        onClose();
      },
    })),
  ];
  const hits = searching ? (found.data?.hits ?? []) : [];
  const shown = {
    dashboards: dashboards.filter(matches),
    pages: pages.filter(matches),
    actions: actions.filter(matches),
  };
  const nothing =
    shown.dashboards.length + shown.pages.length + shown.actions.length + hits.length === 0 &&
    !(searching && found.isFetching);

  const item = (e: Entry) => (
    <Command.Item key={e.id} value={e.id} onSelect={e.run} className="palette-item">
      <span className="palette-label">{e.label}</span>
      {e.hint && <span className="palette-hint">{e.hint}</span>}
    </Command.Item>
  );

  return (
    <dialog
      ref={ref}
      className="dialog palette-dialog"
      aria-label={t('palette.label')}
      data-testid="command-palette"
    >
      {/* Filtering is ours: the server already matched the hits, and labels are matched here. */}
      <Command label={t('palette.label')} shouldFilter={false} loop>
        <Command.Input
          value={text}
          onValueChange={setText}
          maxLength={MAX_SEARCH_QUERY}
          placeholder={t('palette.placeholder')}
          className="palette-input"
        />
        <Command.List className="palette-list">
          {searching && found.isFetching && <Command.Loading>{t('palette.searching')}</Command.Loading>}
          {searching && found.isError && (
            <div className="palette-error" role="alert">
              {t('palette.searchFailed', { message: found.error.message })}
            </div>
          )}
          {nothing && <div className="palette-empty">{t('palette.nothing', { text: text.trim() })}</div>}
          {hits.length > 0 && (
            <Command.Group heading={found.data?.more ? t('palette.foundFirst') : t('palette.found')}>
              {hits.map((h) => (
                <Command.Item
                  key={`hit:${h.dashboard}:${h.filter}:${h.value}`}
                  value={`hit:${h.dashboard}:${h.filter}:${h.value}`}
                  onSelect={() => go(hitPath(h))}
                  className="palette-item"
                >
                  <span className="palette-label">{h.value}</span>
                  <span className="palette-hint">
                    {h.filterLabel} · {h.dashboardTitle}
                  </span>
                </Command.Item>
              ))}
            </Command.Group>
          )}
          {shown.dashboards.length > 0 && (
            <Command.Group heading={t('palette.dashboards')}>
              {shown.dashboards.map((e) =>
                item(
                  e.id === `dashboard:${dashboardId ?? ''}` ? { ...e, hint: t('palette.thisDashboard') } : e,
                ),
              )}
            </Command.Group>
          )}
          {shown.pages.length > 0 && (
            <Command.Group heading={t('palette.pages')}>{shown.pages.map(item)}</Command.Group>
          )}
          {shown.actions.length > 0 && (
            <Command.Group heading={t('palette.actions')}>{shown.actions.map(item)}</Command.Group>
          )}
        </Command.List>
      </Command>
      <p className="palette-foot" aria-hidden="true">
        <kbd>↑</kbd> <kbd>↓</kbd> {t('palette.move')} · <kbd>Enter</kbd> {t('palette.open')} · <kbd>Esc</kbd>{' '}
        {t('palette.close')}
      </p>
    </dialog>
  );
}
