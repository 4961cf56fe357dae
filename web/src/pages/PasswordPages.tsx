import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Trans, useTranslation } from 'react-i18next';
import { useState, type FormEvent } from 'react';
import {
  changePasswordMutation,
  confirmPasswordResetMutation,
  requestPasswordResetMutation,
} from '../api/accounts-mutations.js';
import { isApiError } from '../api/api-error.js';
import { Link } from '../app/routing/Link.js';
import { passwordProblem } from '../app/accounts/password-rules.js';
import { useLocation } from '../app/routing/router.js';
import { AccountPage } from '../components/AccountPage.js';
import { FormError } from '../components/FormError.js';
import { useDocumentTitle } from '../hooks/useDocumentTitle.js';

function NewPasswordField(props: {
  id: string;
  label: string;
  value: string;
  onChange: (v: string) => void;
}) {
  const { t } = useTranslation();
  const problem = props.value
    ? passwordProblem(props.value, (rule) => t(`passwordRules.${rule}`))
    : undefined;
  return (
    <div className="field">
      <label htmlFor={props.id}>{props.label}</label>
      <input
        id={props.id}
        type="password"
        autoComplete="new-password"
        required
        minLength={12}
        maxLength={1024}
        value={props.value}
        aria-invalid={problem ? true : undefined}
        aria-describedby={`${props.id}-hint`}
        onChange={(e) => props.onChange(e.target.value)}
      />
      <span id={`${props.id}-hint`} className={problem ? 'field-error' : 'field-hint'}>
        {problem ?? t('members.atLeast12')}
      </span>
    </div>
  );
}

/** /account/password: change your own password (other sessions and API tokens end). */
export function AccountPasswordPage() {
  const queryClient = useQueryClient();
  const { t } = useTranslation();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const change = useMutation(changePasswordMutation(queryClient));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (current && next && !passwordProblem(next, (rule) => t(`passwordRules.${rule}`)) && !change.isPending)
      change.mutate({ currentPassword: current, newPassword: next }, { onSettled: () => setCurrent('') });
  };
  return (
    <AccountPage page="account-password" description={t('password.description')}>
      {() => (
        <form className="panel form-grid" onSubmit={submit} aria-labelledby="password-title">
          <h2 id="password-title" className="panel-title">
            {t('password.change')}
          </h2>
          <div className="field">
            <label htmlFor="current-password">{t('password.current')}</label>
            <input
              id="current-password"
              type="password"
              autoComplete="current-password"
              required
              maxLength={1024}
              value={current}
              onChange={(e) => setCurrent(e.target.value)}
            />
          </div>
          <NewPasswordField
            id="new-password"
            label={t('members.newPassword')}
            value={next}
            onChange={setNext}
          />
          <div className="form-actions">
            <button type="submit" className="button" disabled={change.isPending || !current || !next}>
              {change.isPending ? t('password.changing') : t('password.change')}
            </button>
          </div>
          <FormError error={change.error} />
          {change.isSuccess && (
            <p className="form-success" role="status">
              {t('password.changed')}
            </p>
          )}
        </form>
      )}
    </AccountPage>
  );
}

/** /forgot-password: the same answer for every address (the server never says whether it exists). */
export function ForgotPasswordPage() {
  const { t } = useTranslation();
  useDocumentTitle(t('pages.documentTitle', { title: t('password.forgotTitle') }));
  const [email, setEmail] = useState('');
  const request = useMutation(requestPasswordResetMutation());
  const noMail = isApiError(request.error) && request.error.status === 501;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (email.trim() && !request.isPending) request.mutate(email);
  };
  return (
    <main className="page login-page" id="main">
      <form className="login-card" onSubmit={submit} aria-labelledby="forgot-title">
        <h1 id="forgot-title">{t('password.forgot')}</h1>
        {request.isSuccess ? (
          <p className="form-success" role="status">
            {t('password.linkSent', { email: email.trim() })}
          </p>
        ) : (
          <fieldset disabled={request.isPending} className="login-fields">
            <div className="field">
              <label htmlFor="forgot-email">{t('members.email')}</label>
              <input
                id="forgot-email"
                type="email"
                autoComplete="username"
                required
                maxLength={254}
                value={email}
                onChange={(e) => setEmail(e.target.value)}
              />
            </div>
            <FormError error={request.error} />
            {!noMail && (
              <button type="submit" className="button login-submit">
                {request.isPending ? t('password.sending') : t('password.sendLink')}
              </button>
            )}
          </fieldset>
        )}
        <p className="login-help">
          <Link href="/login">{t('password.back')}</Link>
        </p>
      </form>
    </main>
  );
}

/** /reset-password?token=…: the e-mailed link; every session and token of the account ends. */
export function ResetPasswordPage() {
  const { t } = useTranslation();
  useDocumentTitle(t('pages.documentTitle', { title: t('password.choose') }));
  const token = new URLSearchParams(useLocation().search).get('token') ?? '';
  const [password, setPassword] = useState('');
  const confirm = useMutation(confirmPasswordResetMutation());
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (password && !passwordProblem(password, (rule) => t(`passwordRules.${rule}`)) && !confirm.isPending)
      confirm.mutate({ token, password });
  };
  return (
    <main className="page login-page" id="main">
      <form className="login-card" onSubmit={submit} aria-labelledby="reset-title">
        <h1 id="reset-title">{t('password.choose')}</h1>
        {confirm.isSuccess ? (
          <p className="form-success" role="status">
            <Trans i18nKey="password.resetDone" components={{ signIn: <Link href="/login" /> }} />
          </p>
        ) : (
          <fieldset disabled={confirm.isPending} className="login-fields">
            <NewPasswordField
              id="reset-new-password"
              label={t('members.newPassword')}
              value={password}
              onChange={setPassword}
            />
            <FormError error={confirm.error} />
            <button type="submit" className="button login-submit">
              {confirm.isPending ? t('organisation.saving') : t('members.confirm.password.label')}
            </button>
          </fieldset>
        )}
      </form>
    </main>
  );
}
