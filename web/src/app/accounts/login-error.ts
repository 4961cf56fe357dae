import { isApiError } from '../../api/api-error.js';

/**
 * What to tell the user after a failed sign-in. Wrong email and wrong password are one message on
 * purpose (the server does not say which either); a lockout says to wait, not to retype.
 */
export function loginErrorMessage(
  error: Error,
  say: (key: 'wrong' | 'throttled') => string = (key) => ENGLISH[key],
): string {
  if (!isApiError(error)) return error.message;
  if (error.status === 401) return say('wrong');
  if (error.status === 429) return say('throttled');
  return error.message;
}

const ENGLISH = {
  wrong: 'The email address or password is not right.',
  throttled:
    'Too many failed sign-in attempts. Sign-in is paused for a while: wait a few minutes, then try again.',
};
