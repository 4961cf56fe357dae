import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AlertCondition, AlertRule, WidgetDefinition } from '../../../contract/index.js';
import { sessionQuery } from '../api/accounts-queries.js';
import { createAlertMutation, updateAlertMutation } from '../api/alerts-queries.js';
import {
  alertBody,
  alertFieldOfError,
  alertFormOf,
  alertChannelChange,
  alertUpdateBody,
  type AlertField,
} from '../app/alerts/alert-form.js';
import { requestFilters, type FilterState } from '../app/filters/filter-state.js';
import { showToast } from '../app/shell/toasts.js';
import { browserTimeZone } from '../app/subscriptions/subscribe-form.js';
import { ConfirmDialog } from './ConfirmDialog.js';

/** A new rule on a KPI widget, or an existing rule to change (from the Subscriptions page). */
export type AlertDialogProps =
  | {
      dashboardId: string;
      widget: WidgetDefinition;
      filters: FilterState;
      rule?: undefined;
      onClose: () => void;
    }
  | { rule: AlertRule; onClose: () => void };

/**
 * "Alert…" on a KPI widget (docs/exports.md, "Alerts"): the widget with the filters of the bar, a
 * condition (above, below, change by %), how often it is checked (every N minutes or cron in the
 * browser's time zone), and where the notice goes (the member's address or a webhook). A refusal is
 * shown beside its field. Given a `rule`, the same form edits it: prefilled, saved with PATCH, its
 * channel too (a new webhook URL is checked as when made and gets a new signing secret, shown once).
 */
export function AlertDialog(props: AlertDialogProps) {
  const { t } = useTranslation();
  const rule = props.rule;
  const title = rule ? rule.title : props.widget.title;
  const queryClient = useQueryClient();
  const session = useQuery(sessionQuery());
  const create = useMutation(createAlertMutation(queryClient));
  const update = useMutation(updateAlertMutation(queryClient));
  const saving = rule ? update : create;
  const id = useId();
  const [initial] = useState(() => (rule ? alertFormOf(rule) : null));
  const [condition, setConditionRaw] = useState<AlertCondition>(initial?.condition ?? 'above');
  const [threshold, setThresholdRaw] = useState(initial?.threshold ?? '');
  const [scheduleKind, setScheduleKindRaw] = useState<'every' | 'cron'>(initial?.scheduleKind ?? 'every');
  const [everyMinutes, setEveryMinutesRaw] = useState(initial?.everyMinutes ?? '15');
  const [cron, setCronRaw] = useState(initial?.cron ?? '0 8 * * *');
  const [timeZone, setTimeZoneRaw] = useState(initial?.timeZone ?? browserTimeZone);
  const [channel, setChannelRaw] = useState<'email' | 'webhook'>(rule?.channel ?? 'email');
  const [url, setUrlRaw] = useState(rule?.channel === 'webhook' ? rule.target : '');
  // Any edit clears the server's refusal: the message beside a field goes once the form changes.
  const edit =
    <T,>(set: (v: T) => void) =>
    (v: T) => {
      if (saving.error) saving.reset();
      set(v);
    };
  const errField = saving.error ? alertFieldOfError(saving.error) : null;
  const describedBy = (field: AlertField, hint?: string) =>
    errField === field ? `${id}-${field}-error` : hint;
  const errorBeside = (field: AlertField) =>
    errField === field && saving.error ? (
      <span id={`${id}-${field}-error`} className="field-error" role="alert">
        {saving.error.message}
      </span>
    ) : null;

  const form = { condition, threshold, scheduleKind, everyMinutes, cron, timeZone };
  const submit = () => {
    if (rule) {
      update.mutate(
        { id: rule.id, body: { ...alertUpdateBody(rule, form), ...alertChannelChange(rule, channel, url) } },
        {
          onSuccess: (next) => {
            props.onClose();
            showToast({
              kind: 'success',
              title: t('alertRules.saved'),
              message: next.webhookSecret
                ? t('alertRules.createdSecret', { secret: next.webhookSecret })
                : t('alertRules.savedMessage', { title }),
            });
          },
        },
      );
      return;
    }
    if (props.rule) return; // narrows the props: creating from a widget
    create.mutate(
      alertBody({
        ...form,
        dashboard: props.dashboardId,
        widget: props.widget.id,
        filters: requestFilters(props.filters, props.widget.filters),
        channel,
        url,
      }),
      {
        onSuccess: (created) => {
          props.onClose();
          showToast({
            kind: 'success',
            title: t('alertRules.created'),
            message: created.webhookSecret
              ? t('alertRules.createdSecret', { secret: created.webhookSecret })
              : t('alertRules.createdMessage', { title }),
          });
        },
      },
    );
  };

  const radio = <T extends string>(
    name: string,
    value: T,
    current: T,
    set: (v: T) => void,
    label: string,
  ) => (
    <label key={value}>
      <input type="radio" name={`${id}-${name}`} checked={current === value} onChange={() => set(value)} />{' '}
      {label}
    </label>
  );

  return (
    <ConfirmDialog
      title={rule ? t('alertRules.editTitle', { title }) : t('alertRules.dialogTitle', { title })}
      confirmLabel={rule ? t('alertRules.save') : t('alertRules.create')}
      pending={saving.isPending}
      error={errField === 'form' ? saving.error : null}
      onConfirm={submit}
      onCancel={props.onClose}
      noValidate
    >
      <div className="subscribe-form alert-form" data-testid="alert-form">
        {!rule && <p className="field-hint">{t('alertRules.withFilters')}</p>}
        <fieldset>
          <legend>{t('alertRules.condition')}</legend>
          {radio('condition', 'above', condition, edit(setConditionRaw), t('alertRules.above'))}
          {radio('condition', 'below', condition, edit(setConditionRaw), t('alertRules.below'))}
          {radio('condition', 'change', condition, edit(setConditionRaw), t('alertRules.change'))}
        </fieldset>
        <div className="field">
          <label htmlFor={`${id}-threshold`}>
            {condition === 'change' ? t('alertRules.percent') : t('alertRules.threshold')}
          </label>
          <input
            id={`${id}-threshold`}
            inputMode="decimal"
            value={threshold}
            maxLength={40}
            required
            aria-invalid={errField === 'threshold'}
            aria-describedby={describedBy('threshold')}
            onChange={(e) => edit(setThresholdRaw)(e.target.value)}
          />
          {errorBeside('threshold')}
        </div>
        <fieldset>
          <legend>{t('alertRules.howOften')}</legend>
          {radio('kind', 'every', scheduleKind, edit(setScheduleKindRaw), t('alertRules.kindEvery'))}
          {radio('kind', 'cron', scheduleKind, edit(setScheduleKindRaw), t('alertRules.kindCron'))}
        </fieldset>
        {scheduleKind === 'every' ? (
          <div className="field">
            <label htmlFor={`${id}-every`}>{t('alertRules.everyMinutes')}</label>
            <input
              id={`${id}-every`}
              type="number"
              min={5}
              step={1}
              value={everyMinutes}
              aria-invalid={errField === 'schedule'}
              aria-describedby={describedBy('schedule', `${id}-every-hint`)}
              onChange={(e) => edit(setEveryMinutesRaw)(e.target.value)}
            />
            {errorBeside('schedule') ?? (
              <span id={`${id}-every-hint`} className="field-hint">
                {t('alertRules.everyHint')}
              </span>
            )}
          </div>
        ) : (
          <>
            <div className="field">
              <label htmlFor={`${id}-cron`}>{t('alertRules.cron')}</label>
              <input
                id={`${id}-cron`}
                value={cron}
                maxLength={100}
                aria-invalid={errField === 'schedule'}
                aria-describedby={describedBy('schedule', `${id}-cron-hint`)}
                onChange={(e) => edit(setCronRaw)(e.target.value)}
              />
              {errorBeside('schedule') ?? (
                <span id={`${id}-cron-hint`} className="field-hint">
                  {t('alertRules.cronHint')}
                </span>
              )}
            </div>
            <div className="field">
              <label htmlFor={`${id}-tz`}>{t('alertRules.timeZone')}</label>
              <input
                id={`${id}-tz`}
                value={timeZone}
                maxLength={64}
                aria-invalid={errField === 'timeZone'}
                aria-describedby={describedBy('timeZone')}
                onChange={(e) => edit(setTimeZoneRaw)(e.target.value)}
              />
              {errorBeside('timeZone')}
            </div>
          </>
        )}
        <fieldset>
          <legend>{t('alertRules.sendTo')}</legend>
          {radio(
            'channel',
            'email',
            channel,
            edit(setChannelRaw),
            rule && !rule.mine
              ? t('alertRules.emailToMember')
              : t('alertRules.emailTo', { email: session.data?.user.email ?? t('alertRules.me') }),
          )}
          {radio('channel', 'webhook', channel, edit(setChannelRaw), t('alertRules.webhook'))}
        </fieldset>
        {channel === 'webhook' && (
          <div className="field">
            <label htmlFor={`${id}-url`}>{t('alertRules.webhookUrl')}</label>
            <input
              id={`${id}-url`}
              type="url"
              value={url}
              maxLength={2000}
              placeholder="https://"
              aria-invalid={errField === 'url'}
              aria-describedby={describedBy('url')}
              onChange={(e) => edit(setUrlRaw)(e.target.value)}
            />
            {errorBeside('url')}
          </div>
        )}
      </div>
    </ConfirmDialog>
  );
}
