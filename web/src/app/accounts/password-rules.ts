/**
 * The password rule the server applies (contract: 12–1,024 characters; the CLI also wants more than
 * 3 distinct characters), checked before sending so the form can say what is wrong as one types.
 * The server checks again; its answer is shown as well.
 */
export type PasswordRule = 'tooShort' | 'tooLong' | 'tooSimple';

const ENGLISH: Record<PasswordRule, string> = {
  tooShort: 'At least 12 characters.',
  tooLong: 'At most 1,024 characters.',
  tooSimple: 'Use more than 3 different characters.',
};

/** The problem in words (the pages pass the catalogue's, passwordRules.<rule>), or undefined. */
export function passwordProblem(
  password: string,
  say: (rule: PasswordRule) => string = (rule) => ENGLISH[rule],
): string | undefined {
  if (password.length < 12) return say('tooShort');
  if (password.length > 1024) return say('tooLong');
  if (new Set(password).size <= 3) return say('tooSimple');
  return undefined;
}
