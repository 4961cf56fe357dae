import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Trans, useTranslation } from 'react-i18next';
import { formatLocale } from '../charts/value-format.js';
import { useState, type FormEvent } from 'react';
import { accounts } from '../api/accounts-api.js';
import { acceptInvitationMutation, registerInvitationMutation } from '../api/accounts-mutations.js';
import { Link } from '../app/routing/Link.js';
import { loginPath } from '../app/routing/next-path.js';
import { passwordProblem } from '../app/accounts/password-rules.js';
import { useLocation } from '../app/routing/router.js';
import { FormError } from '../components/FormError.js';
import { PageError } from '../components/PageError.js';
import { useDocumentTitle } from '../hooks/useDocumentTitle.js';
import { useSession } from '../hooks/useSession.js';

/**
 * `/invite?token=…`: what the invitation offers, then either "Accept" (signed in as the invited
 * address: an existing account) or "Create your account" (a new password; then sign in).
 */
export function InvitePage() {
  const { t } = useTranslation();
  useDocumentTitle(t('pages.documentTitle', { title: t('invite.documentTitle') }));
  const location = useLocation();
  const token = new URLSearchParams(location.search).get('token') ?? '';
  const session = useSession();
  const preview = useQuery({
    queryKey: ['invitation', token],
    queryFn: () => accounts.previewInvitation(token),
    retry: false,
    staleTime: Infinity,
  });
  if (preview.isPending)
    return (
      <main className="page login-page" id="main" aria-busy="true">
        <div className="skeleton skeleton-card" />
      </main>
    );
  if (preview.isError) return <PageError error={preview.error} />;
  const invitation = preview.data;
  const signedInAs = session.data?.user.email;
  return (
    <main className="page login-page" id="main">
      <div className="login-card" aria-labelledby="invite-page-title">
        <h1 id="invite-page-title">{t('invite.join', { name: invitation.organisation.name })}</h1>
        <p>
          <Trans
            i18nKey="invite.invitedAs"
            values={{
              email: invitation.email,
              role: t(`roles.${invitation.role}`),
              until: new Date(invitation.expiresAt).toLocaleString(formatLocale()),
            }}
            components={{ strong: <strong /> }}
          />
        </p>
        {signedInAs === invitation.email ? (
          <AcceptInvitation token={token} />
        ) : signedInAs ? (
          <p className="field-error" role="alert">
            {t('invite.otherAccount', { current: signedInAs, email: invitation.email })}
          </p>
        ) : (
          <>
            <p>
              <Trans
                i18nKey="invite.haveAccount"
                components={{ signIn: <Link href={loginPath(`${location.pathname}${location.search}`)} /> }}
              />
            </p>
            <RegisterForm token={token} email={invitation.email} />
          </>
        )}
      </div>
    </main>
  );
}

function AcceptInvitation({ token }: { token: string }) {
  const queryClient = useQueryClient();
  const accept = useMutation(acceptInvitationMutation(queryClient));
  const { t } = useTranslation();
  if (accept.isSuccess)
    return (
      <p className="form-success" role="status">
        {t('invite.joined', { name: accept.data.organisation.name })}
      </p>
    );
  return (
    <>
      <button
        type="button"
        className="button login-submit"
        disabled={accept.isPending}
        onClick={() => accept.mutate(token)}
      >
        {accept.isPending ? t('invite.joining') : t('invite.accept')}
      </button>
      <FormError error={accept.error} />
    </>
  );
}

function RegisterForm({ token, email }: { token: string; email: string }) {
  const [password, setPassword] = useState('');
  const [again, setAgain] = useState('');
  const register = useMutation(registerInvitationMutation());
  const { t } = useTranslation();
  const problem = password ? passwordProblem(password, (rule) => t(`passwordRules.${rule}`)) : undefined;
  const mismatch = again !== '' && again !== password;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!problem && !mismatch && password && !register.isPending) register.mutate({ token, password });
  };
  if (register.isSuccess)
    return (
      <p className="form-success" role="status">
        <Trans i18nKey="invite.ready" values={{ email }} components={{ signIn: <Link href="/login" /> }} />
      </p>
    );
  return (
    <form onSubmit={submit} aria-labelledby="register-title">
      <h2 id="register-title" className="panel-title">
        {t('invite.newHere')}
      </h2>
      <fieldset disabled={register.isPending} className="login-fields">
        <div className="field">
          <label htmlFor="register-password">{t('invite.choosePassword')}</label>
          <input
            id="register-password"
            type="password"
            autoComplete="new-password"
            minLength={12}
            maxLength={1024}
            required
            value={password}
            aria-invalid={problem ? true : undefined}
            aria-describedby="register-hint"
            onChange={(e) => setPassword(e.target.value)}
          />
          <span id="register-hint" className={problem ? 'field-error' : 'field-hint'}>
            {problem ?? t('members.atLeast12')}
          </span>
        </div>
        <div className="field">
          <label htmlFor="register-again">{t('invite.repeat')}</label>
          <input
            id="register-again"
            type="password"
            autoComplete="new-password"
            required
            value={again}
            aria-invalid={mismatch ? true : undefined}
            onChange={(e) => setAgain(e.target.value)}
          />
          {mismatch && <span className="field-error">{t('invite.differ')}</span>}
        </div>
        <FormError error={register.error} />
        <button type="submit" className="button login-submit" disabled={!!problem || mismatch || !password}>
          {register.isPending ? t('tokens.creating') : t('invite.create')}
        </button>
      </fieldset>
    </form>
  );
}
