import { isLocale, type Locale } from '../../contract/locale.js';
import type { Store } from '../store/store.js';

/**
 * A person's own settings, kept with the user (not the organisation: the same person reads every
 * organisation in one language). Keyed only by the caller's user id from the session, so nobody can
 * read or change another person's row; it holds nothing of any organisation's data.
 */
export class UserSettingsService {
  constructor(
    private readonly store: Store,
    private readonly now: () => number = Date.now,
  ) {}

  /** The saved language, or null when the user never chose one (the browser's Accept-Language decides). */
  async locale(userId: string): Promise<Locale | null> {
    const row = await this.store.db
      .selectFrom('user_settings')
      .select('locale')
      .where('user_id', '=', userId)
      .executeTakeFirst();
    // A tag this build no longer speaks (a language removed) reads as "not chosen", never as an error.
    return isLocale(row?.locale) ? row.locale : null;
  }

  async setLocale(userId: string, locale: Locale): Promise<void> {
    const at = this.now();
    await this.store.db
      .insertInto('user_settings')
      .values({ user_id: userId, locale, updated_at: at })
      .onConflict((oc) => oc.column('user_id').doUpdateSet({ locale, updated_at: at }))
      .execute();
  }
}
