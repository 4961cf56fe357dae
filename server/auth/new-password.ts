import { TrellisError } from '../errors.js';
import { checkNewPassword, hashPassword, WeakPasswordError } from './passwords.js';

/** A new password checked (WEAK_PASSWORD with the reason) and hashed, for the HTTP API. */
export async function hashNewPassword(password: string): Promise<string> {
  try {
    checkNewPassword(password);
  } catch (err) {
    if (err instanceof WeakPasswordError)
      throw new TrellisError('WEAK_PASSWORD', { message: `The ${err.message}.` });
    throw err;
  }
  return hashPassword(password);
}
