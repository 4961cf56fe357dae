import type { TFunction } from 'i18next';
import { isApiError } from '../../api/api-error.js';

/**
 * An error as the reader's language says it: the catalogue's text for a known code (the server's
 * codes are stable, docs/errors.md), else the server's own user-safe message. The server's message
 * may be more specific (it names the filter, the limit…): English readers keep it word for word.
 */
export function errorText(error: Error, t: TFunction, language: string): string {
  if (!isApiError(error) || language === 'en') return error.message;
  const key = `errors.${error.code}`;
  return t(key as 'errors.NOT_FOUND', { defaultValue: error.message });
}
