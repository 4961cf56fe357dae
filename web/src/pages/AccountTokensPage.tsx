import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Trans, useTranslation } from 'react-i18next';
import { useState, type FormEvent } from 'react';
import type { ApiToken, CreatedToken, Role, SessionInfo } from '../../../contract/index.js';
import { createTokenMutation, revokeTokenMutation } from '../api/accounts-mutations.js';
import { tokensQuery } from '../api/accounts-queries.js';
import { rolesUpTo } from '../app/accounts/abilities.js';
import { formatDateTime, tokenState } from '../app/accounts/account-format.js';
import { AccountPage, EmptyState, ListSkeleton } from '../components/AccountPage.js';
import { ConfirmDialog } from '../components/ConfirmDialog.js';
import { CopyButton } from '../components/CopyButton.js';
import { FormError } from '../components/FormError.js';
import { WidgetError } from '../components/WidgetStates.js';

/** Personal API tokens (Authorization: Bearer) for the current organisation. */
export function AccountTokensPage() {
  const { t } = useTranslation();
  return (
    <AccountPage page="account-tokens" description={t('tokens.description')}>
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
  const { t } = useTranslation();
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
        {t('tokens.new')}
      </h2>
      <div className="field">
        <label htmlFor="token-name">{t('organisation.name')}</label>
        <input
          id="token-name"
          required
          maxLength={80}
          value={name}
          placeholder={t('tokens.namePlaceholder')}
          onChange={(e) => setName(e.target.value)}
        />
      </div>
      <div className="field">
        <label htmlFor="token-role">{t('members.role')}</label>
        <select id="token-role" value={tokenRole} onChange={(e) => setTokenRole(e.target.value as Role)}>
          {roles.map((r) => (
            <option key={r} value={r}>
              {t(`roles.${r}`)}
            </option>
          ))}
        </select>
      </div>
      <div className="field field-narrow">
        <label htmlFor="token-days">{t('tokens.expiresIn')}</label>
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
          {t('tokens.days')}
        </span>
      </div>
      <div className="form-actions">
        <button type="submit" className="button" disabled={create.isPending || !name.trim() || !daysValid}>
          {create.isPending ? t('tokens.creating') : t('tokens.create')}
        </button>
      </div>
      <FormError error={create.error} />
    </form>
  );
}

/** The secret, once: the server keeps only its hash. */
function NewTokenSecret({ token, onDone }: { token: CreatedToken; onDone: () => void }) {
  const { t } = useTranslation();
  return (
    <section className="panel secret-panel" aria-labelledby="secret-title" data-testid="token-secret">
      <h2 id="secret-title" className="panel-title">
        {t('tokens.created', { name: token.name })}
      </h2>
      <p className="secret-warning" role="alert">
        {t('tokens.copyNow')}
      </p>
      <div className="secret-row">
        <code className="secret-value" tabIndex={0} aria-label={t('tokens.secret')}>
          {token.secret}
        </code>
        <CopyButton text={token.secret} />
      </div>
      <p className="field-hint">
        <Trans
          i18nKey="tokens.sendAs"
          values={{ role: t(`roles.${token.role}`), time: formatDateTime(token.expiresAt) }}
          components={{ code: <code /> }}
        />
      </p>
      <button type="button" className="button secondary" onClick={onDone}>
        {t('tokens.done')}
      </button>
    </section>
  );
}

function TokenList() {
  const { t } = useTranslation();
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
        {t('tokens.yours')}
      </h2>
      {tokens.length === 0 ? (
        <EmptyState title={t('tokens.none')}>
          <p>{t('tokens.noneHelp')}</p>
        </EmptyState>
      ) : (
        <div className="table-scroll">
          <table className="data-table account-table">
            <thead>
              <tr>
                <th scope="col">{t('organisation.name')}</th>
                <th scope="col">{t('members.role')}</th>
                <th scope="col">{t('organisation.created')}</th>
                <th scope="col">{t('members.expires')}</th>
                <th scope="col">{t('tokens.lastUsed')}</th>
                <th scope="col">{t('exports.status')}</th>
                <th scope="col">
                  <span className="visually-hidden">{t('exports.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {tokens.map((tok) => {
                const state = tokenState(tok);
                return (
                  <tr key={tok.id} data-token-id={tok.id}>
                    <td>{tok.name}</td>
                    <td>{t(`roles.${tok.role}`)}</td>
                    <td>{formatDateTime(tok.createdAt)}</td>
                    <td>{formatDateTime(tok.expiresAt)}</td>
                    <td>{tok.lastUsedAt ? formatDateTime(tok.lastUsedAt) : t('members.never')}</td>
                    <td>
                      <span className={`badge state badge-${state}`}>{t(`tokens.states.${state}`)}</span>
                    </td>
                    <td className="row-actions">
                      {state === 'active' && (
                        <button
                          type="button"
                          className="button secondary small"
                          onClick={() => setConfirm(tok)}
                          aria-label={t('tokens.revokeNamed', { name: tok.name })}
                        >
                          {t('members.revoke')}
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
          title={t('tokens.revokeTitle', { name: confirm.name })}
          confirmLabel={t('tokens.revoke')}
          danger
          pending={revoke.isPending}
          error={revoke.error}
          onConfirm={() => revoke.mutate(confirm.id, { onSuccess: () => setConfirm(undefined) })}
          onCancel={() => {
            revoke.reset();
            setConfirm(undefined);
          }}
        >
          <p>{t('tokens.revokeHelp')}</p>
        </ConfirmDialog>
      )}
    </section>
  );
}
