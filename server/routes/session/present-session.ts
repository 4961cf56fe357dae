import type { FastifyReply } from 'fastify';
import type { SessionInfo } from '../../../contract/index.js';
import { negotiateLocale, type Locale } from '../../../contract/locale.js';
import type { ActiveSession } from '../../auth/sessions.service.js';
import type { UserSettingsService } from '../../auth/user-settings.service.js';
import { csrfTokenFor, setCsrfCookie } from '../../http/csrf.js';
import { setSessionCookie } from '../../http/session-cookie.js';
import { abilitiesOf } from '../../policies/roles.js';

export interface SessionPresenter {
  readonly secureCookie: boolean;
  readonly secret: string;
  readonly idleTimeoutSeconds: number;
  /** `trellis dev`: tell the web app to listen for project changes. */
  readonly devReload?: boolean;
}

/** The session as the web app sees it: who, where, what the role may do, and its CSRF token. */
export function presentSession(
  session: ActiveSession,
  options: SessionPresenter,
  locale: Locale,
): SessionInfo {
  return {
    locale,
    user: session.user,
    organisation: session.organisation,
    role: session.role,
    abilities: [...abilitiesOf(session.role)],
    expiresAt: new Date(session.expiresAt).toISOString(),
    idleTimeoutSeconds: options.idleTimeoutSeconds,
    csrfToken: csrfTokenFor(options.secret, session.idHash),
    ...(options.devReload ? { devReload: true as const } : {}),
  };
}

/** Sets the session cookie and its readable CSRF twin for a session just opened (login, switch). */
export function setSessionCookies(
  reply: FastifyReply,
  token: string,
  session: ActiveSession,
  options: SessionPresenter,
): void {
  const maxAgeSeconds = (session.expiresAt - session.createdAt) / 1000;
  setSessionCookie(reply, token, { secure: options.secureCookie, maxAgeSeconds });
  setCsrfCookie(reply, csrfTokenFor(options.secret, session.idHash), {
    secure: options.secureCookie,
    maxAgeSeconds,
  });
}

/** The user's saved language, else the one their browser asks for (Accept-Language). */
export async function sessionLocale(
  userSettings: Pick<UserSettingsService, 'locale'>,
  userId: string,
  acceptLanguage: string | undefined,
): Promise<Locale> {
  return (await userSettings.locale(userId)) ?? negotiateLocale(acceptLanguage);
}
