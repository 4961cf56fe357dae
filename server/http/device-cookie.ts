import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { readCookie } from './session-cookie.js';

/** A year: a device that signed in once stays known unless its cookie is cleared. */
const DEVICE_MAX_AGE_SECONDS = 365 * 24 * 3600;

/**
 * The device cookie (OWASP "slow down online guessing with device cookies"): after a successful
 * sign-in the browser gets `<nonce>.<hmac(secret, email, nonce)>`. Presented with a later sign-in to
 * the same account, it proves the attempt comes from a browser that knew the password before, so the
 * account-wide lock (which anyone can trigger by guessing) does not apply to it (login-throttle.ts).
 * HttpOnly; `__Host-` over https. It names no user: the HMAC binds it to one e-mail address.
 */
export function deviceCookieName(secure: boolean): string {
  return secure ? '__Host-trellis_device' : 'trellis_device';
}

function mac(secret: string, email: string, nonce: string): string {
  return createHmac('sha256', secret).update(`device:${email}:${nonce}`).digest('base64url');
}

/** The device's nonce when the request carries a valid device cookie for `email`, else null. */
export function knownDevice(
  request: FastifyRequest,
  secure: boolean,
  secret: string,
  email: string,
): string | null {
  const value = readCookie(request.headers.cookie, deviceCookieName(secure));
  if (value === undefined || value.length > 200) return null;
  const match = /^([0-9a-f]{32})\.([A-Za-z0-9_-]{43})$/.exec(value);
  if (!match) return null;
  const [, nonce = '', sent = ''] = match;
  const expected = Buffer.from(mac(secret, email, nonce));
  const given = Buffer.from(sent);
  return given.length === expected.length && timingSafeEqual(given, expected) ? nonce : null;
}

/** Marks this browser as a known device of `email` (keeps its nonce when it already was one). */
export function setDeviceCookie(
  reply: FastifyReply,
  options: { secure: boolean; secret: string; email: string; nonce: string | null },
): void {
  const nonce = options.nonce ?? randomBytes(16).toString('hex');
  const parts = [
    `${deviceCookieName(options.secure)}=${nonce}.${mac(options.secret, options.email, nonce)}`,
    'Path=/',
    'HttpOnly',
    'SameSite=Lax',
    `Max-Age=${DEVICE_MAX_AGE_SECONDS}`,
  ];
  if (options.secure) parts.push('Secure');
  // Appended after the session and CSRF cookies (reply.header with set-cookie adds, never replaces).
  reply.header('set-cookie', parts.join('; '));
}
