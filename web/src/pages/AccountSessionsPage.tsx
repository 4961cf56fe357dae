import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { MySession } from '../../../contract/index.js';
import { revokeOtherSessionsMutation, revokeSessionMutation } from '../api/accounts-mutations.js';
import { mySessionsQuery } from '../api/accounts-queries.js';
import { describeUserAgent, formatDateTime, formatRelative } from '../app/accounts/account-format.js';
import { AccountPage, EmptyState, ListSkeleton } from '../components/AccountPage.js';
import { ConfirmDialog } from '../components/ConfirmDialog.js';
import { FormError } from '../components/FormError.js';
import { WidgetError } from '../components/WidgetStates.js';

/** The signed-in user's live sessions: where and when, revoke one, or sign out everywhere else. */
export function AccountSessionsPage() {
  return (
    <AccountPage
      page="account-sessions"
      description="Every browser and device where you are signed in. Revoke any you do not recognise."
    >
      {() => <SessionsList />}
    </AccountPage>
  );
}

function SessionsList() {
  const queryClient = useQueryClient();
  const list = useQuery(mySessionsQuery());
  const [confirmAll, setConfirmAll] = useState(false);
  const revoke = useMutation(revokeSessionMutation(queryClient));
  const revokeOthers = useMutation(revokeOtherSessionsMutation(queryClient));

  if (list.isPending) return <ListSkeleton />;
  if (list.isError)
    return <WidgetError error={list.error} onRetry={() => void list.refetch()} retrying={list.isFetching} />;
  const sessions = list.data.sessions;
  const others = sessions.filter((s) => !s.current).length;
  return (
    <section aria-label="Sessions" className="account-section">
      <div className="section-toolbar">
        <p className="section-summary">
          {sessions.length === 1 ? '1 session' : `${sessions.length} sessions`}
        </p>
        <button
          type="button"
          className="button secondary"
          disabled={others === 0}
          onClick={() => setConfirmAll(true)}
        >
          Sign out everywhere else
        </button>
      </div>
      <FormError error={revoke.error} />
      {sessions.length === 0 ? (
        <EmptyState title="No sessions">
          <p>There are no live sessions for your account.</p>
        </EmptyState>
      ) : (
        <div className="table-scroll">
          <table className="data-table account-table">
            <thead>
              <tr>
                <th scope="col">Device</th>
                <th scope="col">IP address</th>
                <th scope="col">Signed in</th>
                <th scope="col">Last seen</th>
                <th scope="col">Expires</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {sessions.map((s) => (
                <SessionRow
                  key={s.id}
                  session={s}
                  revoking={revoke.isPending && revoke.variables === s.id}
                  onRevoke={() => revoke.mutate(s.id)}
                />
              ))}
            </tbody>
          </table>
        </div>
      )}
      {confirmAll && (
        <ConfirmDialog
          title="Sign out everywhere else?"
          confirmLabel={others === 1 ? 'Sign out 1 session' : `Sign out ${others} sessions`}
          danger
          pending={revokeOthers.isPending}
          error={revokeOthers.error}
          onConfirm={() => revokeOthers.mutate(undefined, { onSuccess: () => setConfirmAll(false) })}
          onCancel={() => setConfirmAll(false)}
        >
          <p>
            Every other browser and device signed in as you is signed out at once. This one stays signed in.
          </p>
        </ConfirmDialog>
      )}
    </section>
  );
}

function SessionRow(props: { session: MySession; revoking: boolean; onRevoke: () => void }) {
  const s = props.session;
  return (
    <tr data-session-id={s.id} data-current={s.current || undefined}>
      <td title={s.userAgent ?? undefined}>
        {describeUserAgent(s.userAgent)}
        {s.current && <span className="badge badge-accent">This device</span>}
      </td>
      <td>{s.ip ?? '—'}</td>
      <td>{formatDateTime(s.createdAt)}</td>
      <td>{formatDateTime(s.lastSeenAt)}</td>
      <td title={formatDateTime(s.expiresAt)}>{formatRelative(s.expiresAt)}</td>
      <td className="row-actions">
        {!s.current && (
          <button
            type="button"
            className="button secondary small"
            onClick={props.onRevoke}
            disabled={props.revoking}
            aria-label={`Revoke the session of ${describeUserAgent(s.userAgent)} from ${s.ip ?? 'an unknown address'}`}
          >
            {props.revoking ? 'Revoking…' : 'Revoke'}
          </button>
        )}
      </td>
    </tr>
  );
}
