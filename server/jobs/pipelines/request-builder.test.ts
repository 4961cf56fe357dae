import { describe, expect, it } from 'vitest';
import type { Pipeline, RequestSpec } from '../../config/project/pipeline.types.js';
import { urlTemplateProblem } from '../../config/project/request-template.js';
import { buildRequest, RequestBuildError } from './request-builder.js';
import { resolveSecrets, SecretRedactor } from './secret-redactor.js';

const spec = (over: Partial<RequestSpec> = {}): RequestSpec => ({
  method: 'POST',
  url: 'https://api.example.com/v1/candidates/${row.id}/score',
  urlEnv: null,
  query: { q: '${input.keywords}' },
  headers: { 'x-api-key': '${env:KEY}' },
  body: { id: '${row.id}', years: '${row.years}', text: 'about ${row.name}', tags: ['${input.keywords}'] },
  ...over,
});
const values = (
  row: Record<string, unknown>,
  input: Record<string, unknown> = { keywords: 'go & rust' },
) => ({
  row,
  input,
  env: new Map([['KEY', 'sk-secret-123']]),
});

describe('requests from templates', () => {
  it('fills values: one encoded path segment, query, header, typed JSON body', () => {
    const r = buildRequest(spec(), 'https://api.example.com', values({ id: 'c 1', years: 7, name: 'Ana' }));
    expect(r.url.href).toBe('https://api.example.com/v1/candidates/c%201/score?q=go+%26+rust');
    expect(r.headers['x-api-key']).toBe('sk-secret-123');
    expect(JSON.parse(r.body as string)).toEqual({
      id: 'c 1',
      years: 7,
      text: 'about Ana',
      tags: ['go & rust'],
    });
  });

  it('no value can change the host or the path structure', () => {
    for (const id of [
      '../../admin',
      'x/../../y',
      'https://evil.example/',
      '%2e%2e',
      '?a=b#c',
      '@evil.example',
    ]) {
      const r = buildRequest(spec(), 'https://api.example.com', values({ id, years: 1, name: 'x' }));
      expect(r.url.host).toBe('api.example.com');
      const parts = r.url.pathname.split('/');
      expect(parts).toHaveLength(5);
      expect(parts.slice(0, 3)).toEqual(['', 'v1', 'candidates']);
      expect(parts[4]).toBe('score');
      expect(r.url.search).toBe('?q=go+%26+rust');
    }
    for (const id of ['..', '.', ''])
      expect(() => buildRequest(spec(), 'https://api.example.com', values({ id, years: 1 }))).toThrow(
        RequestBuildError,
      );
    expect(() =>
      buildRequest(
        spec({ headers: { h: '${row.name}' } }),
        'https://api.example.com',
        values({ id: 'a', name: 'x\r\nevil: 1' }),
      ),
    ).toThrow(RequestBuildError);
  });

  it('an input in a path segment is encoded into that one segment, like a row value', () => {
    const s = spec({ url: 'https://api.example.com/v1/roles/${input.role}/search' });
    for (const role of ['../../admin', 'a/b', 'https://evil.example/x', '?x=1']) {
      const r = buildRequest(s, 'https://api.example.com', values({}, { role, keywords: 'k' }));
      expect(r.url.host).toBe('api.example.com');
      expect(r.url.pathname.split('/')).toEqual(['', 'v1', 'roles', encodeURIComponent(role), 'search']);
    }
    expect(() => buildRequest(s, 'https://api.example.com', values({}, { role: '..' }))).toThrow(
      RequestBuildError,
    );
    // A list of keys goes into a JSON body as a list.
    const body = buildRequest(
      spec({ body: { ids: '${input.ids}' } }),
      'https://api.example.com',
      values({ id: 'a' }, { ids: ['c1', 'c2'] }),
    );
    expect(JSON.parse(body.body as string)).toEqual({ ids: ['c1', 'c2'] });
  });

  it('url_env moves the origin only: the path stays the file’s', () => {
    const r = buildRequest(
      spec(),
      'http://127.0.0.1:9999/other/path',
      values({ id: 'c1', years: 1, name: 'x' }),
    );
    expect(r.url.href).toBe('http://127.0.0.1:9999/v1/candidates/c1/score?q=go+%26+rust');
  });

  it('checks URL templates when the project loads', () => {
    expect(urlTemplateProblem('https://api.example.com/v1/${row.id}/score')).toBeNull();
    expect(urlTemplateProblem('https://${row.host}/v1')).toMatch(/scheme and host/);
    expect(urlTemplateProblem('https://api.example.com/v1/x${row.id}')).toMatch(/whole path segment/);
    expect(urlTemplateProblem('https://api.example.com/v1?k=${row.id}')).toMatch(/query/);
    expect(urlTemplateProblem('https://api.example.com/${env:KEY}')).toMatch(/secrets/);
    expect(urlTemplateProblem('https://api.example.com/${rows.id}')).toMatch(/not a template/);
  });
});

describe('secrets', () => {
  it('are redacted as sent, URL-encoded and JSON-escaped', () => {
    const r = new SecretRedactor(new Map([['KEY', 'sk/"abc"+1']]));
    expect(r.redact('key sk/"abc"+1 and sk%2F%22abc%22%2B1 and sk/\\"abc\\"+1')).toBe(
      'key [secret KEY] and [secret KEY] and [secret KEY]',
    );
  });

  it('are redacted in the form a query string carries them (URLSearchParams encodes ~ ( ) and spaces)', () => {
    const secret = 'sk~a (b)!';
    const url = new URL('https://api.example.com/v1');
    url.searchParams.set('key', secret);
    const r = new SecretRedactor(new Map([['KEY', secret]]));
    expect(url.search).not.toContain(encodeURIComponent(secret));
    expect(r.redact(`GET ${url.href} failed`)).toBe('GET https://api.example.com/v1?key=[secret KEY] failed');
  });

  it('a missing secret fails the run naming the variable, not a value', () => {
    const pipeline = { id: 'screen', secrets: ['SCORING_API_KEY', 'OTHER'] } as unknown as Pipeline;
    expect(() => resolveSecrets(pipeline, { OTHER: 'x' })).toThrow(/SCORING_API_KEY is not set/);
    expect(resolveSecrets(pipeline, { OTHER: 'x', SCORING_API_KEY: 'k' }).get('SCORING_API_KEY')).toBe('k');
  });
});
