import { QueryClient } from '@tanstack/react-query';
import { describe, expect, it } from 'vitest';
import type { SessionInfo } from '../../../contract/index.js';
import { accountKeys, endSession, replaceSession } from './accounts-queries.js';
import { queryKeys } from './queries.js';

const session = (org: string): SessionInfo => ({
  user: { id: 'u1', email: 'a@b.c' },
  organisation: { id: org, slug: org, name: org },
  role: 'admin',
  abilities: ['members:manage'],
  expiresAt: '2026-01-05T21:00:00Z',
  locale: 'en',
  idleTimeoutSeconds: 1800,
  csrfToken: 'csrf',
});

function filled() {
  const client = new QueryClient();
  client.setQueryData(accountKeys.session(), session('acme'));
  client.setQueryData(accountKeys.members(), { members: [{ email: 'acme-only' }] });
  client.setQueryData(queryKeys.dashboards(), { dashboards: ['acme data'] });
  return client;
}

describe('session changes in the query cache', () => {
  it('a new session keeps nothing of the old organisation but the new session itself', () => {
    const client = filled();
    replaceSession(client, session('globex'));
    expect(client.getQueryData(accountKeys.session())).toMatchObject({ organisation: { id: 'globex' } });
    expect(client.getQueryData(accountKeys.members())).toBeUndefined();
    expect(client.getQueryData(queryKeys.dashboards())).toBeUndefined();
  });

  it('signing out forgets everything, the session included', () => {
    const client = filled();
    endSession(client);
    expect(client.getQueryData(accountKeys.members())).toBeUndefined();
    expect(client.getQueryData(queryKeys.dashboards())).toBeUndefined();
    expect(client.getQueryData(accountKeys.session())).toBeUndefined();
  });
});
