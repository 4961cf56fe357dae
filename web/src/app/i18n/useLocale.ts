import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { isLocale, type Locale } from '../../../../contract/locale.js';
import { setLocaleMutation } from '../../api/accounts-mutations.js';
import { useSession } from '../../hooks/useSession.js';
import { currentLocale, setLocale } from './i18n.js';

/**
 * Follows the signed-in user's saved language (the session says it; another browser may have changed
 * it). Called once, in App.
 */
export function useSessionLocale(): void {
  const session = useSession();
  const wanted = session.data?.locale;
  // Only when the session's answer changes (sign-in, another organisation, a refetch after another
  // browser chose): a choice made here must not be undone by the cached answer it is replacing.
  const applied = useRef<string | undefined>(undefined);
  useEffect(() => {
    if (!wanted || wanted === applied.current) return;
    applied.current = wanted;
    if (wanted !== currentLocale()) void setLocale(wanted, { remember: true });
  }, [wanted]);
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
  // The choice shows at once, while another language's catalogue is still on its way.
  const [pending, setPending] = useState<Locale | null>(null);
  const locale = pending ?? (isLocale(i18n.language) ? i18n.language : 'en');
  return {
    locale,
    error: save.error,
    choose: (next) => {
      // The page switches first (the catalogue may need a fetch); then the server keeps the choice.
      setPending(next);
      void setLocale(next, { remember: true })
        .then(() => save.mutate(next))
        .finally(() => setPending(null));
    },
  };
}
