import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import type { Member, Role, SessionInfo } from '../../../contract/index.js';
import { accounts } from '../api/accounts-api.js';
import { accountKeys, membersQuery } from '../api/accounts-queries.js';
import { ROLE_ORDER, roleLabel } from '../app/accounts/abilities.js';
import { formatDateTime } from '../app/accounts/account-format.js';
import { passwordProblem } from '../app/accounts/password-rules.js';
import { AccountPage, EmptyState, ListSkeleton } from '../components/AccountPage.js';
import { ConfirmDialog } from '../components/ConfirmDialog.js';
import { FormError } from '../components/FormError.js';
import { WidgetError } from '../components/WidgetStates.js';

/** Admins: the organisation's members, their roles, and the destructive actions behind a confirmation. */
export function AdminMembersPage() {
  return (
    <AccountPage page="admin-members" description="Who belongs to this organisation, and with which role.">
      {(session) => (
        <>
          <AddMemberForm />
          <MemberList session={session} />
        </>
      )}
    </AccountPage>
  );
}

function useMembersRefresh() {
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: accountKeys.members() });
}

function AddMemberForm() {
  const refresh = useMembersRefresh();
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('viewer');
  const [password, setPassword] = useState('');
  const problem = password ? passwordProblem(password) : undefined;
  const add = useMutation({
    mutationFn: () => accounts.addMember({ email: email.trim(), role, ...(password ? { password } : {}) }),
    onSuccess: () => {
      setEmail('');
      setPassword('');
      setRole('viewer');
    },
    onSettled: refresh,
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (email.trim() && !problem && !add.isPending) add.mutate();
  };
  return (
    <form className="panel form-grid" onSubmit={submit} aria-labelledby="add-member-title">
      <h2 id="add-member-title" className="panel-title">
        Add a member
      </h2>
      <div className="field">
        <label htmlFor="member-email">Email</label>
        <input
          id="member-email"
          type="email"
          required
          maxLength={254}
          autoComplete="off"
          value={email}
          onChange={(e) => setEmail(e.target.value)}
        />
      </div>
      <div className="field">
        <label htmlFor="member-role">Role</label>
        <RoleSelect id="member-role" value={role} onChange={setRole} />
      </div>
      <div className="field">
        <label htmlFor="member-password">Password (new users only)</label>
        <input
          id="member-password"
          type="password"
          autoComplete="new-password"
          minLength={12}
          maxLength={1024}
          value={password}
          aria-invalid={problem ? true : undefined}
          aria-describedby="member-password-hint"
          onChange={(e) => setPassword(e.target.value)}
        />
        <span id="member-password-hint" className={problem ? 'field-error' : 'field-hint'}>
          {problem ?? 'At least 12 characters. Leave empty for someone who already has an account.'}
        </span>
      </div>
      <div className="form-actions">
        <button type="submit" className="button" disabled={add.isPending || !email.trim() || !!problem}>
          {add.isPending ? 'Adding…' : 'Add member'}
        </button>
      </div>
      <FormError error={add.error} />
      {add.isSuccess && (
        <p className="form-success" role="status">
          Member added.
        </p>
      )}
    </form>
  );
}

function RoleSelect(props: {
  id: string;
  value: Role;
  onChange: (role: Role) => void;
  disabled?: boolean;
  label?: string;
}) {
  return (
    <select
      id={props.id}
      value={props.value}
      disabled={props.disabled}
      aria-label={props.label}
      onChange={(e) => props.onChange(e.target.value as Role)}
    >
      {ROLE_ORDER.map((r) => (
        <option key={r} value={r}>
          {roleLabel(r)}
        </option>
      ))}
    </select>
  );
}

type Pending =
  { kind: 'disable' | 'enable' | 'remove'; member: Member } | { kind: 'password'; member: Member };

function MemberList({ session }: { session: SessionInfo }) {
  const refresh = useMembersRefresh();
  const list = useQuery(membersQuery());
  const [pending, setPending] = useState<Pending | undefined>();
  const [newPassword, setNewPassword] = useState('');
  const changeRole = useMutation({
    mutationFn: (v: { userId: string; role: Role }) => accounts.updateMember(v.userId, { role: v.role }),
    onSettled: refresh,
  });
  const act = useMutation({
    mutationFn: async (p: Pending) => {
      const id = p.member.userId;
      if (p.kind === 'disable' || p.kind === 'enable')
        await accounts.updateMember(id, { disabled: p.kind === 'disable' });
      else if (p.kind === 'remove') await accounts.removeMember(id);
      else await accounts.resetPassword(id, { password: newPassword });
    },
    onSuccess: () => close(),
    onSettled: refresh,
  });
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
  const passwordIssue = pending?.kind === 'password' ? passwordProblem(newPassword) : undefined;
  return (
    <section className="account-section" aria-labelledby="members-title">
      <h2 id="members-title" className="section-title">
        Members <span className="count">{members.length}</span>
      </h2>
      <FormError error={changeRole.error} />
      {members.length === 0 ? (
        <EmptyState title="No members">
          <p>Add the first member above.</p>
        </EmptyState>
      ) : (
        <div className="table-scroll">
          <table className="data-table account-table">
            <thead>
              <tr>
                <th scope="col">Email</th>
                <th scope="col">Role</th>
                <th scope="col">Status</th>
                <th scope="col">Last sign-in</th>
                <th scope="col">Member since</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
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
                      {self && <span className="badge badge-accent">You</span>}
                    </td>
                    <td>
                      <RoleSelect
                        id={`role-${m.userId}`}
                        label={`Role of ${m.email}`}
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
                          title={`Disabled ${formatDateTime(m.disabledAt)}`}
                        >
                          disabled
                        </span>
                      ) : (
                        <span className="badge state badge-active">active</span>
                      )}
                    </td>
                    <td>{m.lastLoginAt ? formatDateTime(m.lastLoginAt) : 'Never'}</td>
                    <td>{formatDateTime(m.createdAt)}</td>
                    <td className="row-actions">
                      {!self && (
                        <>
                          <button
                            type="button"
                            className="button secondary small"
                            onClick={() => open({ kind: m.disabledAt ? 'enable' : 'disable', member: m })}
                            aria-label={`${m.disabledAt ? 'Enable' : 'Disable'} ${m.email}`}
                          >
                            {m.disabledAt ? 'Enable' : 'Disable'}
                          </button>
                          <button
                            type="button"
                            className="button secondary small"
                            onClick={() => open({ kind: 'password', member: m })}
                            aria-label={`Reset the password of ${m.email}`}
                          >
                            Reset password
                          </button>
                          <button
                            type="button"
                            className="button danger-outline small"
                            onClick={() => open({ kind: 'remove', member: m })}
                            aria-label={`Remove ${m.email}`}
                          >
                            Remove
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
          title={confirmTitle(pending)}
          confirmLabel={confirmLabel(pending)}
          danger={pending.kind !== 'enable'}
          pending={act.isPending || (pending.kind === 'password' && !!passwordIssue)}
          error={act.error}
          onConfirm={() => act.mutate(pending)}
          onCancel={close}
        >
          {pending.kind === 'password' ? (
            <div className="field">
              <p>Their sessions end at once; they sign in again with the new password.</p>
              <label htmlFor="reset-password">New password</label>
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
                {(newPassword && passwordIssue) || 'At least 12 characters.'}
              </span>
            </div>
          ) : (
            <p>{confirmText(pending)}</p>
          )}
        </ConfirmDialog>
      )}
    </section>
  );
}

function confirmTitle(p: Pending): string {
  const who = p.member.email;
  switch (p.kind) {
    case 'disable':
      return `Disable ${who}?`;
    case 'enable':
      return `Enable ${who}?`;
    case 'remove':
      return `Remove ${who} from the organisation?`;
    case 'password':
      return `Reset the password of ${who}`;
  }
}

function confirmLabel(p: Pending): string {
  return { disable: 'Disable', enable: 'Enable', remove: 'Remove', password: 'Set password' }[p.kind];
}

function confirmText(p: Pending): string {
  switch (p.kind) {
    case 'disable':
      return 'They are signed out everywhere at once and cannot sign in to any organisation until enabled again.';
    case 'enable':
      return 'They can sign in again with their current password.';
    default:
      return 'They lose access to this organisation’s dashboards at once. Their account stays, and they can be added again.';
  }
}
