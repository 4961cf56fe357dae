import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { TFunction } from 'i18next';
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { DashboardDefinition, FilterPreset } from '../../../contract/index.js';
import {
  defaultPresetMutation,
  deletePresetMutation,
  renamePresetMutation,
  savePresetMutation,
  sharePresetMutation,
} from '../api/presets-mutations.js';
import { presetListQuery, presetQuery } from '../api/presets-queries.js';
import { effectiveFilters, formatDashboardQuery } from '../app/filters/cross-filter.js';
import { navigate } from '../app/routing/router.js';
import { stateFromValues, type DashboardFilters } from '../hooks/useDashboardFilters.js';
import { useDismissable } from '../hooks/useDismissable.js';
import { useSession } from '../hooks/useSession.js';

/** The URL parameter that opens a dashboard with a saved preset applied (docs/dashboards.md). */
export const PRESET_PARAM = 'preset';

interface Props {
  readonly definition: DashboardDefinition;
  readonly filters: DashboardFilters;
}

/**
 * Saved filter presets of a dashboard (lazy-loaded with the page's filter bar): save the current
 * filters (shared with the organisation for editors), apply, rename, share, delete, and mark one as
 * the default that applies when the dashboard opens unfiltered. `?preset=<id>` opens with one applied.
 * Every change shows at once (optimistic) and is undone if the server refuses it.
 */
export default function PresetMenu({ definition, filters }: Props) {
  const { t } = useTranslation();
  const menu = useRef<HTMLDetailsElement>(null);
  useDismissable(menu);
  const queryClient = useQueryClient();
  const list = useQuery(presetListQuery(definition.id));
  const session = useSession();
  const canShare = session.data?.abilities.includes('dashboards:edit') ?? false;
  const [notice, setNotice] = useState<string | undefined>();
  useOpeningPreset(definition, filters, list.data?.defaultPresetId ?? null, list.data?.presets, setNotice);

  const defs = definition.filters;
  const current = formatDashboardQuery(filters.state, filters.cross, defs);
  const queryOf = (p: FilterPreset) => formatDashboardQuery(stateFromValues(defs, p.filters), [], defs);
  const presets = list.data?.presets ?? [];
  const active = current ? presets.find((p) => queryOf(p) === current) : undefined;

  const save = useMutation(savePresetMutation(queryClient, definition.id));
  const rename = useMutation(renamePresetMutation(queryClient, definition.id));
  const share = useMutation(sharePresetMutation(queryClient, definition.id));
  const remove = useMutation(deletePresetMutation(queryClient, definition.id));
  const setDefault = useMutation(defaultPresetMutation(queryClient, definition.id));
  const failure = [save, rename, share, remove, setDefault].find((m) => m.isError)?.error;
  const failed =
    failure === undefined ? undefined : failure instanceof Error ? failure : new Error(t('presets.notSaved'));

  const apply = (p: FilterPreset) => {
    filters.applyValues(p.filters);
    setNotice(droppedNotice(t, p, defs));
    if (menu.current) menu.current.open = false;
  };

  const mine = presets.filter((p) => p.mine);
  const shared = presets.filter((p) => !p.mine);
  const rowProps = {
    defaultId: list.data?.defaultPresetId ?? null,
    canShare,
    onApply: apply,
    onRename: (id: string, name: string) => rename.mutate({ id, name }),
    onShare: (id: string, value: boolean) => share.mutate({ id, shared: value }),
    onDelete: (id: string) => remove.mutate(id),
    onDefault: (id: string | null) => setDefault.mutate(id),
  };

  return (
    <div className="preset-area">
      <details className="preset-menu" ref={menu} data-testid="preset-menu">
        <summary className="button secondary preset-menu-button">
          {active ? t('presets.menuActive', { name: active.name }) : t('presets.menu')}
          <span aria-hidden="true" className="export-caret">
            ▾
          </span>
        </summary>
        <div className="preset-menu-popup">
          <SavePresetForm
            canShare={canShare}
            hasFilters={filters.activeCount > 0}
            pending={save.isPending}
            onSave={(name, asShared) =>
              save.mutate({
                name,
                shared: asShared,
                filters: effectiveFilters(filters.state, filters.cross, ''),
              })
            }
          />
          {failed && (
            <p className="form-error" role="alert">
              {failed.message}
            </p>
          )}
          {list.isPending && <p className="preset-empty">{t('presets.loading')}</p>}
          {list.isError && (
            <p className="form-error" role="alert">
              {t('presets.loadFailed', { message: list.error.message })}
            </p>
          )}
          {list.isSuccess && presets.length === 0 && <p className="preset-empty">{t('presets.empty')}</p>}
          {mine.length > 0 && <PresetGroup title={t('presets.mine')} presets={mine} {...rowProps} />}
          {shared.length > 0 && <PresetGroup title={t('presets.shared')} presets={shared} {...rowProps} />}
        </div>
      </details>
      <span role="status" className="preset-notice" data-testid="preset-notice">
        {notice}
      </span>
    </div>
  );
}

/**
 * Opening the page: `?preset=<id>` applies that preset (the server re-checks it against the
 * dashboard); with no filters in the address at all, the user's default preset applies. Both replace
 * the history entry, so Back leaves the dashboard instead of returning to the unfiltered view. Only
 * the address the page opened with counts: clearing the filters later does not bring the default back.
 */
function useOpeningPreset(
  definition: DashboardDefinition,
  filters: DashboardFilters,
  defaultId: string | null,
  presets: readonly FilterPreset[] | undefined,
  setNotice: (notice: string | undefined) => void,
) {
  const { t } = useTranslation();
  const opening = useRef(new URLSearchParams(window.location.search));
  const done = useRef(false);
  const requested = opening.current.get(PRESET_PARAM);
  const fromUrl = useQuery({ ...presetQuery(definition.id, requested ?? ''), enabled: requested !== null });
  const { applyValues } = filters;

  useEffect(() => {
    if (done.current) return;
    if (requested !== null) {
      if (fromUrl.isSuccess) {
        done.current = true;
        applyValues(fromUrl.data.filters, { replace: true });
        const dropped = droppedNotice(t, fromUrl.data, definition.filters);
        const applied = t('presets.appliedFromLink', { name: fromUrl.data.name });
        setNotice(dropped ? `${applied} ${dropped}` : applied);
      } else if (fromUrl.isError) {
        done.current = true;
        const rest = new URLSearchParams(opening.current);
        rest.delete(PRESET_PARAM);
        const search = rest.toString();
        navigate(`${window.location.pathname}${search ? `?${search}` : ''}`, { replace: true });
        setNotice(t('presets.linkUnavailable'));
      }
      return;
    }
    if (opening.current.size > 0) {
      done.current = true;
      return;
    }
    if (presets === undefined) return;
    done.current = true;
    const preset = presets.find((p) => p.id === defaultId);
    if (preset) {
      applyValues(preset.filters, { replace: true });
      setNotice(t('presets.defaultApplied', { name: preset.name }));
    }
  }, [
    requested,
    fromUrl.isSuccess,
    fromUrl.isError,
    fromUrl.data,
    presets,
    defaultId,
    applyValues,
    definition,
    setNotice,
    t,
  ]);
}

function droppedNotice(
  t: TFunction,
  p: FilterPreset,
  defs: DashboardDefinition['filters'],
): string | undefined {
  if (!p.dropped.length) return undefined;
  const labels = p.dropped.map((id) => defs.find((d) => d.id === id)?.label ?? id);
  return t('presets.dropped', { labels: labels.join(', ') });
}

function SavePresetForm({
  canShare,
  hasFilters,
  pending,
  onSave,
}: {
  canShare: boolean;
  hasFilters: boolean;
  pending: boolean;
  onSave: (name: string, shared: boolean) => void;
}) {
  const { t } = useTranslation();
  const [name, setName] = useState('');
  const [asShared, setAsShared] = useState(false);
  const id = useId();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!name.trim() || !hasFilters) return;
    onSave(name.trim(), asShared);
    setName('');
    setAsShared(false);
  };
  return (
    <form className="preset-save" onSubmit={submit}>
      <label htmlFor={`${id}-name`}>{t('presets.saveAs')}</label>
      <div className="preset-save-row">
        <input
          id={`${id}-name`}
          type="text"
          maxLength={80}
          value={name}
          placeholder={t('presets.namePlaceholder')}
          onChange={(e) => setName(e.target.value)}
        />
        <button
          type="submit"
          className="button primary small"
          disabled={!name.trim() || !hasFilters || pending}
        >
          {t('presets.save')}
        </button>
      </div>
      {canShare && (
        <label className="preset-share-choice">
          <input type="checkbox" checked={asShared} onChange={(e) => setAsShared(e.target.checked)} />{' '}
          {t('presets.shareWithOrganisation')}
        </label>
      )}
      {!hasFilters && <p className="preset-hint">{t('presets.chooseFiltersFirst')}</p>}
    </form>
  );
}

interface RowActions {
  readonly defaultId: string | null;
  readonly canShare: boolean;
  onApply(p: FilterPreset): void;
  onRename(id: string, name: string): void;
  onShare(id: string, shared: boolean): void;
  onDelete(id: string): void;
  onDefault(id: string | null): void;
}

function PresetGroup({
  title,
  presets,
  ...actions
}: { title: string; presets: FilterPreset[] } & RowActions) {
  const id = useId();
  return (
    <section className="preset-group" aria-labelledby={id}>
      <h3 id={id}>{title}</h3>
      <ul>
        {presets.map((p) => (
          <PresetRow key={p.id} preset={p} {...actions} />
        ))}
      </ul>
    </section>
  );
}

function PresetRow({
  preset: p,
  defaultId,
  canShare,
  onApply,
  onRename,
  onShare,
  onDelete,
  onDefault,
}: { preset: FilterPreset } & RowActions) {
  const { t } = useTranslation();
  const [renaming, setRenaming] = useState(false);
  const [name, setName] = useState(p.name);
  const pending = p.id.startsWith('pending-');
  const isDefault = defaultId === p.id;
  if (renaming)
    return (
      <li className="preset-row">
        <form
          className="preset-rename"
          onSubmit={(e) => {
            e.preventDefault();
            if (name.trim() && name.trim() !== p.name) onRename(p.id, name.trim());
            setRenaming(false);
          }}
        >
          <input
            aria-label={t('presets.newNameFor', { name: p.name })}
            value={name}
            maxLength={80}
            autoFocus
            onChange={(e) => setName(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Escape') {
                e.preventDefault();
                e.stopPropagation();
                setRenaming(false);
              }
            }}
          />
          <button type="submit" className="button primary small">
            {t('presets.rename')}
          </button>
        </form>
      </li>
    );
  return (
    <li className="preset-row" data-preset-id={p.id}>
      <button
        type="button"
        className="preset-apply"
        title={t('presets.apply', { name: p.name })}
        disabled={pending}
        onClick={() => onApply(p)}
      >
        {p.name}
        {p.shared && p.mine && <span className="preset-badge">{t('presets.sharedBadge')}</span>}
      </button>
      <button
        type="button"
        className="preset-icon"
        aria-pressed={isDefault}
        aria-label={t('presets.defaultFor', { name: p.name })}
        title={isDefault ? t('presets.defaultClear') : t('presets.defaultSet')}
        disabled={pending}
        onClick={() => onDefault(isDefault ? null : p.id)}
      >
        {isDefault ? '★' : '☆'}
      </button>
      {p.editable && (
        <>
          {p.mine && (canShare || p.shared) && (
            <button
              type="button"
              className="preset-action"
              onClick={() => onShare(p.id, !p.shared)}
              aria-label={
                p.shared
                  ? t('presets.unshareNamed', { name: p.name })
                  : t('presets.shareNamed', { name: p.name })
              }
            >
              {p.shared ? t('presets.unshare') : t('presets.share')}
            </button>
          )}
          <button
            type="button"
            className="preset-action"
            aria-label={t('presets.renameNamed', { name: p.name })}
            onClick={() => {
              setName(p.name);
              setRenaming(true);
            }}
          >
            {t('presets.rename')}
          </button>
          <button
            type="button"
            className="preset-action danger"
            aria-label={t('presets.deleteNamed', { name: p.name })}
            onClick={() => onDelete(p.id)}
          >
            {t('presets.delete')}
          </button>
        </>
      )}
    </li>
  );
}
