import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import type { AlertEvent, AlertRule } from '../../../contract/index.js';
import {
  alertHistoryQuery,
  alertListQuery,
  removeAlertMutation,
  updateAlertMutation,
} from '../api/alerts-queries.js';
import { formatDateTime } from '../app/accounts/account-format.js';
import { muteUntil } from '../app/alerts/alert-form.js';
import { showToast } from '../app/shell/toasts.js';
import { AlertDialog } from './AlertDialog.js';
import { EmptyState, ListSkeleton } from './AccountPage.js';
import { ConfirmDialog } from './ConfirmDialog.js';
import { WidgetError } from './WidgetStates.js';

const STATUS_KEY = {
  pending: 'alertRules.statusPending',
  sending: 'alertRules.statusSending',
  sent: 'alertRules.statusSent',
  failed: 'alertRules.statusFailed',
  muted: 'alertRules.statusMuted',
} as const satisfies Record<AlertEvent['status'], string>;

/**
 * The Alerts section of the Subscriptions page (docs/exports.md, "Alerts"): the member's rules with
 * their condition, schedule, state and last value; edit the condition, threshold and schedule (the
 * alert dialog, prefilled); mute for an hour, a day or until a time, unmute, delete, and each rule's history of transitions with its notification's status.
 */
export function AlertList() {
  const { t, i18n } = useTranslation();
  const list = useQuery(alertListQuery());
  const queryClient = useQueryClient();
  const update = useMutation(updateAlertMutation(queryClient));
  const remove = useMutation(removeAlertMutation(queryClient));
  const [confirming, setConfirming] = useState<AlertRule | null>(null);
  const [openHistory, setOpenHistory] = useState<string | null>(null);
  const [muteTarget, setMuteTarget] = useState<AlertRule | null>(null);
  const [editing, setEditing] = useState<AlertRule | null>(null);

  const body = () => {
    if (list.isPending) return <ListSkeleton rows={2} />;
    if (list.isError)
      return (
        <WidgetError error={list.error} onRetry={() => void list.refetch()} retrying={list.isFetching} />
      );
    const alerts = list.data.alerts;
    if (alerts.length === 0)
      return (
        <EmptyState title={t('alertRules.section')}>
          <p>{t('alertRules.empty')}</p>
        </EmptyState>
      );
    return (
      // Narrow screens scroll the table sideways: a labelled region keyboards can focus to scroll it.
      <div className="table-scroll" role="region" aria-label={t('alertRules.tableRegion')} tabIndex={0}>
        <table className="data-table account-table alerts-table">
          <thead>
            <tr>
              <th scope="col">{t('alertRules.colKpi')}</th>
              <th scope="col">{t('alertRules.colCondition')}</th>
              <th scope="col">{t('alertRules.colSchedule')}</th>
              <th scope="col">{t('alertRules.colState')}</th>
              <th scope="col">{t('alertRules.colLastValue')}</th>
              <th scope="col">{t('alertRules.colSentTo')}</th>
              <th scope="col">
                <span className="visually-hidden">{t('alertRules.colActions')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {alerts.map((a) => {
              const title = `${a.title} (${a.dashboard})`;
              const muted = a.mutedUntil !== null && Date.parse(a.mutedUntil) > Date.now();
              const historyOpen = openHistory === a.id;
              const busy = update.isPending && update.variables.id === a.id;
              return [
                <tr key={a.id} data-alert-id={a.id} data-state={a.state} data-muted={muted}>
                  <td>{title}</td>
                  <td>{conditionText(t, a)}</td>
                  <td>
                    {a.everyMinutes !== null ? (
                      t('alertRules.everyN', { minutes: a.everyMinutes })
                    ) : (
                      <>
                        <code>{a.cron}</code>
                        <span className="field-hint"> ({a.timeZone})</span>
                      </>
                    )}
                  </td>
                  <td>
                    <span className={`badge state badge-alert-${a.state}`}>
                      {a.state === 'firing' ? t('alertRules.stateFiring') : t('alertRules.stateOk')}
                    </span>
                    {muted && (
                      <p className="field-hint alert-muted">
                        {t('alertRules.mutedUntil', { time: formatDateTime(a.mutedUntil, i18n.language) })}
                      </p>
                    )}
                    {a.lastError && <p className="field-error">{t(`errors.${a.lastError}`, a.lastError)}</p>}
                  </td>
                  <td>
                    {a.lastValue === null ? (
                      <span className="field-hint">{t('alertRules.notChecked')}</span>
                    ) : (
                      <>
                        <span className="alert-last-value">{a.lastValue.toLocaleString(i18n.language)}</span>{' '}
                        <span className="field-hint">{formatDateTime(a.lastCheckedAt, i18n.language)}</span>
                      </>
                    )}
                  </td>
                  <td>
                    {a.channel === 'email' ? t('alertRules.email') : t('alertRules.webhook')}
                    <span className="field-hint subscription-target"> {a.target}</span>
                  </td>
                  <td className="row-actions">
                    <button
                      type="button"
                      className="button secondary small"
                      aria-expanded={historyOpen}
                      aria-controls={`alert-history-${a.id}`}
                      aria-label={t('alertRules.historyNamed', { title })}
                      onClick={() => setOpenHistory(historyOpen ? null : a.id)}
                    >
                      {t('alertRules.history')}
                    </button>
                    <button
                      type="button"
                      className="button secondary small"
                      disabled={busy}
                      aria-label={t('alertRules.editNamed', { title })}
                      onClick={() => setEditing(a)}
                    >
                      {t('alertRules.edit')}
                    </button>
                    {muted ? (
                      <button
                        type="button"
                        className="button secondary small"
                        disabled={busy}
                        aria-label={t('alertRules.unmuteNamed', { title })}
                        onClick={() => setMuted(a, null)}
                      >
                        {t('alertRules.unmute')}
                      </button>
                    ) : (
                      <>
                        <button
                          type="button"
                          className="button secondary small"
                          disabled={busy}
                          onClick={() => setMuted(a, muteUntil('1h'))}
                        >
                          {t('alertRules.mute1h')}
                        </button>
                        <button
                          type="button"
                          className="button secondary small"
                          disabled={busy}
                          onClick={() => setMuted(a, muteUntil('1d'))}
                        >
                          {t('alertRules.mute1d')}
                        </button>
                        <button
                          type="button"
                          className="button secondary small"
                          disabled={busy}
                          // The accessible name starts with the visible text (axe: label-content-name-mismatch).
                          aria-label={`${t('alertRules.muteUntilLabel')}… (${title})`}
                          onClick={() => setMuteTarget(a)}
                        >
                          {t('alertRules.muteUntilLabel')}…
                        </button>
                      </>
                    )}
                    <button
                      type="button"
                      className="button danger small"
                      aria-label={t('alertRules.deleteNamed', { title })}
                      onClick={() => {
                        remove.reset();
                        setConfirming(a);
                      }}
                    >
                      {t('alertRules.delete')}
                    </button>
                  </td>
                </tr>,
                historyOpen && (
                  <tr key={`${a.id}-history`} id={`alert-history-${a.id}`} className="subscription-log-row">
                    <td colSpan={7}>
                      <AlertHistory id={a.id} title={title} />
                    </td>
                  </tr>
                ),
              ];
            })}
          </tbody>
        </table>
      </div>
    );
  };

  return (
    <section className="account-section alerts-section" aria-labelledby="alerts-title">
      <h2 id="alerts-title" className="section-title">
        {t('alertRules.section')}
      </h2>
      {body()}
      {confirming && (
        <ConfirmDialog
          title={t('alertRules.deleteTitle')}
          confirmLabel={t('alertRules.delete')}
          danger
          pending={remove.isPending}
          error={remove.error}
          onConfirm={() =>
            remove.mutate(confirming.id, {
              onSuccess: () => {
                setConfirming(null);
                showToast({ kind: 'success', title: t('alertRules.deleted'), message: confirming.title });
              },
            })
          }
          onCancel={() => setConfirming(null)}
        >
          <p>{t('alertRules.deleteBody', { title: confirming.title })}</p>
        </ConfirmDialog>
      )}
      {editing && <AlertDialog rule={editing} onClose={() => setEditing(null)} />}
      {muteTarget && (
        <MuteUntilDialog
          rule={muteTarget}
          onClose={() => setMuteTarget(null)}
          onMute={(iso) => {
            setMuted(muteTarget, iso);
            setMuteTarget(null);
          }}
        />
      )}
    </section>
  );

  function setMuted(a: AlertRule, mutedUntil: string | null) {
    update.mutate(
      { id: a.id, body: { mutedUntil } },
      {
        onError: (err) =>
          showToast({ kind: 'error', title: t('alertRules.changeFailed'), message: err.message }),
      },
    );
  }
}

function conditionText(t: TFunction, a: AlertRule): string {
  const threshold = a.threshold.toLocaleString();
  if (a.condition === 'above') return t('alertRules.conditionAbove', { threshold });
  if (a.condition === 'below') return t('alertRules.conditionBelow', { threshold });
  return t('alertRules.conditionChange', { threshold });
}

/** "Mute until…": a local date and time, sent as an instant. */
function MuteUntilDialog(props: { rule: AlertRule; onClose: () => void; onMute: (iso: string) => void }) {
  const { t } = useTranslation();
  const id = useId();
  const [value, setValue] = useState('');
  const when = value ? new Date(value) : null;
  const valid = when !== null && !Number.isNaN(when.getTime()) && when.getTime() > Date.now();
  return (
    <ConfirmDialog
      title={t('alertRules.muteNamed', { title: props.rule.title })}
      confirmLabel={t('alertRules.muteUntil')}
      onConfirm={() => valid && when && props.onMute(when.toISOString())}
      onCancel={props.onClose}
    >
      <div className="field">
        <label htmlFor={`${id}-until`}>{t('alertRules.muteUntilLabel')}</label>
        <input
          id={`${id}-until`}
          type="datetime-local"
          required
          value={value}
          onChange={(e) => setValue(e.target.value)}
        />
      </div>
    </ConfirmDialog>
  );
}

/** One rule's transitions: when, which way, the value, and its notification's status. */
function AlertHistory({ id, title }: { id: string; title: string }) {
  const { t, i18n } = useTranslation();
  const history = useQuery(alertHistoryQuery(id));
  if (history.isPending) return <ListSkeleton rows={2} />;
  if (history.isError)
    return (
      <WidgetError
        error={history.error}
        onRetry={() => void history.refetch()}
        retrying={history.isFetching}
      />
    );
  if (history.data.events.length === 0) return <p className="field-hint">{t('alertRules.historyEmpty')}</p>;
  return (
    <table className="data-table delivery-log" aria-label={t('alertRules.historyNamed', { title })}>
      <thead>
        <tr>
          <th scope="col">{t('alertRules.colWhen')}</th>
          <th scope="col">{t('alertRules.colTransition')}</th>
          <th scope="col">{t('alertRules.colValue')}</th>
          <th scope="col">{t('alertRules.colNotification')}</th>
          <th scope="col">{t('alertRules.colError')}</th>
        </tr>
      </thead>
      <tbody>
        {history.data.events.map((e) => (
          <tr key={e.id} data-event-kind={e.kind} data-event-status={e.status}>
            <td>{formatDateTime(e.createdAt, i18n.language)}</td>
            <td>{e.kind === 'fire' ? t('alertRules.kindFire') : t('alertRules.kindResolve')}</td>
            <td>{e.value.toLocaleString(i18n.language)}</td>
            <td>
              <span className={`badge state badge-delivery-${e.status}`}>{t(STATUS_KEY[e.status])}</span>
            </td>
            <td>{e.error ? t(`errors.${e.error.code}`, e.error.message) : '—'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
