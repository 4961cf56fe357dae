import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { ReportDelivery, Subscription } from '../../../contract/index.js';
import { removeSubscriptionMutation, setActiveMutation } from '../api/subscriptions-mutations.js';
import { deliveryListQuery, subscriptionListQuery } from '../api/subscriptions-queries.js';
import { formatDateTime } from '../app/accounts/account-format.js';
import { showToast } from '../app/shell/toasts.js';
import { scheduleInWords } from '../app/subscriptions/schedule-words.js';
import { AccountPage, EmptyState, ListSkeleton } from '../components/AccountPage.js';
import { AlertList } from '../components/AlertList.js';
import { ConfirmDialog } from '../components/ConfirmDialog.js';
import { WidgetError } from '../components/WidgetStates.js';

/**
 * Scheduled reports (docs/exports.md, "Scheduled reports"): each subscription's dashboard, schedule
 * and time zone, format, channel, next run and last delivery; Pause/Resume, Delete, and its delivery
 * log. Members see their own; admins their organisation's.
 */
export function SubscriptionsPage() {
  return (
    <AccountPage
      page="subscriptions"
      description="Reports sent to you on a schedule. Subscribe from a dashboard's menu; pause, delete or read the delivery log of each one here."
    >
      {() => (
        <>
          <SubscriptionList />
          <AlertList />
        </>
      )}
    </AccountPage>
  );
}

const DELIVERY_LABEL: Record<ReportDelivery['status'], string> = {
  pending: 'Waiting',
  sending: 'Sending',
  sent: 'Sent',
  failed: 'Failed',
};

function SubscriptionList() {
  const list = useQuery(subscriptionListQuery());
  const queryClient = useQueryClient();
  const setActive = useMutation(setActiveMutation(queryClient));
  const remove = useMutation(removeSubscriptionMutation(queryClient));
  const [confirming, setConfirming] = useState<Subscription | null>(null);
  const [openLog, setOpenLog] = useState<string | null>(null);

  if (list.isPending) return <ListSkeleton rows={3} />;
  if (list.isError)
    return <WidgetError error={list.error} onRetry={() => void list.refetch()} retrying={list.isFetching} />;
  const subs = list.data.subscriptions;
  if (subs.length === 0)
    return (
      <EmptyState title="No subscriptions yet">
        <p>
          Open a dashboard and choose <strong>Subscribe…</strong> in its menu to receive it as a PDF or CSV by
          e-mail or webhook, on a schedule in your time zone.
        </p>
      </EmptyState>
    );
  return (
    <section className="account-section" aria-labelledby="subscriptions-title">
      <h2 id="subscriptions-title" className="section-title">
        Scheduled reports
      </h2>
      <div className="table-scroll">
        <table className="data-table account-table subscriptions-table">
          <thead>
            <tr>
              <th scope="col">Dashboard</th>
              <th scope="col">Schedule</th>
              <th scope="col">Format</th>
              <th scope="col">Sent to</th>
              <th scope="col">Next run</th>
              <th scope="col">Last delivery</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {subs.map((s) => {
              const name = `${s.dashboard}${s.widget ? ` / ${s.widget}` : ''}`;
              const busy = setActive.isPending && setActive.variables.id === s.id;
              const logOpen = openLog === s.id;
              return [
                <tr key={s.id} data-subscription-id={s.id} data-status={s.status}>
                  <td>
                    <span className="subscription-dashboard">{name}</span>
                    {!s.mine && <span className="field-hint"> (another member's)</span>}
                  </td>
                  <td>
                    {scheduleInWords(s.schedule)}
                    <span className="field-hint"> ({s.timeZone})</span>
                  </td>
                  <td>{s.format.toUpperCase()}</td>
                  <td>
                    {s.channel === 'email' ? 'E-mail' : 'Webhook'}
                    <span className="field-hint subscription-target"> {s.target}</span>
                  </td>
                  <td>
                    {s.status === 'paused' ? (
                      <span className="badge state badge-subscription-paused">Paused</span>
                    ) : (
                      formatDateTime(s.nextRunAt)
                    )}
                  </td>
                  <td>
                    {s.lastDelivery ? (
                      <>
                        <span className={`badge state badge-delivery-${s.lastDelivery.status}`}>
                          {DELIVERY_LABEL[s.lastDelivery.status]}
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
                      aria-label={`Delivery log of ${name}`}
                    >
                      Log
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
                                title: 'Could not change it',
                                message: err.message,
                              }),
                          },
                        )
                      }
                      aria-label={`${s.status === 'paused' ? 'Resume' : 'Pause'} ${name}`}
                    >
                      {s.status === 'paused' ? 'Resume' : 'Pause'}
                    </button>
                    <button
                      type="button"
                      className="button danger small"
                      onClick={() => {
                        remove.reset();
                        setConfirming(s);
                      }}
                      aria-label={`Delete ${name}`}
                    >
                      Delete
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
      {confirming && (
        <ConfirmDialog
          title="Delete this subscription?"
          confirmLabel="Delete"
          danger
          pending={remove.isPending}
          error={remove.error}
          onConfirm={() =>
            remove.mutate(confirming.id, {
              onSuccess: () => {
                setConfirming(null);
                showToast({
                  kind: 'success',
                  title: 'Subscription deleted',
                  message: `${confirming.dashboard} will no longer be sent.`,
                });
              },
            })
          }
          onCancel={() => setConfirming(null)}
        >
          <p>
            The report of <strong>{confirming.dashboard}</strong> will no longer be sent, and its delivery log
            is deleted with it.
          </p>
        </ConfirmDialog>
      )}
    </section>
  );
}

/** One subscription's deliveries: status, attempts and the error of a failed one. */
function DeliveryLog({ id, name }: { id: string; name: string }) {
  const log = useQuery(deliveryListQuery(id));
  if (log.isPending) return <ListSkeleton rows={2} />;
  if (log.isError)
    return <WidgetError error={log.error} onRetry={() => void log.refetch()} retrying={log.isFetching} />;
  if (log.data.deliveries.length === 0) return <p className="field-hint">Nothing has been sent yet.</p>;
  return (
    <table className="data-table delivery-log" aria-label={`Deliveries of ${name}`}>
      <thead>
        <tr>
          <th scope="col">Scheduled for</th>
          <th scope="col">Status</th>
          <th scope="col">Attempts</th>
          <th scope="col">Sent</th>
          <th scope="col">Error</th>
        </tr>
      </thead>
      <tbody>
        {log.data.deliveries.map((d) => (
          <tr key={d.id} data-delivery-status={d.status}>
            <td>{formatDateTime(d.tick)}</td>
            <td>
              <span className={`badge state badge-delivery-${d.status}`}>{DELIVERY_LABEL[d.status]}</span>
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
