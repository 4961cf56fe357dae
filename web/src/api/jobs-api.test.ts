import { describe, expect, it } from 'vitest';
import { ApiClient } from './api-client.js';
import { isApiError } from './api-error.js';
import { jobsApi, queryString } from './jobs-api.js';

function fakeApi(respond: (url: string, method: string | undefined) => Response) {
  const calls: { url: string; method: string | undefined; body: unknown }[] = [];
  const client = new ApiClient('/api/v1', async (url, init) => {
    calls.push({ url, method: init?.method, body: init?.body ? JSON.parse(String(init.body)) : undefined });
    return respond(url, init?.method);
  });
  return { api: jobsApi(client), calls };
}
const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

describe('the jobs API client', () => {
  it('calls each endpoint of the contract with its method, path and body', async () => {
    const { api, calls } = fakeApi(() => json({}));
    await api.pipelines();
    await api.startRun('ct gov');
    await api.startRun('ctgov', { queueIfRunning: true });
    await api.runs('ctgov', { limit: 20 });
    await api.runs('ctgov', { limit: 20, cursor: 'c/1' });
    await api.run('r/1');
    await api.logs('r1', {});
    await api.logs('r1', { after: 0, limit: 200 });
    await api.cancel('r1');
    expect(calls.map((c) => `${c.method} ${c.url}`)).toEqual([
      'GET /api/v1/pipelines',
      'POST /api/v1/pipelines/ct%20gov/runs',
      'POST /api/v1/pipelines/ctgov/runs',
      'GET /api/v1/pipelines/ctgov/runs?limit=20',
      'GET /api/v1/pipelines/ctgov/runs?limit=20&cursor=c%2F1',
      'GET /api/v1/runs/r%2F1',
      'GET /api/v1/runs/r1/logs',
      'GET /api/v1/runs/r1/logs?after=0&limit=200',
      'POST /api/v1/runs/r1/cancel',
    ]);
    expect(calls[1]?.body).toEqual({});
    expect(calls[2]?.body).toEqual({ queueIfRunning: true });
    expect(api.eventsUrl()).toBe('/api/v1/runs/events');
  });

  it('turns the 409 of a pipeline already running into an ApiError with its code and message', async () => {
    const { api } = fakeApi(() =>
      json(
        {
          error: 'PIPELINE_ALREADY_RUNNING',
          message: 'ClinicalTrials.gov is already running.',
          requestId: 'q1',
        },
        409,
      ),
    );
    const err: unknown = await api.startRun('ctgov').catch((e: unknown) => e);
    expect(isApiError(err) && [err.status, err.code, err.message]).toEqual([
      409,
      'PIPELINE_ALREADY_RUNNING',
      'ClinicalTrials.gov is already running.',
    ]);
  });

  it('builds query strings from defined values only', () => {
    expect(queryString({})).toBe('');
    expect(queryString({ a: undefined })).toBe('');
    expect(queryString({ after: 0, cursor: 'x y' })).toBe('?after=0&cursor=x+y');
  });
});
