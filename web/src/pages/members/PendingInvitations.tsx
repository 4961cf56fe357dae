import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { revokeInvitationMutation } from '../../api/accounts-mutations.js';
import { invitationsQuery } from '../../api/accounts-queries.js';
import { formatDateTime } from '../../app/accounts/account-format.js';
import { ListSkeleton } from '../../components/AccountPage.js';
import { FormError } from '../../components/FormError.js';
import { WidgetError } from '../../components/WidgetStates.js';

/** Invitations not yet accepted, with revoke (the link stops working at once). */
export function PendingInvitations() {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const list = useQuery(invitationsQuery());
  const revoke = useMutation(revokeInvitationMutation(queryClient));
  if (list.isPending) return <ListSkeleton />;
  if (list.isError)
    return <WidgetError error={list.error} onRetry={() => void list.refetch()} retrying={list.isFetching} />;
  const invitations = list.data.invitations;
  if (invitations.length === 0) return null;
  return (
    <section className="account-section" aria-labelledby="invitations-title">
      <h2 id="invitations-title" className="section-title">
        {t('members.pending')} <span className="count">{invitations.length}</span>
      </h2>
      <FormError error={revoke.error} />
      <div className="table-scroll">
        <table className="data-table account-table">
          <thead>
            <tr>
              <th scope="col">{t('members.email')}</th>
              <th scope="col">{t('members.role')}</th>
              <th scope="col">{t('members.invited')}</th>
              <th scope="col">{t('members.expires')}</th>
              <th scope="col">
                <span className="visually-hidden">{t('exports.actions')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {invitations.map((i) => (
              <tr key={i.id} data-invitation={i.email}>
                <td>{i.email}</td>
                <td>{t(`roles.${i.role}`)}</td>
                <td>{formatDateTime(i.createdAt)}</td>
                <td>{formatDateTime(i.expiresAt)}</td>
                <td className="row-actions">
                  <button
                    type="button"
                    className="button danger-outline small"
                    disabled={revoke.isPending && revoke.variables === i.id}
                    onClick={() => revoke.mutate(i.id)}
                    aria-label={t('members.revokeNamed', { email: i.email })}
                  >
                    {t('members.revoke')}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
