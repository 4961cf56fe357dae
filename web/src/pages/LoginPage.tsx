import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { useState, type FormEvent } from 'react';
import { loginMutation } from '../api/accounts-mutations.js';
import { isApiError } from '../api/api-error.js';
import { loginErrorMessage } from '../app/accounts/login-error.js';
import { safeNextPath } from '../app/routing/next-path.js';
import { navigate, useLocation } from '../app/routing/router.js';
import { FormError } from '../components/FormError.js';
import { Link } from '../app/routing/Link.js';
import { useDocumentTitle } from '../hooks/useDocumentTitle.js';

export function LoginPage() {
  const { t } = useTranslation();
  useDocumentTitle(t('pages.documentTitle', { title: t('common.signIn') }));
  const location = useLocation();
  const next = safeNextPath(new URLSearchParams(location.search).get('next'));
  const queryClient = useQueryClient();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const login = useMutation(loginMutation(queryClient));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!login.isPending)
      login.mutate(
        { email: email.trim(), password },
        { onSuccess: () => navigate(next, { replace: true }), onError: () => setPassword('') },
      );
  };
  const throttled = isApiError(login.error) && login.error.status === 429;
  return (
    <main className="page login-page" id="main">
      <form className="login-card" onSubmit={submit} noValidate={false} aria-labelledby="login-title">
        <h1 id="login-title">{t('login.title')}</h1>
        <fieldset disabled={login.isPending} className="login-fields">
          <div className="field">
            <label htmlFor="login-email">{t('login.email')}</label>
            <input
              id="login-email"
              name="email"
              type="email"
              autoComplete="username"
              required
              maxLength={254}
              autoFocus
              value={email}
              onChange={(e) => setEmail(e.target.value)}
              aria-invalid={login.isError && !throttled ? true : undefined}
              aria-describedby={login.isError ? 'login-error' : undefined}
            />
          </div>
          <div className="field">
            <label htmlFor="login-password">{t('login.password')}</label>
            <input
              id="login-password"
              name="password"
              type="password"
              autoComplete="current-password"
              required
              maxLength={1024}
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              aria-invalid={login.isError && !throttled ? true : undefined}
              aria-describedby={login.isError ? 'login-error' : undefined}
            />
          </div>
          <div id="login-error">
            <FormError
              error={login.error}
              message={login.error ? loginErrorMessage(login.error, (key) => t(`login.${key}`)) : undefined}
            />
          </div>
          <button type="submit" className="button login-submit">
            {login.isPending ? t('login.signingIn') : t('common.signIn')}
          </button>
          <p className="login-help">
            <Link href="/forgot-password">{t('login.forgot')}</Link>
          </p>
        </fieldset>
      </form>
    </main>
  );
}
