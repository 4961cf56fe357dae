import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiClient, readCsrfCookie } from './api-client.js';
import { ApiError } from './api-error.js';

interface Call {
  url: string;
  init: RequestInit | undefined;
}

function fakeFetch(respond: (call: Call) => Response | Promise<Response>) {
  const calls: Call[] = [];
  const client = new ApiClient('/api/v1', async (url, init) => {
    const call = { url, init };
    calls.push(call);
    return respond(call);
  });
  return { client, calls };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

describe('ApiClient', () => {
  it('posts widget data requests with filters, page and sort, and passes the AbortSignal on', async () => {
    const { client, calls } = fakeFetch(() => json(200, { widget: 'w', columns: [], rows: [], meta: {} }));
    const controller = new AbortController();
    await client.widgetData(
      'over view',
      'w/1',
      {
        filters: { status: ['A'] },
        page: { offset: 10, limit: 10 },
        sort: { column: 'x', direction: 'desc' },
      },
      controller.signal,
    );
    const call = calls[0];
    expect(call?.url).toBe('/api/v1/dashboards/over%20view/widgets/w%2F1/data');
    expect(call?.init?.method).toBe('POST');
    expect(call?.init?.signal).toBe(controller.signal);
    expect(JSON.parse(String(call?.init?.body))).toEqual({
      filters: { status: ['A'] },
      page: { offset: 10, limit: 10 },
      sort: { column: 'x', direction: 'desc' },
    });
  });

  it('omits page and sort when not given', async () => {
    const { client, calls } = fakeFetch(() => json(200, { rows: [] }));
    await client.widgetData('d', 'w', { filters: {} });
    expect(JSON.parse(String(calls[0]?.init?.body))).toEqual({ filters: {} });
  });

  it('builds the options query string', async () => {
    const { client, calls } = fakeFetch(() => json(200, { filter: 'f', options: [], more: false }));
    await client.filterOptions('d', 'f', { search: 'a b&c', limit: 50 });
    await client.filterOptions('d', 'f', {});
    expect(calls[0]?.url).toBe('/api/v1/dashboards/d/filters/f/options?search=a+b%26c&limit=50');
    expect(calls[1]?.url).toBe('/api/v1/dashboards/d/filters/f/options');
  });

  it('turns the error body into an ApiError with code, message and request id', async () => {
    const { client } = fakeFetch(() =>
      json(400, {
        error: 'INVALID_FILTER_VALUE',
        message: 'filters.status: bad',
        requestId: 'req-1',
        issues: [{ path: 'filters.status', message: 'bad' }],
      }),
    );
    const err = await client.getDashboard('d').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({
      code: 'INVALID_FILTER_VALUE',
      message: 'filters.status: bad',
      requestId: 'req-1',
      status: 400,
      issues: [{ path: 'filters.status', message: 'bad' }],
      transient: false,
    });
  });

  it('reports a non-JSON error page with its status and the request id header', async () => {
    const { client } = fakeFetch(
      () => new Response('<html>Bad gateway</html>', { status: 502, headers: { 'x-request-id': 'rid-9' } }),
    );
    const err = await client.listDashboards().catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'BAD_RESPONSE', status: 502, requestId: 'rid-9', transient: true });
  });

  it('reports an unreachable server as a transient NETWORK_ERROR', async () => {
    const { client } = fakeFetch(() => Promise.reject(new TypeError('fetch failed')));
    const err = await client.listDashboards().catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'NETWORK_ERROR', status: 0, transient: true });
  });

  it('lets an abort through untouched, so the query layer sees a cancellation, not a failure', async () => {
    const controller = new AbortController();
    const abortError = new DOMException('aborted', 'AbortError');
    const { client } = fakeFetch(() => {
      controller.abort();
      return Promise.reject(abortError);
    });
    const err = await client.listDashboards(controller.signal).catch((e: unknown) => e);
    expect(err).toBe(abortError);
  });
});

describe('CSRF header', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('reads the token from trellis_csrf or __Host-trellis_csrf, nothing else', () => {
    expect(readCsrfCookie('a=1; trellis_csrf=abc_-9; b=2')).toBe('abc_-9');
    expect(readCsrfCookie('__Host-trellis_csrf=xyz')).toBe('xyz');
    expect(readCsrfCookie('trellis_csrf_other=no; x_trellis_csrf=no')).toBeUndefined();
    expect(readCsrfCookie('trellis_csrf=')).toBeUndefined();
    expect(readCsrfCookie('')).toBeUndefined();
  });

  it('sends x-csrf-token on POST (widget data) from the cookie, never on GET', async () => {
    vi.stubGlobal('document', { cookie: 'trellis_csrf=tok123' });
    const { client, calls } = fakeFetch((call) =>
      call.init?.method === 'POST'
        ? json(200, { widget: 'w', columns: [], rows: [], meta: {} })
        : json(200, { dashboards: [] }),
    );
    await client.widgetData('d', 'w', { filters: {} });
    await client.listDashboards();
    expect((calls[0]?.init?.headers as Record<string, string>)['x-csrf-token']).toBe('tok123');
    expect(calls[1]?.init?.headers as Record<string, string>).not.toHaveProperty('x-csrf-token');
  });
});
