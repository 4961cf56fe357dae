import { randomBytes } from 'node:crypto';
import { hash, verify, type Algorithm, type Options } from '@node-rs/argon2';
import { PasswordWorkGate, type PasswordWorkLimits } from './password-work.js';

/**
 * argon2id at OWASP's first recommended setting (m = 19 MiB, t = 2, p = 1). The parameters are
 * stored in each hash, so raising them later still verifies old hashes.
 */
export const ARGON2_OPTIONS: Readonly<Options> = {
  algorithm: 2 satisfies Algorithm.Argon2id,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
};

/** What new hashes use: ARGON2_OPTIONS, unless a test lowered it (see lowerPasswordCostForTests). */
let hashOptions: Options = ARGON2_OPTIONS;

/**
 * For property tests that hash thousands of passwords: argon2id at a minimal cost (1 MiB, t = 1), still a real argon2id hash that verifies. Nothing in the server calls this; a hash
 * made so states its parameters, so verifying it later works at any setting.
 */
export function lowerPasswordCostForTests(): void {
  hashOptions = { ...ARGON2_OPTIONS, memoryCost: 1024, timeCost: 1 };
}

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

/**
 * Until `limitPasswordWork` is called (serve does, from the configuration): libuv's default pool of
 * 4 threads, half of them for argon2.
 */
const DEFAULT_LIMITS: PasswordWorkLimits = { concurrency: 2, maxQueued: 100, maxWaitMs: 10_000 };

/**
 * One gate per process, not per app: argon2 runs on the process's one libuv pool, which every app
 * and CLI command in the process shares.
 */
let gate = new PasswordWorkGate(DEFAULT_LIMITS);

/** Sets the bound on concurrent argon2 work (see PasswordWorkGate); operations already admitted finish. */
export function limitPasswordWork(limits: PasswordWorkLimits): void {
  gate = new PasswordWorkGate(limits);
}

/** The gate in force, for tests and metrics. */
export function passwordWork(): PasswordWorkGate {
  return gate;
}

/** Hashes through the gate: SIGN_IN_BUSY when too much argon2 work is already waiting. */
export function hashPassword(password: string): Promise<string> {
  return gate.run(() => hash(password, hashOptions));
}

/** Verifies through the gate: SIGN_IN_BUSY when too much argon2 work is already waiting. */
export function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  return gate.run(() => verify(passwordHash, password));
}

let dummy: Promise<string> | undefined;

/**
 * A hash of a random password with the same parameters, verified when the account does not exist,
 * so "no such user" costs the same time as "wrong password" and timing reveals no accounts.
 */
export function dummyPasswordHash(): Promise<string> {
  // Not through the gate: made once per process, and a refusal must not be remembered.
  dummy ??= hash(randomBytes(32).toString('base64url'), hashOptions);
  return dummy;
}
