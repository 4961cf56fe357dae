import { z } from 'zod';
import { LOCALES } from './locale.js';

export const locale = z.enum(LOCALES);

/** PUT /api/v1/session/locale: the signed-in user's language, kept with the user. */
export const localeRequest = z.object({ locale }).strict();
export type LocaleRequest = z.infer<typeof localeRequest>;
