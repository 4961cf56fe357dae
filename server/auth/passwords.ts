import { randomBytes } from 'node:crypto';
import { hash, verify, type Algorithm, type Options } from '@node-rs/argon2';

/**
 * argon2id at OWASP's first recommended setting (m = 19 MiB, t = 2, p = 1). The parameters are
 * stored in each hash, so raising them later still verifies old hashes.
 */
export const ARGON2_OPTIONS: Options = {
  algorithm: 2 satisfies Algorithm.Argon2id,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
};

export const MIN_PASSWORD_LENGTH = 12;
/** argon2 itself has no limit; this one keeps a megabyte "password" from costing a megabyte of hashing. */
export const MAX_PASSWORD_LENGTH = 1024;

export class WeakPasswordError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'WeakPasswordError';
  }
}

/** The rules a new password must meet; length is what matters (NIST SP 800-63B), not character classes. */
export function checkNewPassword(password: string): void {
  if ([...password].length < MIN_PASSWORD_LENGTH)
    throw new WeakPasswordError(`the password must have at least ${MIN_PASSWORD_LENGTH} characters`);
  if (password.length > MAX_PASSWORD_LENGTH)
    throw new WeakPasswordError(`the password must have at most ${MAX_PASSWORD_LENGTH} characters`);
  if (new Set(password).size < 4) throw new WeakPasswordError('the password repeats too few characters');
}

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2_OPTIONS);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  return verify(passwordHash, password);
}

let dummy: Promise<string> | undefined;

/**
 * A hash of a random password with the same parameters, verified when the account does not exist,
 * so "no such user" costs the same time as "wrong password" and timing reveals no accounts.
 */
export function dummyPasswordHash(): Promise<string> {
  dummy ??= hashPassword(randomBytes(32).toString('base64url'));
  return dummy;
}
