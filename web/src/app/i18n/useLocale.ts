import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { isLocale, type Locale } from '../../../../contract/locale.js';
import { setLocaleMutation } from '../../api/accounts-mutations.js';
import { useSession } from '../../hooks/useSession.js';
import { setLocale } from './i18n.js';

/**
 * Follows the signed-in user's saved language (the session says it; another browser may have changed
 * it). Called once, in App.
 */
export function useSessionLocale(): void {
  const session = useSession();
  const { i18n } = useTranslation();
  const wanted = session.data?.locale;
  useEffect(() => {
    if (wanted && wanted !== i18n.language) void setLocale(wanted, { remember: true });
  }, [wanted, i18n.language]);
}

/** The current language, and a switch that applies at once and is kept with the user on the server. */
export function useLocaleChoice(): {
  locale: Locale;
  choose: (next: Locale) => void;
  error: Error | null;
} {
  const { i18n } = useTranslation();
  const queryClient = useQueryClient();
  const save = useMutation(setLocaleMutation(queryClient));
  const locale = isLocale(i18n.language) ? i18n.language : 'en';
  return {
    locale,
    error: save.error,
    choose: (next) => {
      // The page switches first (the catalogue may need a fetch); then the server keeps the choice.
      void setLocale(next, { remember: true }).then(() => save.mutate(next));
    },
  };
}
