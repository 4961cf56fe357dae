import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { accounts } from '../api/accounts-api.js';
import { acceptInvitationMutation, registerInvitationMutation } from '../api/accounts-mutations.js';
import { roleLabel } from '../app/accounts/abilities.js';
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
  useDocumentTitle('Invitation · Trellis');
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
        <h1 id="invite-page-title">Join {invitation.organisation.name}</h1>
        <p>
          {invitation.email} is invited as <strong>{roleLabel(invitation.role)}</strong>. The link works once,
          until {new Date(invitation.expiresAt).toLocaleString()}.
        </p>
        {signedInAs === invitation.email ? (
          <AcceptInvitation token={token} />
        ) : signedInAs ? (
          <p className="field-error" role="alert">
            You are signed in as {signedInAs}. This invitation is for {invitation.email}: sign out and sign in
            as that address to accept it.
          </p>
        ) : (
          <>
            <p>
              Already have an account with this address?{' '}
              <Link href={loginPath(`${location.pathname}${location.search}`)}>Sign in to accept</Link>.
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
  if (accept.isSuccess)
    return (
      <p className="form-success" role="status">
        You joined {accept.data.organisation.name}. Switch to it from the organisation menu at the top.
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
        {accept.isPending ? 'Joining…' : 'Accept invitation'}
      </button>
      <FormError error={accept.error} />
    </>
  );
}

function RegisterForm({ token, email }: { token: string; email: string }) {
  const [password, setPassword] = useState('');
  const [again, setAgain] = useState('');
  const register = useMutation(registerInvitationMutation());
  const problem = password ? passwordProblem(password) : undefined;
  const mismatch = again !== '' && again !== password;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!problem && !mismatch && password && !register.isPending) register.mutate({ token, password });
  };
  if (register.isSuccess)
    return (
      <p className="form-success" role="status">
        Your account is ready. <Link href="/login">Sign in</Link> as {email}.
      </p>
    );
  return (
    <form onSubmit={submit} aria-labelledby="register-title">
      <h2 id="register-title" className="panel-title">
        New here? Create your account
      </h2>
      <fieldset disabled={register.isPending} className="login-fields">
        <div className="field">
          <label htmlFor="register-password">Choose a password</label>
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
            {problem ?? 'At least 12 characters.'}
          </span>
        </div>
        <div className="field">
          <label htmlFor="register-again">Repeat it</label>
          <input
            id="register-again"
            type="password"
            autoComplete="new-password"
            required
            value={again}
            aria-invalid={mismatch ? true : undefined}
            onChange={(e) => setAgain(e.target.value)}
          />
          {mismatch && <span className="field-error">The two passwords differ.</span>}
        </div>
        <FormError error={register.error} />
        <button type="submit" className="button login-submit" disabled={!!problem || mismatch || !password}>
          {register.isPending ? 'Creating…' : 'Create account'}
        </button>
      </fieldset>
    </form>
  );
}
