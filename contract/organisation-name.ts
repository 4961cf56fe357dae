import { z } from 'zod';

export const MAX_ORGANISATION_NAME = 120;

/**
 * Characters an organisation name may not hold: C0/C1 controls (NUL, newlines, escape), the bidi
 * controls that reorder what is shown (U+202E makes "moc.elpmaxe" read as "example.com"), zero-width
 * and separator characters that hide or break lines, and `<` `>` (a name is shown in pages, e-mails
 * and CSV exports; no markup belongs in one).
 */
// eslint-disable-next-line no-control-regex
const FORBIDDEN = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff<>]/u;

/** The name as stored (NFC, trimmed), or why it is refused. */
export function normaliseOrganisationName(
  raw: string,
): { readonly ok: true; readonly name: string } | { readonly ok: false; readonly problem: string } {
  const name = raw.normalize('NFC').trim();
  if (!name) return { ok: false, problem: 'an organisation name must not be empty' };
  if ([...name].length > MAX_ORGANISATION_NAME)
    return { ok: false, problem: `an organisation name has at most ${MAX_ORGANISATION_NAME} characters` };
  const bad = FORBIDDEN.exec(name)?.[0];
  if (bad !== undefined)
    return {
      ok: false,
      problem: `an organisation name must not contain control, bidi or invisible characters, < or > (found U+${(bad.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')})`,
    };
  return { ok: true, name };
}

/** An organisation's display name on the wire: normalised, then refused with a clear issue if unsafe. */
export const organisationName = z.string().transform((raw, ctx) => {
  const checked = normaliseOrganisationName(raw);
  if (checked.ok) return checked.name;
  ctx.addIssue({ code: 'custom', message: checked.problem });
  return z.NEVER;
});
