import { createHash, randomBytes } from 'node:crypto';

/** 256 random bits, the cookie value. Only its hash is stored. */
export function newSessionToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Tokens have 256 bits of entropy, so a fast unsalted hash is enough (no dictionary to attack). */
export function hashSessionToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** A well-formed token: 32 bytes in base64url without padding. Anything else is not looked up. */
export function isWellFormedToken(value: string): boolean {
  return /^[A-Za-z0-9_-]{43}$/.test(value);
}
