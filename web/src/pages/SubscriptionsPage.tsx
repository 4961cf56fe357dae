import { useMutation, useQueries, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import type { Subscription } from '../../../contract/index.js';
import { removeSubscriptionMutation, setActiveMutation } from '../api/subscriptions-mutations.js';
import { dashboardListQuery, dashboardQuery } from '../api/queries.js';
import { presetListQuery } from '../api/presets-queries.js';
import { deliveryListQuery, subscriptionListQuery } from '../api/subscriptions-queries.js';
import { formatLocale } from '../charts/value-format.js';
import { formatDateTime } from '../app/accounts/account-format.js';
import { showToast } from '../app/shell/toasts.js';
import { scheduleInWords } from '../app/subscriptions/schedule-words.js';
import { AccountPage, EmptyState, ListSkeleton } from '../components/AccountPage.js';
import { AlertList } from '../components/AlertList.js';
import { ConfirmDialog } from '../components/ConfirmDialog.js';
import { SubscribeDialog } from '../components/SubscribeDialog.js';
import { WidgetError } from '../components/WidgetStates.js';

/**
 * Scheduled reports (docs/exports.md, "Scheduled reports"): each subscription's dashboard, schedule
 * and time zone, format, channel, next run and last delivery; Edit (the Subscribe dialog, prefilled),
 * Pause/Resume, Delete, and its delivery log. Members see their own; admins their organisation's.
 */
export function SubscriptionsPage() {
  const { t } = useTranslation();
  return (
    <AccountPage page="subscriptions" description={t('subscriptions.description')}>
      {() => (
        <>
          <SubscriptionList />
          <AlertList />
        </>
      )}
    </AccountPage>
  );
}

/** "Overview" and "Overview / Studies by phase" instead of ids, from the dashboards this member sees. */
function useSubscriptionNames(subs: readonly Subscription[] | undefined): (s: Subscription) => string {
  const list = useQuery(dashboardListQuery());
  // A widget's title needs its dashboard's definition: fetched once per dashboard with CSV reports.
  const withWidgets = [...new Set((subs ?? []).filter((s) => s.widget).map((s) => s.dashboard))];
  const definitions = useQueries({ queries: withWidgets.map((id) => dashboardQuery(id)) });
  return (s) => {
    const title = list.data?.dashboards.find((d) => d.id === s.dashboard)?.title ?? s.dashboard;
    if (!s.widget) return title;
    const def = definitions[withWidgets.indexOf(s.dashboard)]?.data;
    return `${title} / ${def?.widgets.find((w) => w.id === s.widget)?.title || s.widget}`;
  };
}

/**
 * The saved preset's name for subscriptions that use one, from the presets this member sees on that
 * dashboard (read once per such dashboard); undefined while reading, null once it is gone or hidden.
 */
function usePresetNames(
  subs: readonly Subscription[] | undefined,
): (s: Subscription) => string | null | undefined {
  const withPresets = [...new Set((subs ?? []).filter((s) => s.preset).map((s) => s.dashboard))];
  const lists = useQueries({ queries: withPresets.map((id) => presetListQuery(id)) });
  return (s) => {
    if (!s.preset) return null;
    const list = lists[withPresets.indexOf(s.dashboard)];
    if (!list || list.isPending) return undefined;
    return list.data?.presets.find((p) => p.id === s.preset)?.name ?? null;
  };
}

function SubscriptionList() {
  const { t } = useTranslation();
  const list = useQuery(subscriptionListQuery());
  const nameOf = useSubscriptionNames(list.data?.subscriptions);
  const presetOf = usePresetNames(list.data?.subscriptions);
  const inWords = (cron: string) =>
    scheduleInWords(
      cron,
      (shape, v) => t(`subscriptions.every.${shape}`, { m: v.m ?? '', at: v.at ?? '', day: v.day ?? '' }),
      formatLocale(),
    );
  const queryClient = useQueryClient();
  const setActive = useMutation(setActiveMutation(queryClient));
  const remove = useMutation(removeSubscriptionMutation(queryClient));
  const [confirming, setConfirming] = useState<Subscription | null>(null);
  const [openLog, setOpenLog] = useState<string | null>(null);
  const [editing, setEditing] = useState<Subscription | null>(null);

  if (list.isPending) return <ListSkeleton rows={3} />;
  if (list.isError)
    return <WidgetError error={list.error} onRetry={() => void list.refetch()} retrying={list.isFetching} />;
  const subs = list.data.subscriptions;
  if (subs.length === 0)
    return (
      <EmptyState title={t('subscriptions.emptyTitle')}>
        <p>
          <Trans i18nKey="subscriptions.emptyHelp" components={{ strong: <strong /> }} />
        </p>
      </EmptyState>
    );
  return (
    <section className="account-section" aria-labelledby="subscriptions-title">
      <h2 id="subscriptions-title" className="section-title">
        {t('subscriptions.title')}
      </h2>
      <div className="table-scroll">
        <table className="data-table account-table subscriptions-table">
          <thead>
            <tr>
              <th scope="col">{t('subscriptions.dashboard')}</th>
              <th scope="col">{t('subscriptions.schedule')}</th>
              <th scope="col">{t('subscriptions.format')}</th>
              <th scope="col">{t('subscriptions.sentTo')}</th>
              <th scope="col">{t('subscriptions.nextRun')}</th>
              <th scope="col">{t('subscriptions.lastDelivery')}</th>
              <th scope="col">
                <span className="visually-hidden">{t('subscriptions.actions')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {subs.map((s) => {
              const name = nameOf(s);
              const busy = setActive.isPending && setActive.variables.id === s.id;
              const logOpen = openLog === s.id;
              return [
                <tr key={s.id} data-subscription-id={s.id} data-status={s.status}>
                  <td>
                    <span className="subscription-dashboard">{name}</span>
                    {!s.mine && <span className="field-hint"> {t('subscriptions.othersMember')}</span>}
                    {s.preset && <PresetNote name={presetOf(s)} />}
                  </td>
                  <td>
                    {inWords(s.schedule)}
                    <span className="field-hint"> ({s.timeZone})</span>
                  </td>
                  <td>{s.format.toUpperCase()}</td>
                  <td>
                    {s.channel === 'email' ? t('subscriptions.email') : t('subscriptions.webhook')}
                    <span className="field-hint subscription-target"> {s.target}</span>
                  </td>
                  <td>
                    {s.status === 'paused' ? (
                      <span className="badge state badge-subscription-paused">
                        {t('subscriptions.paused')}
                      </span>
                    ) : (
                      formatDateTime(s.nextRunAt)
                    )}
                  </td>
                  <td>
                    {s.lastDelivery ? (
                      <>
                        <span className={`badge state badge-delivery-${s.lastDelivery.status}`}>
                          {t(`subscriptions.delivery.${s.lastDelivery.status}`)}
                        </span>{' '}
                        <span className="field-hint">{formatDateTime(s.lastDelivery.createdAt)}</span>
                        {s.lastDelivery.error && (
                          <p className="field-error">{s.lastDelivery.error.message}</p>
                        )}
                      </>
                    ) : (
                      '—'
                    )}
                  </td>
                  <td className="row-actions">
                    <button
                      type="button"
                      className="button secondary small"
                      aria-expanded={logOpen}
                      aria-controls={`log-${s.id}`}
                      onClick={() => setOpenLog(logOpen ? null : s.id)}
                      aria-label={t('subscriptions.logOf', { name })}
                    >
                      {t('subscriptions.log')}
                    </button>
                    <button
                      type="button"
                      className="button secondary small"
                      onClick={() => setEditing(s)}
                      aria-label={t('subscribeForm.editNamed', { name })}
                    >
                      {t('subscribeForm.edit')}
                    </button>
                    <button
                      type="button"
                      className="button secondary small"
                      disabled={busy}
                      onClick={() =>
                        setActive.mutate(
                          { id: s.id, active: s.status === 'paused' },
                          {
                            onError: (err) =>
                              showToast({
                                kind: 'error',
                                title: t('subscriptions.changeFailed'),
                                message: err.message,
                              }),
                          },
                        )
                      }
                      aria-label={
                        s.status === 'paused'
                          ? t('subscriptions.resumeNamed', { name })
                          : t('subscriptions.pauseNamed', { name })
                      }
                    >
                      {s.status === 'paused' ? t('subscriptions.resume') : t('subscriptions.pause')}
                    </button>
                    <button
                      type="button"
                      className="button danger small"
                      onClick={() => {
                        remove.reset();
                        setConfirming(s);
                      }}
                      aria-label={t('subscriptions.deleteNamed', { name })}
                    >
                      {t('subscriptions.delete')}
                    </button>
                  </td>
                </tr>,
                logOpen && (
                  <tr key={`${s.id}-log`} id={`log-${s.id}`} className="subscription-log-row">
                    <td colSpan={7}>
                      <DeliveryLog id={s.id} name={name} />
                    </td>
                  </tr>
                ),
              ];
            })}
          </tbody>
        </table>
      </div>
      {editing && <EditSubscription subscription={editing} onClose={() => setEditing(null)} />}
      {confirming && (
        <ConfirmDialog
          title={t('subscriptions.deleteTitle')}
          confirmLabel={t('subscriptions.delete')}
          danger
          pending={remove.isPending}
          error={remove.error}
          onConfirm={() =>
            remove.mutate(confirming.id, {
              onSuccess: () => {
                setConfirming(null);
                showToast({
                  kind: 'success',
                  title: t('subscriptions.deleted'),
                  message: t('subscriptions.deletedMessage', { name: nameOf(confirming) }),
                });
              },
            })
          }
          onCancel={() => setConfirming(null)}
        >
          <p>
            <Trans
              i18nKey="subscriptions.deleteHelp"
              values={{ name: nameOf(confirming) }}
              components={{ strong: <strong /> }}
            />
          </p>
        </ConfirmDialog>
      )}
    </section>
  );
}

/**
 * The Subscribe dialog for an existing subscription, once its dashboard's definition is read (its
 * widgets and filters); a dashboard the member no longer sees closes it with the server's reason.
 */
function EditSubscription(props: { subscription: Subscription; onClose: () => void }) {
  const { t } = useTranslation();
  const definition = useQuery(dashboardQuery(props.subscription.dashboard));
  const { onClose } = props;
  const failed = definition.isError ? definition.error : null;
  useEffect(() => {
    if (!failed) return;
    showToast({ kind: 'error', title: t('subscribeForm.editUnavailable'), message: failed.message });
    onClose();
  }, [failed, onClose, t]);
  if (!definition.data) return null;
  return (
    <SubscribeDialog definition={definition.data} subscription={props.subscription} onClose={props.onClose} />
  );
}

/** "Preset: Completed only" under the dashboard's name; a preset gone since is said so. */
function PresetNote({ name }: { name: string | null | undefined }) {
  const { t } = useTranslation();
  return (
    <p className="field-hint subscription-preset">
      {name === undefined
        ? t('subscriptions.presetLoading')
        : name === null
          ? t('subscriptions.presetGone')
          : t('subscriptions.withPreset', { name })}
    </p>
  );
}

/** One subscription's deliveries: status, attempts and the error of a failed one. */
function DeliveryLog({ id, name }: { id: string; name: string }) {
  const log = useQuery(deliveryListQuery(id));
  const { t } = useTranslation();
  if (log.isPending) return <ListSkeleton rows={2} />;
  if (log.isError)
    return <WidgetError error={log.error} onRetry={() => void log.refetch()} retrying={log.isFetching} />;
  if (log.data.deliveries.length === 0) return <p className="field-hint">{t('subscriptions.nothingSent')}</p>;
  return (
    <table className="data-table delivery-log" aria-label={t('subscriptions.deliveriesOf', { name })}>
      <thead>
        <tr>
          <th scope="col">{t('subscriptions.scheduledFor')}</th>
          <th scope="col">{t('subscriptions.status')}</th>
          <th scope="col">{t('subscriptions.attempts')}</th>
          <th scope="col">{t('subscriptions.sent')}</th>
          <th scope="col">{t('subscriptions.error')}</th>
        </tr>
      </thead>
      <tbody>
        {log.data.deliveries.map((d) => (
          <tr key={d.id} data-delivery-status={d.status}>
            <td>{formatDateTime(d.tick)}</td>
            <td>
              <span className={`badge state badge-delivery-${d.status}`}>
                {t(`subscriptions.delivery.${d.status}`)}
              </span>
            </td>
            <td>{d.attempts}</td>
            <td>{formatDateTime(d.sentAt)}</td>
            <td>{d.error ? d.error.message : '—'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
