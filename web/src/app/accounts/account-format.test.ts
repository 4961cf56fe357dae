import { describe, expect, it } from 'vitest';
import { ApiError } from '../../api/api-error.js';
import {
  describeUserAgent,
  formatAuditDetail,
  formatDateTime,
  formatRelative,
  tokenState,
} from './account-format.js';
import { authRedirectFor } from '../routing/auth-redirect.js';
import { loginErrorMessage } from './login-error.js';
import { passwordProblem } from './password-rules.js';

const NOW = new Date('2026-01-05T12:00:00Z');
const err = (status: number, code: string, message = 'm') =>
  new ApiError({ status, code, message, requestId: 'r' });

describe('account formatting', () => {
  it('names devices from user agents', () => {
    expect(
      describeUserAgent(
        'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
      ),
    ).toBe('Chrome on Linux');
    expect(
      describeUserAgent(
        'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_1) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15',
      ),
    ).toBe('Safari on macOS');
    expect(
      describeUserAgent('Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0'),
    ).toBe('Firefox on Windows');
    expect(
      describeUserAgent(
        'Mozilla/5.0 (Windows NT 10.0) AppleWebKit/537.36 Chrome/131.0 Safari/537.36 Edg/131.0',
      ),
    ).toBe('Edge on Windows');
    expect(describeUserAgent('curl/8.5.0')).toBe('curl');
    expect(describeUserAgent(null)).toBe('Unknown device');
    expect(describeUserAgent('x'.repeat(80))).toBe(`${'x'.repeat(40)}…`);
  });

  it('says how far a time is, both ways', () => {
    expect(formatRelative('2026-01-08T12:00:00Z', NOW)).toBe('in 3 days');
    expect(formatRelative('2026-01-05T13:00:00Z', NOW)).toBe('in 1 hour');
    expect(formatRelative('2026-01-05T11:55:00Z', NOW)).toBe('5 minutes ago');
    expect(formatRelative('2026-01-05T12:00:20Z', NOW)).toBe('in under a minute');
    expect(formatRelative('nonsense', NOW)).toBe('—');
  });

  it('formats absent and broken times as a dash', () => {
    expect(formatDateTime(null)).toBe('—');
    expect(formatDateTime('not a date')).toBe('—');
    expect(formatDateTime('2026-01-05T09:00:00Z', 'en-GB')).toMatch(/2026/);
  });

  it('gives a token its state, revoked before expired', () => {
    expect(tokenState({ expiresAt: '2026-02-01T00:00:00Z', revokedAt: null }, NOW)).toBe('active');
    expect(tokenState({ expiresAt: '2026-01-01T00:00:00Z', revokedAt: null }, NOW)).toBe('expired');
    expect(tokenState({ expiresAt: '2026-01-01T00:00:00Z', revokedAt: '2025-12-01T00:00:00Z' }, NOW)).toBe(
      'revoked',
    );
  });

  it('writes audit details compactly and bounded', () => {
    expect(formatAuditDetail({ role: 'admin', n: 2, tags: ['a'] })).toBe('role: admin, n: 2, tags: ["a"]');
    expect(formatAuditDetail({})).toBe('');
    expect(formatAuditDetail({ long: 'x'.repeat(500) }, 20)).toHaveLength(20);
  });

  it('checks passwords like the server', () => {
    expect(passwordProblem('short')).toMatch(/12/);
    expect(passwordProblem('aaaaaaaaaaaaaaaa')).toMatch(/different/);
    expect(passwordProblem('correct horse battery')).toBeUndefined();
    expect(passwordProblem('x'.repeat(1025))).toMatch(/1,024/);
  });
});

describe('signed-out handling', () => {
  const at = { pathname: '/admin/audit', search: '?action=login' };
  it('sends UNAUTHENTICATED answers to the login page, and back afterwards', () => {
    expect(authRedirectFor(err(401, 'UNAUTHENTICATED'), at)).toBe(
      '/login?next=%2Fadmin%2Faudit%3Faction%3Dlogin',
    );
  });
  it('leaves every other failure to the page', () => {
    expect(authRedirectFor(err(401, 'INVALID_CREDENTIALS'), at)).toBeUndefined();
    expect(authRedirectFor(err(403, 'FORBIDDEN'), at)).toBeUndefined();
    expect(authRedirectFor(err(500, 'INTERNAL'), at)).toBeUndefined();
    expect(authRedirectFor(new Error('x'), at)).toBeUndefined();
    expect(authRedirectFor(err(401, 'UNAUTHENTICATED'), { pathname: '/login', search: '' })).toBeUndefined();
  });
  it('words login failures without saying which part was wrong', () => {
    expect(loginErrorMessage(err(401, 'INVALID_CREDENTIALS'))).toBe(
      'The email address or password is not right.',
    );
    expect(loginErrorMessage(err(429, 'LOGIN_THROTTLED'))).toMatch(/Too many failed sign-in attempts/);
    expect(loginErrorMessage(err(429, 'TOO_MANY_ATTEMPTS'))).toMatch(/wait/);
    expect(loginErrorMessage(err(503, 'NOT_READY', 'Starting'))).toBe('Starting');
  });
});
