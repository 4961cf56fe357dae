import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import type { ApiToken, CreatedToken, Role, SessionInfo } from '../../../contract/index.js';
import { createTokenMutation, revokeTokenMutation } from '../api/accounts-mutations.js';
import { tokensQuery } from '../api/accounts-queries.js';
import { roleLabel, rolesUpTo } from '../app/accounts/abilities.js';
import { formatDateTime, tokenState } from '../app/accounts/account-format.js';
import { AccountPage, EmptyState, ListSkeleton } from '../components/AccountPage.js';
import { ConfirmDialog } from '../components/ConfirmDialog.js';
import { CopyButton } from '../components/CopyButton.js';
import { FormError } from '../components/FormError.js';
import { WidgetError } from '../components/WidgetStates.js';

/** Personal API tokens (Authorization: Bearer) for the current organisation. */
export function AccountTokensPage() {
  return (
    <AccountPage
      page="account-tokens"
      description="Tokens let scripts call the API as you, in this organisation, with a role no higher than yours."
    >
      {(session) => <Tokens session={session} />}
    </AccountPage>
  );
}

function Tokens({ session }: { session: SessionInfo }) {
  const [created, setCreated] = useState<CreatedToken | undefined>();
  return (
    <>
      {created ? (
        <NewTokenSecret token={created} onDone={() => setCreated(undefined)} />
      ) : (
        <CreateTokenForm role={session.role} onCreated={setCreated} />
      )}
      <TokenList />
    </>
  );
}

function CreateTokenForm({ role, onCreated }: { role: Role; onCreated: (t: CreatedToken) => void }) {
  const queryClient = useQueryClient();
  const roles = rolesUpTo(role);
  const [name, setName] = useState('');
  const [tokenRole, setTokenRole] = useState<Role>(roles[0] ?? 'viewer');
  const [days, setDays] = useState('30');
  const daysNumber = Number(days);
  const daysValid = Number.isInteger(daysNumber) && daysNumber >= 1 && daysNumber <= 365;
  const create = useMutation(createTokenMutation(queryClient));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (name.trim() && daysValid && !create.isPending)
      create.mutate(
        { name, role: tokenRole, expiresInDays: daysNumber },
        {
          onSuccess: (token) => {
            setName('');
            onCreated(token);
          },
        },
      );
  };
  return (
    <form className="panel form-grid" onSubmit={submit} aria-labelledby="new-token-title">
      <h2 id="new-token-title" className="panel-title">
        New token
      </h2>
      <div className="field">
        <label htmlFor="token-name">Name</label>
        <input
          id="token-name"
          required
          maxLength={80}
          value={name}
          placeholder="e.g. nightly export"
          onChange={(e) => setName(e.target.value)}
        />
      </div>
      <div className="field">
        <label htmlFor="token-role">Role</label>
        <select id="token-role" value={tokenRole} onChange={(e) => setTokenRole(e.target.value as Role)}>
          {roles.map((r) => (
            <option key={r} value={r}>
              {roleLabel(r)}
            </option>
          ))}
        </select>
      </div>
      <div className="field field-narrow">
        <label htmlFor="token-days">Expires in (days)</label>
        <input
          id="token-days"
          type="number"
          min={1}
          max={365}
          step={1}
          required
          value={days}
          aria-invalid={!daysValid || undefined}
          aria-describedby="token-days-hint"
          onChange={(e) => setDays(e.target.value)}
        />
        <span id="token-days-hint" className={daysValid ? 'field-hint' : 'field-error'}>
          1 to 365 days
        </span>
      </div>
      <div className="form-actions">
        <button type="submit" className="button" disabled={create.isPending || !name.trim() || !daysValid}>
          {create.isPending ? 'Creating…' : 'Create token'}
        </button>
      </div>
      <FormError error={create.error} />
    </form>
  );
}

/** The secret, once: the server keeps only its hash. */
function NewTokenSecret({ token, onDone }: { token: CreatedToken; onDone: () => void }) {
  return (
    <section className="panel secret-panel" aria-labelledby="secret-title" data-testid="token-secret">
      <h2 id="secret-title" className="panel-title">
        Token “{token.name}” created
      </h2>
      <p className="secret-warning" role="alert">
        Copy this token now. It is shown only once and cannot be recovered; if you lose it, revoke it and
        create another.
      </p>
      <div className="secret-row">
        <code className="secret-value" tabIndex={0} aria-label="Token secret">
          {token.secret}
        </code>
        <CopyButton text={token.secret} />
      </div>
      <p className="field-hint">
        Send it as <code>Authorization: Bearer …</code>. Role {roleLabel(token.role)}, expires{' '}
        {formatDateTime(token.expiresAt)}.
      </p>
      <button type="button" className="button secondary" onClick={onDone}>
        Done
      </button>
    </section>
  );
}

function TokenList() {
  const queryClient = useQueryClient();
  const list = useQuery(tokensQuery());
  const [confirm, setConfirm] = useState<ApiToken | undefined>();
  const revoke = useMutation(revokeTokenMutation(queryClient));
  if (list.isPending) return <ListSkeleton />;
  if (list.isError)
    return <WidgetError error={list.error} onRetry={() => void list.refetch()} retrying={list.isFetching} />;
  const tokens = list.data.tokens;
  return (
    <section className="account-section" aria-labelledby="tokens-title">
      <h2 id="tokens-title" className="section-title">
        Your tokens
      </h2>
      {tokens.length === 0 ? (
        <EmptyState title="No tokens yet">
          <p>Create one above for a script or another tool.</p>
        </EmptyState>
      ) : (
        <div className="table-scroll">
          <table className="data-table account-table">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Role</th>
                <th scope="col">Created</th>
                <th scope="col">Expires</th>
                <th scope="col">Last used</th>
                <th scope="col">Status</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {tokens.map((t) => {
                const state = tokenState(t);
                return (
                  <tr key={t.id} data-token-id={t.id}>
                    <td>{t.name}</td>
                    <td>{roleLabel(t.role)}</td>
                    <td>{formatDateTime(t.createdAt)}</td>
                    <td>{formatDateTime(t.expiresAt)}</td>
                    <td>{t.lastUsedAt ? formatDateTime(t.lastUsedAt) : 'Never'}</td>
                    <td>
                      <span className={`badge state badge-${state}`}>{state}</span>
                    </td>
                    <td className="row-actions">
                      {state === 'active' && (
                        <button
                          type="button"
                          className="button secondary small"
                          onClick={() => setConfirm(t)}
                          aria-label={`Revoke token ${t.name}`}
                        >
                          Revoke
                        </button>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {confirm && (
        <ConfirmDialog
          title={`Revoke “${confirm.name}”?`}
          confirmLabel="Revoke token"
          danger
          pending={revoke.isPending}
          error={revoke.error}
          onConfirm={() => revoke.mutate(confirm.id, { onSuccess: () => setConfirm(undefined) })}
          onCancel={() => {
            revoke.reset();
            setConfirm(undefined);
          }}
        >
          <p>Anything using this token stops working at once. This cannot be undone.</p>
        </ConfirmDialog>
      )}
    </section>
  );
}
