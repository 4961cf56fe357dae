import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { HttpSpec, Pipeline } from '../../config/project/pipeline.types.js';
import { backoffDelay } from '../../resilience/backoff.js';
import { fetchPage, RateLimiter, requestBackoff, retryAfterMs } from './http-fetcher.js';
import { firstCursor, nextCursor, nextLink, pageUrl } from './pagination.js';
import { coerce, declarativeMapper, MappingError, readPath, transformMapper } from './row-mapping.js';

const spec = (over: Partial<HttpSpec> = {}): HttpSpec => ({
  url: 'https://api.example.com/v1/things',
  urlEnv: null,
  params: { per_page: '50' },
  headers: {},
  pagination: { type: 'link' },
  items: '$',
  total: null,
  rateLimit: null,
  concurrency: 1,
  timeoutMs: 1000,
  retries: 2,
  backoffMs: 1,
  maxBackoffMs: 5,
  maxPages: 10,
  maxPageBytes: 1024,
  ...over,
});

describe('pagination', () => {
  it('builds page URLs for tokens, offsets and pages, with the pipeline and incremental parameters', () => {
    const token = spec({ pagination: { type: 'token', param: 'pageToken', next: 'next' } });
    expect(pageUrl(token.url, token, { since: '2024-01-01' }, firstCursor(token)).search).toBe(
      '?per_page=50&since=2024-01-01',
    );
    expect(pageUrl(token.url, token, {}, { kind: 'token', token: 'a b' }).search).toBe(
      '?per_page=50&pageToken=a+b',
    );
    const offset = spec({ pagination: { type: 'offset', param: 'offset', limit_param: 'limit', limit: 50 } });
    expect(pageUrl(offset.url, offset, {}, { kind: 'offset', offset: 100 }).search).toBe(
      '?per_page=50&offset=100&limit=50',
    );
    expect(nextCursor(offset, offset.url, { kind: 'offset', offset: 100 }, [], 50, null)).toEqual({
      kind: 'offset',
      offset: 150,
    });
    expect(nextCursor(offset, offset.url, { kind: 'offset', offset: 100 }, [], 49, null)).toBeNull();
    const page = spec({
      pagination: { type: 'page', param: 'page', start: 1, size_param: 'size', size: 20 },
    });
    expect(firstCursor(page)).toEqual({ kind: 'page', page: 1 });
    expect(nextCursor(page, page.url, { kind: 'page', page: 3 }, [], 20, null)).toEqual({
      kind: 'page',
      page: 4,
    });
    expect(nextCursor(token, token.url, { kind: 'token', token: null }, { next: '' }, 50, null)).toBeNull();
  });

  it('follows rel="next" links on the same site only', () => {
    const s = spec();
    const header =
      '<https://api.example.com/v1/things?page=2>; rel="next", <https://api.example.com/v1/things?page=9>; rel="last"';
    expect(nextLink(header)).toBe('https://api.example.com/v1/things?page=2');
    expect(nextLink('<https://x/1>; rel="prev"')).toBeNull();
    expect(nextCursor(s, s.url, { kind: 'link', url: null }, [], 50, header)).toEqual({
      kind: 'link',
      url: 'https://api.example.com/v1/things?page=2',
    });
    expect(() =>
      nextCursor(s, s.url, { kind: 'link', url: null }, [], 50, '<https://evil.example/x>; rel="next"'),
    ).toThrow(/another site \(https:\/\/evil\.example\)/);
  });
});

describe('retries', () => {
  it('reads Retry-After as seconds or an HTTP date', () => {
    expect(retryAfterMs('7')).toBe(7000);
    expect(retryAfterMs(new Date(Date.UTC(2030, 0, 1, 0, 0, 30)).toUTCString(), Date.UTC(2030, 0, 1))).toBe(
      30_000,
    );
    expect(retryAfterMs('soon')).toBeNull();
    expect(retryAfterMs(null)).toBeNull();
  });

  it('backs off exponentially with full jitter, capped', () => {
    const policy = requestBackoff({ backoffMs: 100, maxBackoffMs: 10_000 });
    expect(backoffDelay(policy, 1, () => 1)).toBe(100);
    expect(backoffDelay(policy, 4, () => 1)).toBe(800);
    expect(backoffDelay(policy, 11, () => 1)).toBe(10_000);
    expect(backoffDelay(policy, 4, () => 0.5)).toBe(400);
    expect(backoffDelay(policy, 4, () => 0)).toBe(0);
  });

  it('spaces requests by the rate limit', async () => {
    const limiter = new RateLimiter(20);
    const signal = new AbortController().signal;
    const started = Date.now();
    for (let i = 0; i < 3; i++) await limiter.take(signal);
    // Three requests at 20/s: the third waits for two intervals (≥ 100 ms minus timer slack).
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
  });

  it('refuses a body larger than max_page_bytes, and gives up after the retry budget', async () => {
    let calls = 0;
    const server = createServer((_req, res) => {
      calls++;
      res.writeHead(calls === 1 ? 503 : 200, { 'content-type': 'application/json' });
      res.end(calls === 1 ? '{}' : JSON.stringify({ big: 'x'.repeat(2000) }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      const options = {
        spec: spec(),
        limiter: new RateLimiter(null),
        signal: new AbortController().signal,
        check: () => null,
        onRetry: () => {},
      };
      await expect(fetchPage(url, options)).rejects.toThrow(/(above|larger than) max_page_bytes \(1024\)/);
      calls = 0;
      const always503 = createServer((_req, res) => res.writeHead(503).end());
      await new Promise<void>((r) => always503.listen(0, '127.0.0.1', r));
      const url2 = new URL(`http://127.0.0.1:${(always503.address() as AddressInfo).port}/`);
      await expect(fetchPage(url2, options)).rejects.toThrow('HTTP 503 (after 3 attempts)');
      await new Promise((r) => always503.close(r));
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});

const pipeline = {
  tables: [
    {
      name: 'things',
      key: ['id'],
      columns: [
        { name: 'id', type: 'BIGINT' },
        { name: 'name', type: 'VARCHAR' },
        { name: 'created', type: 'TIMESTAMP' },
      ],
    },
    {
      name: 'tags',
      key: ['thing_id'],
      columns: [
        { name: 'thing_id', type: 'BIGINT' },
        { name: 'tag', type: 'VARCHAR' },
      ],
    },
  ],
} as unknown as Pipeline;

describe('row mapping', () => {
  it('coerces values to column types, and null when they do not fit', () => {
    expect(coerce('2024-02', 'DATE')).toBe('2024-02-01');
    expect(coerce('2023-02-29', 'DATE')).toBeNull();
    expect(coerce('2024-02-29', 'DATE')).toBe('2024-02-29');
    expect(coerce('2024-03-01T10:00:00+02:00', 'TIMESTAMP')).toBe('2024-03-01 08:00:00.000');
    expect(coerce(' 42 ', 'INTEGER')).toBe(42);
    expect(coerce(3_000_000_000, 'INTEGER')).toBeNull();
    expect(coerce(3_000_000_000, 'BIGINT')).toBe(3_000_000_000);
    expect(coerce(1.5, 'INTEGER')).toBeNull();
    expect(coerce('1e3', 'DOUBLE')).toBe(1000);
    expect(coerce('yes', 'BOOLEAN')).toBeNull();
    expect(coerce(7, 'VARCHAR')).toBe('7');
    expect(coerce({ a: 1 }, 'VARCHAR')).toBeNull();
    expect(readPath({ a: { b: [1] } }, 'a.b')).toEqual([1]);
    expect(readPath({ x: 1 }, '$.y', { y: 2 })).toBe(2);
  });

  it('maps declaratively: one row per item or per array element, the key from the first table', () => {
    const map = declarativeMapper(pipeline, [
      {
        table: 'things',
        forEach: null,
        fields: { id: 'id', name: 'attributes.name', created: 'created_at' },
      },
      { table: 'tags', forEach: 'tags', fields: { thing_id: '$.id', tag: 'name' } },
    ]);
    const r = map({
      id: '12',
      attributes: { name: 'A' },
      created_at: '2024-01-01T00:00:00Z',
      tags: [{ name: 'x' }, { name: 'y' }],
    });
    expect(r).toEqual({
      ok: true,
      key: [12],
      rows: new Map([
        ['things', [[12, 'A', '2024-01-01 00:00:00.000']]],
        [
          'tags',
          [
            [12, 'x'],
            [12, 'y'],
          ],
        ],
      ]),
    });
    expect(map({ attributes: {} })).toEqual({ ok: false, reason: 'the item has no value for its key' });
  });

  it('checks a transform keeps to its contract', () => {
    const bad = transformMapper(pipeline, () => ({
      ok: true,
      tables: { things: [{ id: 1 }], tags: [{ thing_id: 2, tag: 'x' }] },
    }));
    expect(() => bad({})).toThrow(MappingError);
    const unknown = transformMapper(pipeline, () => ({ ok: true, tables: { other: [{}] } }));
    expect(() => unknown({})).toThrow(
      'the transform wrote rows of table "other", which the pipeline does not declare',
    );
    const refused = transformMapper(pipeline, () => ({ ok: false, problem: { message: 'no id' } }));
    expect(refused({})).toEqual({ ok: false, reason: 'no id' });
  });
});
