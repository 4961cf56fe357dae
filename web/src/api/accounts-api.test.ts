import { describe, expect, it } from 'vitest';
import { auditQueryString } from '../app/filters/audit-filters.js';
import { accountsApi } from './accounts-api.js';
import { ApiClient } from './api-client.js';

interface Call {
  url: string;
  method: string | undefined;
  body: unknown;
}

function fakeApi(respond: (call: Call) => Response) {
  const calls: Call[] = [];
  const client = new ApiClient('/api/v1', async (url, init) => {
    const call = { url, method: init?.method, body: init?.body ? JSON.parse(String(init.body)) : undefined };
    calls.push(call);
    return respond(call);
  });
  return { api: accountsApi(client), calls };
}
const noContent = () => new Response(null, { status: 204 });
const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

describe('the accounts API client', () => {
  it('calls each endpoint of the contract with its method, path and body', async () => {
    const { api, calls } = fakeApi((c) => (c.method === 'DELETE' ? noContent() : json({})));
    await api.login({ email: 'a@b.c', password: 'pw' });
    await api.logout();
    await api.switchOrganisation('org 2');
    await api.revokeSession('s/1');
    await api.revokeOtherSessions();
    await api.createToken({ name: 'ci', role: 'viewer', expiresInDays: 30 });
    await api.revokeToken('t1');
    await api.invite({ email: 'n@b.c', role: 'editor' });
    await api.revokeInvitation('i/1');
    await api.updateMember('u1', { disabled: true });
    await api.removeMember('u1');
    await api.resetPassword('u1', { password: 'a long new password' });
    await api.renameOrganisation('Acme');
    await api.audit(auditQueryString({ action: 'login' }, 'c1'));
    expect(calls.map((c) => `${c.method} ${c.url}`)).toEqual([
      'POST /api/v1/session',
      'DELETE /api/v1/session',
      'POST /api/v1/session/organisation',
      'DELETE /api/v1/session/sessions/s%2F1',
      'DELETE /api/v1/session/sessions',
      'POST /api/v1/tokens',
      'DELETE /api/v1/tokens/t1',
      'POST /api/v1/admin/invitations',
      'DELETE /api/v1/admin/invitations/i%2F1',
      'PATCH /api/v1/admin/members/u1',
      'DELETE /api/v1/admin/members/u1',
      'POST /api/v1/admin/members/u1/password',
      'PATCH /api/v1/admin/organisation',
      'GET /api/v1/audit?action=login&cursor=c1&limit=100',
    ]);
    expect(calls[2]?.body).toEqual({ organisationId: 'org 2' });
    expect(calls[5]?.body).toEqual({ name: 'ci', role: 'viewer', expiresInDays: 30 });
    expect(calls[7]?.body).toEqual({ email: 'n@b.c', role: 'editor' });
    expect(calls[9]?.body).toEqual({ disabled: true });
    expect(calls[12]?.body).toEqual({ name: 'Acme' });
  });

  it('answers a 204 with undefined and passes error bodies on as ApiError', async () => {
    const { api } = fakeApi((c) =>
      c.url.endsWith('/tokens')
        ? json({ error: 'VALIDATION_FAILED', message: 'bad', requestId: 'r1' }, 400)
        : noContent(),
    );
    await expect(api.revokeOtherSessions()).resolves.toBeUndefined();
    await expect(api.createToken({ name: 'x', role: 'admin', expiresInDays: 1 })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      status: 400,
      requestId: 'r1',
    });
  });

  it('still refuses a 200 without a JSON body', async () => {
    const { api } = fakeApi(() => new Response('', { status: 200 }));
    await expect(api.members()).rejects.toMatchObject({ code: 'BAD_RESPONSE' });
  });
});
