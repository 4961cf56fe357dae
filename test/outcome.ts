import { TrellisError } from '../server/errors.js';

/**
 * How a promise settled, as one comparable string: 'ok', the catalogue code of a TrellisError, or
 * `raw: <message>` for anything else (so a raw driver error shows up in a failed assertion as itself).
 */
export async function outcome(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (err) {
    return err instanceof TrellisError
      ? err.code
      : `raw: ${err instanceof Error ? err.message : String(err)}`;
  }
}

/** The TrellisError a promise rejects with (anything else, or no rejection, fails the test here). */
export async function trellisFailure(p: Promise<unknown>): Promise<TrellisError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof TrellisError)) throw new Error(`expected a TrellisError, got ${String(err)}`);
  return err;
}
