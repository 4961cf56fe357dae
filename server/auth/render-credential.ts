import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Role } from '../../contract/session.schema.js';
import type { ActiveSession } from '../policies/principal.js';

/**
 * The render credential (docs/exports.md, "Dashboard PDF"): what the worker's headless Chromium
 * carries when it opens a dashboard in print mode for a PDF job. It stands for one user of one
 * organisation, for one dashboard, for a couple of minutes, and only for reading: the authentication
 * hook accepts it on RENDER_ROUTES alone, for the dashboard it names, and never with a cookie session.
 *
 * Stateless (an HMAC over the claims with a key derived from the session secret) because the worker
 * mints it and the web process checks it; the secret is shared by both through the environment.
 */
export const RENDER_HEADER = 'x-trellis-render';
export const RENDER_CREDENTIAL_TTL_MS = 2 * 60_000;
const PREFIX = 'trr1.';
/** Longer than any credential this module mints; anything longer is not parsed at all. */
const MAX_LENGTH = 2_000;

/** The routes a render credential may call: the dashboard definition, filter options, widget data. */
export const RENDER_ROUTES: ReadonlySet<string> = new Set([
  'GET /api/v1/dashboards/:dashboard',
  'GET /api/v1/dashboards/:dashboard/filters/:filter/options',
  'POST /api/v1/dashboards/:dashboard/widgets/:widget/data',
]);

export interface RenderClaims {
  readonly purpose: 'dashboard-pdf';
  readonly user: { readonly id: string; readonly email: string };
  readonly organisation: { readonly id: string; readonly slug: string; readonly name: string };
  readonly role: Role;
  readonly dashboard: string;
  readonly issuedAt: number;
  readonly expiresAt: number;
}

function keyOf(secret: string): Buffer {
  // A key of its own, so a render credential's MAC is never a valid CSRF token or the reverse.
  return createHmac('sha256', secret).update('trellis render credential v1').digest();
}

function sign(secret: string, body: string): string {
  return createHmac('sha256', keyOf(secret)).update(body).digest('base64url');
}

export function mintRenderCredential(
  secret: string,
  claims: Omit<RenderClaims, 'purpose' | 'issuedAt' | 'expiresAt'>,
  now: number,
  ttlMs: number = RENDER_CREDENTIAL_TTL_MS,
): string {
  const full: RenderClaims = { purpose: 'dashboard-pdf', ...claims, issuedAt: now, expiresAt: now + ttlMs };
  const body = Buffer.from(JSON.stringify(full)).toString('base64url');
  return `${PREFIX}${body}.${sign(secret, body)}`;
}

export type RenderCheck =
  | { readonly ok: true; readonly claims: RenderClaims }
  | { readonly ok: false; readonly reason: 'malformed' | 'signature' | 'expired' };

/** Checks the MAC first (constant time), then the claims' shape and expiry. */
export function verifyRenderCredential(secret: string, value: string, now: number): RenderCheck {
  if (value.length > MAX_LENGTH || !value.startsWith(PREFIX)) return { ok: false, reason: 'malformed' };
  const parts = value.slice(PREFIX.length).split('.');
  if (parts.length !== 2 || !/^[A-Za-z0-9_-]+$/.test(parts[0]!) || !/^[A-Za-z0-9_-]{43}$/.test(parts[1]!))
    return { ok: false, reason: 'malformed' };
  const [body, mac] = parts as [string, string];
  const expected = Buffer.from(sign(secret, body));
  if (!timingSafeEqual(expected, Buffer.from(mac))) return { ok: false, reason: 'signature' };
  let claims: RenderClaims;
  try {
    claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as RenderClaims;
  } catch {
    return { ok: false, reason: 'malformed' }; // signed by us, so never reached unless the format changes
  }
  if (claims.purpose !== 'dashboard-pdf' || typeof claims.expiresAt !== 'number')
    return { ok: false, reason: 'malformed' };
  if (now >= claims.expiresAt) return { ok: false, reason: 'expired' };
  return { ok: true, claims };
}

/** The principal a render request acts as: the requester, bounded by the hook to RENDER_ROUTES. */
export function renderPrincipal(claims: RenderClaims, mac: string): ActiveSession {
  return {
    idHash: `render:${mac}`,
    user: claims.user,
    organisation: claims.organisation,
    role: claims.role,
    createdAt: claims.issuedAt,
    lastSeenAt: claims.issuedAt,
    expiresAt: claims.expiresAt,
  };
}
