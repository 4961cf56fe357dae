import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { useId, useState } from 'react';
import type { DashboardDefinition } from '../../../contract/index.js';
import { sessionQuery } from '../api/accounts-queries.js';
import { createSubscriptionMutation } from '../api/subscriptions-mutations.js';
import { requestFilters, type FilterState } from '../app/filters/filter-state.js';
import { formatFilterQuery } from '../app/filters/filter-url.js';
import { showToast } from '../app/shell/toasts.js';
import {
  SCHEDULE_PRESETS,
  browserTimeZone,
  fieldOfError,
  subscribeBody,
} from '../app/subscriptions/subscribe-form.js';
import { ConfirmDialog } from './ConfirmDialog.js';

/**
 * "Subscribe…" on a dashboard (docs/exports.md, "Scheduled reports"): the dashboard with the filters
 * of the bar, on a cron schedule (presets or typed) in the browser's time zone (editable), as PDF or
 * one widget's CSV, to the member's own address or a webhook. A refusal is shown beside its field.
 */
export function SubscribeDialog(props: {
  definition: DashboardDefinition;
  filters: FilterState;
  onClose: () => void;
}) {
  const { definition } = props;
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const session = useQuery(sessionQuery());
  const create = useMutation(createSubscriptionMutation(queryClient));
  const id = useId();
  const csvWidgets = definition.widgets.filter((w) => w.exportFormats?.includes('csv'));
  const [schedule, setScheduleRaw] = useState<string>(SCHEDULE_PRESETS[0].cron);
  const [timeZone, setTimeZoneRaw] = useState(browserTimeZone);
  const [format, setFormatRaw] = useState<'pdf' | 'csv'>('pdf');
  const [widget, setWidgetRaw] = useState(csvWidgets[0]?.id ?? '');
  const [channel, setChannelRaw] = useState<'email' | 'webhook'>('email');
  const [url, setUrlRaw] = useState('');
  // Any edit clears the server's refusal: the message beside a field goes once the form changes.
  const edit =
    <T,>(set: (v: T) => void) =>
    (v: T) => {
      if (create.error) create.reset();
      set(v);
    };
  const setSchedule = edit(setScheduleRaw);
  const setTimeZone = edit(setTimeZoneRaw);
  const setFormat = edit(setFormatRaw);
  const setWidget = edit(setWidgetRaw);
  const setChannel = edit(setChannelRaw);
  const setUrl = edit(setUrlRaw);
  const errField = create.error ? fieldOfError(create.error) : null;
  const errorBeside = (field: 'schedule' | 'timeZone' | 'url') =>
    errField === field && create.error ? (
      <span id={`${id}-${field}-error`} className="field-error" role="alert">
        {create.error.message}
      </span>
    ) : null;
  const chosenWidget = definition.widgets.find((w) => w.id === widget);

  const submit = () =>
    create.mutate(
      subscribeBody({
        dashboard: definition.id,
        query: format === 'pdf' ? formatFilterQuery(props.filters, definition.filters) : '',
        format,
        widget,
        filters: chosenWidget ? requestFilters(props.filters, chosenWidget.filters) : {},
        schedule,
        timeZone,
        channel,
        url,
      }),
      {
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
      },
    );

  return (
    <ConfirmDialog
      title={t('subscribeForm.title', { title: definition.title })}
      confirmLabel={t('subscribeForm.confirm')}
      pending={create.isPending}
      error={errField === 'form' ? create.error : null}
      onConfirm={submit}
      onCancel={props.onClose}
      noValidate
    >
      <div className="subscribe-form" data-testid="subscribe-form">
        <p className="field-hint">{t('subscribeForm.withFilters')}</p>
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
            {t('subscribeForm.emailTo', { email: session.data?.user.email ?? t('subscribeForm.me') })}
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
        {format === 'csv' && chosenWidget && (
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
