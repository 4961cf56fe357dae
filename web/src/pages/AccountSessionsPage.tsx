import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
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
  const { t } = useTranslation();
  return (
    <AccountPage page="account-sessions" description={t('sessions.description')}>
      {() => <SessionsList />}
    </AccountPage>
  );
}

function SessionsList() {
  const { t } = useTranslation();
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
    <section aria-label={t('sessions.label')} className="account-section">
      <div className="section-toolbar">
        <p className="section-summary">{t('sessions.count', { count: sessions.length })}</p>
        <button
          type="button"
          className="button secondary"
          disabled={others === 0}
          onClick={() => setConfirmAll(true)}
        >
          {t('sessions.signOutOthers')}
        </button>
      </div>
      <FormError error={revoke.error} />
      {sessions.length === 0 ? (
        <EmptyState title={t('sessions.none')}>
          <p>{t('sessions.noneHelp')}</p>
        </EmptyState>
      ) : (
        <div className="table-scroll">
          <table className="data-table account-table">
            <thead>
              <tr>
                <th scope="col">{t('sessions.device')}</th>
                <th scope="col">{t('audit.ip')}</th>
                <th scope="col">{t('sessions.signedIn')}</th>
                <th scope="col">{t('sessions.lastSeen')}</th>
                <th scope="col">{t('members.expires')}</th>
                <th scope="col">
                  <span className="visually-hidden">{t('exports.actions')}</span>
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
          title={t('sessions.signOutOthersTitle')}
          confirmLabel={t('sessions.signOutCount', { count: others })}
          danger
          pending={revokeOthers.isPending}
          error={revokeOthers.error}
          onConfirm={() => revokeOthers.mutate(undefined, { onSuccess: () => setConfirmAll(false) })}
          onCancel={() => setConfirmAll(false)}
        >
          <p>{t('sessions.signOutOthersHelp')}</p>
        </ConfirmDialog>
      )}
    </section>
  );
}

function SessionRow(props: { session: MySession; revoking: boolean; onRevoke: () => void }) {
  const { t } = useTranslation();
  const s = props.session;
  const device = describeUserAgent(s.userAgent, {
    unknown: t('sessions.unknownDevice'),
    browserOnOs: (browser, os) => t('sessions.browserOnOs', { browser, os }),
  });
  return (
    <tr data-session-id={s.id} data-current={s.current || undefined}>
      <td title={s.userAgent ?? undefined}>
        {device}
        {s.current && <span className="badge badge-accent">{t('sessions.thisDevice')}</span>}
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
            aria-label={t('sessions.revokeNamed', {
              device,
              ip: s.ip ?? t('sessions.unknownAddress'),
            })}
          >
            {props.revoking ? t('sessions.revoking') : t('members.revoke')}
          </button>
        )}
      </td>
    </tr>
  );
}
