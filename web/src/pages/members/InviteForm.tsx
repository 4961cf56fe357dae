import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { formatLocale } from '../../charts/value-format.js';
import { useState, type FormEvent } from 'react';
import type { Role } from '../../../../contract/index.js';
import { inviteMutation } from '../../api/accounts-mutations.js';
import { FormError } from '../../components/FormError.js';
import { RoleSelect } from './RoleSelect.js';

/**
 * Invite by email. Nobody joins until they accept; the answer is the same whether or not the address
 * has an account. Without SMTP the link is shown here once, for the admin to pass on.
 */
export function InviteForm() {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('viewer');
  const invite = useMutation(inviteMutation(queryClient));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (email.trim() && !invite.isPending)
      invite.mutate(
        { email, role },
        {
          onSuccess: () => {
            setEmail('');
            setRole('viewer');
          },
        },
      );
  };
  const sent = invite.data;
  const link = sent?.linkPath ? `${window.location.origin}${sent.linkPath}` : undefined;
  return (
    <form className="panel form-grid" onSubmit={submit} aria-labelledby="invite-title">
      <h2 id="invite-title" className="panel-title">
        {t('members.invite')}
      </h2>
      <div className="field">
        <label htmlFor="invite-email">{t('members.email')}</label>
        <input
          id="invite-email"
          type="email"
          required
          maxLength={254}
          autoComplete="off"
          value={email}
          onChange={(e) => setEmail(e.target.value)}
        />
      </div>
      <div className="field">
        <label htmlFor="invite-role">{t('members.role')}</label>
        <RoleSelect id="invite-role" value={role} onChange={setRole} />
      </div>
      <div className="form-actions">
        <button type="submit" className="button" disabled={invite.isPending || !email.trim()}>
          {invite.isPending ? t('members.inviting') : t('members.sendInvitation')}
        </button>
      </div>
      <FormError error={invite.error} />
      {sent && (
        <div className="form-success" role="status">
          {sent.delivery === 'email' ? (
            <p>{t('members.invitationSent', { email: sent.invitation.email })}</p>
          ) : (
            <>
              <p>
                {t('members.invitationLink', {
                  email: sent.invitation.email,
                  date: new Date(sent.invitation.expiresAt).toLocaleDateString(formatLocale()),
                })}
              </p>
              <input
                className="invite-link"
                readOnly
                aria-label={t('members.invitationLinkLabel')}
                value={link}
                onFocus={(e) => e.target.select()}
              />
            </>
          )}
        </div>
      )}
    </form>
  );
}
