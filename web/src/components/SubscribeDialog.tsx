import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { useId, useState } from 'react';
import type { DashboardDefinition, Subscription } from '../../../contract/index.js';
import { sessionQuery } from '../api/accounts-queries.js';
import { presetListQuery } from '../api/presets-queries.js';
import { createSubscriptionMutation, updateSubscriptionMutation } from '../api/subscriptions-mutations.js';
import { requestFilters, type FilterState } from '../app/filters/filter-state.js';
import { formatFilterQuery } from '../app/filters/filter-url.js';
import { showToast } from '../app/shell/toasts.js';
import {
  SCHEDULE_PRESETS,
  browserTimeZone,
  fieldOfError,
  subscribeBody,
  subscriptionEditBody,
} from '../app/subscriptions/subscribe-form.js';
import { ConfirmDialog } from './ConfirmDialog.js';

/**
 * "Subscribe…" on a dashboard (docs/exports.md, "Scheduled reports"): the dashboard with the filters
 * of the bar, on a cron schedule (presets or typed) in the browser's time zone (editable), as PDF or
 * one widget's CSV, to the member's own address or a webhook. Instead of the bar's filters, a saved
 * preset the member may see on this dashboard (their own or shared), read again at every delivery.
 * A refusal is shown beside its field. Given a `subscription` (from the Subscriptions page), the same
 * form edits it: prefilled, its own saved filters in place of the bar's, saved with PATCH.
 */
/** Subscribing from a dashboard (with the bar's filters), or editing a subscription. */
export type SubscribeDialogProps =
  | { definition: DashboardDefinition; filters: FilterState; subscription?: undefined; onClose: () => void }
  | { definition: DashboardDefinition; subscription: Subscription; filters?: undefined; onClose: () => void };

export function SubscribeDialog(props: SubscribeDialogProps) {
  const { definition } = props;
  const saved = props.subscription;
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const session = useQuery(sessionQuery());
  const create = useMutation(createSubscriptionMutation(queryClient));
  const update = useMutation(updateSubscriptionMutation(queryClient));
  const saving = saved ? update : create;
  const id = useId();
  const csvWidgets = definition.widgets.filter((w) => w.exportFormats?.includes('csv'));
  const [schedule, setScheduleRaw] = useState<string>(saved?.schedule ?? SCHEDULE_PRESETS[0].cron);
  const [timeZone, setTimeZoneRaw] = useState(saved?.timeZone ?? browserTimeZone);
  const [format, setFormatRaw] = useState<'pdf' | 'csv'>(saved?.format ?? 'pdf');
  const [widget, setWidgetRaw] = useState(saved?.widget ?? csvWidgets[0]?.id ?? '');
  const [channel, setChannelRaw] = useState<'email' | 'webhook'>(saved?.channel ?? 'email');
  const [url, setUrlRaw] = useState(saved?.channel === 'webhook' ? saved.target : '');
  const [filterSource, setFilterSourceRaw] = useState<'current' | 'preset'>(
    saved?.preset ? 'preset' : 'current',
  );
  const [preset, setPresetRaw] = useState(saved?.preset ?? '');
  // Read only once "a saved preset" is chosen: a member who never uses it costs no request.
  const presets = useQuery({ ...presetListQuery(definition.id), enabled: filterSource === 'preset' });
  const presetList = presets.data?.presets ?? [];
  const chosenPreset = presetList.some((p) => p.id === preset) ? preset : (presetList[0]?.id ?? '');
  // Any edit clears the server's refusal: the message beside a field goes once the form changes.
  const edit =
    <T,>(set: (v: T) => void) =>
    (v: T) => {
      if (saving.error) saving.reset();
      set(v);
    };
  const setSchedule = edit(setScheduleRaw);
  const setTimeZone = edit(setTimeZoneRaw);
  const setFormat = edit(setFormatRaw);
  const setWidget = edit(setWidgetRaw);
  const setChannel = edit(setChannelRaw);
  const setUrl = edit(setUrlRaw);
  const setFilterSource = edit(setFilterSourceRaw);
  const setPreset = edit(setPresetRaw);
  const usePreset = filterSource === 'preset';
  const errField = saving.error ? fieldOfError(saving.error) : null;
  const errorBeside = (field: 'schedule' | 'timeZone' | 'url' | 'preset') =>
    errField === field && saving.error ? (
      <span id={`${id}-${field}-error`} className="field-error" role="alert">
        {saving.error.message}
      </span>
    ) : null;
  const chosenWidget = definition.widgets.find((w) => w.id === widget);

  const submit = () => {
    // No preset to send (none visible, or the list not read yet): nothing leaves the browser.
    if (usePreset && !chosenPreset) return;
    const body = subscribeBody({
      dashboard: definition.id,
      // Editing: the report's own saved filters; subscribing: the bar's.
      query:
        format !== 'pdf'
          ? ''
          : saved
            ? (saved.query ?? '')
            : formatFilterQuery(props.filters, definition.filters),
      format,
      widget,
      filters: saved
        ? (saved.filters ?? {})
        : chosenWidget
          ? requestFilters(props.filters, chosenWidget.filters)
          : {},
      preset: usePreset ? chosenPreset : '',
      schedule,
      timeZone,
      channel,
      url,
    });
    if (saved) {
      update.mutate(
        { id: saved.id, body: subscriptionEditBody(body, saved) },
        {
          onSuccess: (answer) => {
            props.onClose();
            showToast({
              kind: 'success',
              title: t('subscribeForm.saved'),
              message: answer.webhookSecret
                ? t('subscribeForm.secret', { secret: answer.webhookSecret })
                : t('subscribeForm.savedMessage', { title: definition.title }),
            });
          },
        },
      );
      return;
    }
    create.mutate(body, {
      onSuccess: (created) => {
        props.onClose();
        showToast({
          kind: 'success',
          title: t('subscribeForm.done'),
          message: created.webhookSecret
            ? t('subscribeForm.secret', { secret: created.webhookSecret })
            : t('subscribeForm.doneMessage', { title: definition.title, page: t('pages.subscriptions') }),
        });
      },
    });
  };

  return (
    <ConfirmDialog
      title={
        saved
          ? t('subscribeForm.editTitle', { title: definition.title })
          : t('subscribeForm.title', { title: definition.title })
      }
      confirmLabel={saved ? t('subscribeForm.save') : t('subscribeForm.confirm')}
      pending={saving.isPending}
      error={errField === 'form' ? saving.error : null}
      onConfirm={submit}
      onCancel={props.onClose}
      noValidate
    >
      <div className="subscribe-form" data-testid="subscribe-form">
        <fieldset>
          <legend>{t('subscribeForm.filters')}</legend>
          <label>
            <input
              type="radio"
              name={`${id}-filters`}
              checked={!usePreset}
              onChange={() => setFilterSource('current')}
            />{' '}
            {saved ? t('subscribeForm.filtersSaved') : t('subscribeForm.filtersCurrent')}
          </label>
          <label>
            <input
              type="radio"
              name={`${id}-filters`}
              checked={usePreset}
              onChange={() => setFilterSource('preset')}
            />{' '}
            {t('subscribeForm.filtersPreset')}
          </label>
        </fieldset>
        {usePreset ? (
          <div className="field">
            <label htmlFor={`${id}-preset`}>{t('subscribeForm.preset')}</label>
            {presets.isError ? (
              <span className="field-error" role="alert">
                {presets.error.message}
              </span>
            ) : presets.isPending ? (
              <span className="field-hint">{t('subscribeForm.presetsLoading')}</span>
            ) : presetList.length === 0 ? (
              <span id={`${id}-preset-error`} className="field-error" role="alert">
                {t('subscribeForm.noPresets')}
              </span>
            ) : (
              <>
                <select
                  id={`${id}-preset`}
                  value={chosenPreset}
                  aria-invalid={errField === 'preset'}
                  aria-describedby={errField === 'preset' ? `${id}-preset-error` : `${id}-preset-hint`}
                  onChange={(e) => setPreset(e.target.value)}
                >
                  {presetList.map((p) => (
                    <option key={p.id} value={p.id}>
                      {p.shared ? t('subscribeForm.presetShared', { name: p.name }) : p.name}
                    </option>
                  ))}
                </select>
                {errorBeside('preset') ?? (
                  <span id={`${id}-preset-hint`} className="field-hint">
                    {t('subscribeForm.presetHint')}
                  </span>
                )}
              </>
            )}
          </div>
        ) : (
          <p className="field-hint">
            {saved ? t('subscribeForm.withSavedFilters') : t('subscribeForm.withFilters')}
          </p>
        )}
        <fieldset>
          <legend>{t('subscribeForm.schedule')}</legend>
          {SCHEDULE_PRESETS.map((p) => (
            <label key={p.id}>
              <input
                type="radio"
                name={`${id}-preset`}
                checked={schedule === p.cron}
                onChange={() => setSchedule(p.cron)}
              />{' '}
              {t(`subscribeForm.presets.${p.id}`)}
            </label>
          ))}
        </fieldset>
        <div className="field">
          <label htmlFor={`${id}-schedule`}>{t('subscribeForm.cron')}</label>
          <input
            id={`${id}-schedule`}

            value={schedule}
            maxLength={100}
            aria-invalid={errField === 'schedule'}
            aria-describedby={errField === 'schedule' ? `${id}-schedule-error` : `${id}-schedule-hint`}
            onChange={(e) => setSchedule(e.target.value)}
          />
          {errorBeside('schedule') ?? (
            <span id={`${id}-schedule-hint`} className="field-hint">
              {t('subscribeForm.cronHint')}
            </span>
          )}
        </div>
        <div className="field">
          <label htmlFor={`${id}-tz`}>{t('subscribeForm.timeZone')}</label>
          <input
            id={`${id}-tz`}

            value={timeZone}
            maxLength={64}
            aria-invalid={errField === 'timeZone'}
            aria-describedby={errField === 'timeZone' ? `${id}-timeZone-error` : undefined}
            onChange={(e) => setTimeZone(e.target.value)}
          />
          {errorBeside('timeZone')}
        </div>
        <fieldset>
          <legend>{t('subscribeForm.format')}</legend>
          <label>
            <input
              type="radio"
              name={`${id}-format`}
              checked={format === 'pdf'}
              onChange={() => setFormat('pdf')}
            />{' '}
            {t('subscribeForm.pdf')}
          </label>
          {csvWidgets.length > 0 && (
            <label>
              <input
                type="radio"
                name={`${id}-format`}
                checked={format === 'csv'}
                onChange={() => setFormat('csv')}
              />{' '}
              {t('subscribeForm.csv')}
            </label>
          )}
        </fieldset>
        {format === 'csv' && (
          <div className="field">
            <label htmlFor={`${id}-widget`}>{t('subscribeForm.widget')}</label>
            <select
              id={`${id}-widget`}

              value={widget}
              onChange={(e) => setWidget(e.target.value)}
            >
              {csvWidgets.map((w) => (
                <option key={w.id} value={w.id}>
                  {w.title}
                </option>
              ))}
            </select>
          </div>
        )}
        <fieldset>
          <legend>{t('subscribeForm.sendTo')}</legend>
          <label>
            <input
              type="radio"
              name={`${id}-channel`}
              checked={channel === 'email'}
              onChange={() => setChannel('email')}
            />{' '}
            {saved && !saved.mine
              ? t('subscribeForm.emailToMember')
              : t('subscribeForm.emailTo', { email: session.data?.user.email ?? t('subscribeForm.me') })}
          </label>
          <label>
            <input
              type="radio"
              name={`${id}-channel`}
              checked={channel === 'webhook'}
              onChange={() => setChannel('webhook')}
            />{' '}
            {t('subscribeForm.webhook')}
          </label>
        </fieldset>
        {channel === 'webhook' && (
          <div className="field">
            <label htmlFor={`${id}-url`}>{t('subscribeForm.webhookUrl')}</label>
            <input
              id={`${id}-url`}

              type="url"
              value={url}
              maxLength={2000}
              placeholder="https://"
              aria-invalid={errField === 'url'}
              aria-describedby={errField === 'url' ? `${id}-url-error` : undefined}
              onChange={(e) => setUrl(e.target.value)}
            />
            {errorBeside('url')}
          </div>
        )}
        {format === 'csv' && chosenWidget && !usePreset && !saved && (
          <p className="field-hint">
            {t('subscribeForm.csvRows', {
              title: chosenWidget.title,
              count: Object.keys(requestFilters(props.filters, chosenWidget.filters)).length,
            })}
          </p>
        )}
      </div>
    </ConfirmDialog>
  );
}
