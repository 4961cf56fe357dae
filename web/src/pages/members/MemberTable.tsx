import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { useState } from 'react';
import type { SessionInfo } from '../../../../contract/index.js';
import { changeRoleMutation, memberActionMutation } from '../../api/accounts-mutations.js';
import { membersQuery } from '../../api/accounts-queries.js';
import { formatDateTime } from '../../app/accounts/account-format.js';
import { passwordProblem } from '../../app/accounts/password-rules.js';
import { EmptyState, ListSkeleton } from '../../components/AccountPage.js';
import { ConfirmDialog } from '../../components/ConfirmDialog.js';
import { FormError } from '../../components/FormError.js';
import { WidgetError } from '../../components/WidgetStates.js';
import type { Pending } from './member-confirm.js';
import { RoleSelect } from './RoleSelect.js';

/** The organisation's members; role changes inline, destructive actions behind a confirmation. */
export function MemberTable({ session }: { session: SessionInfo }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const list = useQuery(membersQuery());
  const [pending, setPending] = useState<Pending | undefined>();
  const [newPassword, setNewPassword] = useState('');
  const changeRole = useMutation(changeRoleMutation(queryClient));
  const act = useMutation(memberActionMutation(queryClient));
  const open = (p: Pending) => {
    act.reset();
    setNewPassword('');
    setPending(p);
  };
  function close() {
    setPending(undefined);
    setNewPassword('');
  }

  if (list.isPending) return <ListSkeleton />;
  if (list.isError)
    return <WidgetError error={list.error} onRetry={() => void list.refetch()} retrying={list.isFetching} />;
  const members = list.data.members;
  const passwordIssue =
    pending?.kind === 'password'
      ? passwordProblem(newPassword, (rule) => t(`passwordRules.${rule}`))
      : undefined;
  return (
    <section className="account-section" aria-labelledby="members-title">
      <h2 id="members-title" className="section-title">
        {t('pages.admin-members')} <span className="count">{members.length}</span>
      </h2>
      <FormError error={changeRole.error} />
      {members.length === 0 ? (
        <EmptyState title={t('members.none')}>
          <p>{t('members.inviteFirst')}</p>
        </EmptyState>
      ) : (
        <div className="table-scroll">
          <table className="data-table account-table">
            <thead>
              <tr>
                <th scope="col">{t('members.email')}</th>
                <th scope="col">{t('members.role')}</th>
                <th scope="col">{t('exports.status')}</th>
                <th scope="col">{t('members.lastSignIn')}</th>
                <th scope="col">{t('members.since')}</th>
                <th scope="col">
                  <span className="visually-hidden">{t('exports.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {members.map((m) => {
                const self = m.userId === session.user.id;
                return (
                  <tr key={m.userId} data-member={m.email}>
                    <td>
                      {m.email}
                      {self && <span className="badge badge-accent">{t('members.you')}</span>}
                      {!m.accountManaged && (
                        <span className="badge" title={t('members.sharedTitle')}>
                          {t('members.shared')}
                        </span>
                      )}
                    </td>
                    <td>
                      <RoleSelect
                        id={`role-${m.userId}`}
                        label={t('members.roleOf', { email: m.email })}
                        value={m.role}
                        // Demoting yourself could leave the organisation without an admin: another admin does it.
                        disabled={self || (changeRole.isPending && changeRole.variables?.userId === m.userId)}
                        onChange={(role) => changeRole.mutate({ userId: m.userId, role })}
                      />
                    </td>
                    <td>
                      {m.disabledAt ? (
                        <span
                          className="badge state badge-revoked"
                          title={t('members.disabledAt', { time: formatDateTime(m.disabledAt) })}
                        >
                          {t('members.disabled')}
                        </span>
                      ) : (
                        <span className="badge state badge-active">{t('members.active')}</span>
                      )}
                    </td>
                    <td>{m.lastLoginAt ? formatDateTime(m.lastLoginAt) : t('members.never')}</td>
                    <td>{formatDateTime(m.createdAt)}</td>
                    <td className="row-actions">
                      {!self && (
                        <>
                          {/* Password and account state belong to the user: only when this is their one organisation. */}
                          {m.accountManaged && (
                            <button
                              type="button"
                              className="button secondary small"
                              onClick={() => open({ kind: m.disabledAt ? 'enable' : 'disable', member: m })}
                              aria-label={
                                m.disabledAt
                                  ? t('members.enableNamed', { email: m.email })
                                  : t('members.disableNamed', { email: m.email })
                              }
                            >
                              {m.disabledAt ? t('members.enable') : t('members.disable')}
                            </button>
                          )}
                          {m.accountManaged && (
                            <button
                              type="button"
                              className="button secondary small"
                              onClick={() => open({ kind: 'password', member: m })}
                              aria-label={t('members.resetPasswordNamed', { email: m.email })}
                            >
                              {t('members.resetPassword')}
                            </button>
                          )}
                          <button
                            type="button"
                            className="button danger-outline small"
                            onClick={() => open({ kind: 'remove', member: m })}
                            aria-label={t('members.removeNamed', { email: m.email })}
                          >
                            {t('members.remove')}
                          </button>
                        </>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {pending && (
        <ConfirmDialog
          title={t(`members.confirm.${pending.kind}.title`, { email: pending.member.email })}
          confirmLabel={t(`members.confirm.${pending.kind}.label`)}
          danger={pending.kind !== 'enable'}
          pending={act.isPending || (pending.kind === 'password' && !!passwordIssue)}
          error={act.error}
          onConfirm={() =>
            act.mutate(
              pending.kind === 'password'
                ? { kind: 'password', member: pending.member, password: newPassword }
                : { kind: pending.kind, member: pending.member },
              { onSuccess: close },
            )
          }
          onCancel={close}
        >
          {pending.kind === 'password' ? (
            <div className="field">
              <p>{t('members.passwordNote')}</p>
              <label htmlFor="reset-password">{t('members.newPassword')}</label>
              <input
                id="reset-password"
                type="password"
                autoComplete="new-password"
                autoFocus
                minLength={12}
                maxLength={1024}
                value={newPassword}
                aria-invalid={newPassword && passwordIssue ? true : undefined}
                aria-describedby="reset-password-hint"
                onChange={(e) => setNewPassword(e.target.value)}
              />
              <span
                id="reset-password-hint"
                className={newPassword && passwordIssue ? 'field-error' : 'field-hint'}
              >
                {(newPassword && passwordIssue) || t('members.atLeast12')}
              </span>
            </div>
          ) : (
            <p>{t(`members.confirm.${pending.kind}.text`)}</p>
          )}
        </ConfirmDialog>
      )}
    </section>
  );
}
