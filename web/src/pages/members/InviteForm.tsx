import { useMutation, useQueryClient } from '@tanstack/react-query';
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
        Invite a member
      </h2>
      <div className="field">
        <label htmlFor="invite-email">Email</label>
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
        <label htmlFor="invite-role">Role</label>
        <RoleSelect id="invite-role" value={role} onChange={setRole} />
      </div>
      <div className="form-actions">
        <button type="submit" className="button" disabled={invite.isPending || !email.trim()}>
          {invite.isPending ? 'Inviting…' : 'Send invitation'}
        </button>
      </div>
      <FormError error={invite.error} />
      {sent && (
        <div className="form-success" role="status">
          {sent.delivery === 'email' ? (
            <p>Invitation e-mailed to {sent.invitation.email}. They join when they accept it.</p>
          ) : (
            <>
              <p>
                This server sends no e-mail: give {sent.invitation.email} this link yourself. It is shown only
                now, works once, and expires {new Date(sent.invitation.expiresAt).toLocaleDateString()}.
              </p>
              <input
                className="invite-link"
                readOnly
                aria-label="Invitation link"
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
