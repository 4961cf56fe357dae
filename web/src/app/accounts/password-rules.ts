/**
 * The password rule the server applies (contract: 12–1,024 characters; the CLI also wants more than
 * 3 distinct characters), checked before sending so the form can say what is wrong as one types.
 * The server checks again; its answer is shown as well.
 */
export function passwordProblem(password: string): string | undefined {
  if (password.length < 12) return 'At least 12 characters.';
  if (password.length > 1024) return 'At most 1,024 characters.';
  if (new Set(password).size <= 3) return 'Use more than 3 different characters.';
  return undefined;
}
