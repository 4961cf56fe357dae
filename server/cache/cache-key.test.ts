import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import {
  cacheKey,
  canonicalJson,
  KEY_FORMAT,
  KEY_MEMO_CHARS,
  SHARED_TENANT,
  type CacheKeyParts,
} from './cache-key.js';

const base: CacheKeyParts = {
  source: 'warehouse',
  sql: 'SELECT status, count(*) FROM studies WHERE phase = $1 GROUP BY 1',
  params: ['PHASE2', 10, true, null],
  tenant: 'acme',
  dataset: 'studies',
  datasetVersion: 3,
};

describe('cacheKey', () => {
  it('is a sha256 hex digest, stable for equal parts', () => {
    const key = cacheKey(base);
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(cacheKey({ ...base, params: [...base.params] })).toBe(key);
  });

  it.each<[string, Partial<CacheKeyParts>]>([
    ['source', { source: 'replica' }],
    ['compiled SQL', { sql: `${base.sql} ` }],
    ['a parameter value', { params: ['PHASE3', 10, true, null] }],
    ['parameter order', { params: [10, 'PHASE2', true, null] }],
    ['parameter count', { params: ['PHASE2', 10, true] }],
    ['tenant scope', { tenant: 'globex' }],
    ['shared vs tenant scope', { tenant: SHARED_TENANT }],
    ['dataset', { dataset: 'sites' }],
    ['dataset version', { datasetVersion: 4 }],
  ])('changes when the %s changes', (_what, change) => {
    expect(cacheKey({ ...base, ...change })).not.toBe(cacheKey(base));
  });

  it.each<[string, CacheKeyParts['params'], CacheKeyParts['params']]>([
    ['1 and "1"', [1], ['1']],
    ['true and "true"', [true], ['true']],
    ['null and "null"', [null], ['null']],
    ['0 and false', [0], [false]],
    ['"" and null', [''], [null]],
    ['1 and 1.5', [1], [1.5]],
  ])('keeps parameter types apart: %s', (_what, a, b) => {
    expect(cacheKey({ ...base, params: a })).not.toBe(cacheKey({ ...base, params: b }));
  });

  it('cannot be confused by values that contain separators', () => {
    const a = cacheKey({ ...base, params: ['a","b'] });
    const b = cacheKey({ ...base, params: ['a', 'b'] });
    expect(a).not.toBe(b);
    expect(cacheKey({ ...base, source: 'x', sql: 'y' })).not.toBe(
      cacheKey({ ...base, source: 'xy', sql: '' }),
    );
  });

  it('refuses NaN and Infinity, which JSON would turn into null', () => {
    expect(() => cacheKey({ ...base, params: [Number.NaN] })).toThrow(TypeError);
    expect(() => cacheKey({ ...base, params: [Number.POSITIVE_INFINITY] })).toThrow(TypeError);
  });

  it('refuses values that are not plain data even after an equal-looking key was memoised', () => {
    cacheKey({ ...base, params: ['1970-01-01T00:00:00.000Z'] });
    const date = new Date(0) as unknown as string; // stringifies like the string above
    expect(() => cacheKey({ ...base, params: [date] })).toThrow(TypeError);
  });

  it('memoised or not, the key is the sha256 of the canonical parts (stable across versions)', () => {
    const expected = (parts: CacheKeyParts) =>
      createHash('sha256')
        .update(canonicalJson({ format: KEY_FORMAT, ...parts }))
        .digest('hex');
    expect(cacheKey(base)).toBe(expected(base));
    expect(cacheKey(base)).toBe(expected(base)); // from the memo
    // Push the first key out of the bounded memo and compute it again.
    const identity = base.sql.length + 40;
    for (let i = 0; i < KEY_MEMO_CHARS / identity + 10; i++) cacheKey({ ...base, params: [i] });
    expect(cacheKey(base)).toBe(expected(base));
    expect(cacheKey({ ...base, params: [7] })).toBe(expected({ ...base, params: [7] }));
  });
});

describe('canonicalJson', () => {
  it('sorts object keys at every depth and drops undefined fields', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 0, y: null }], c: 'x' }, u: undefined })).toBe(
      '{"a":{"c":"x","d":[1,{"y":null,"z":0}]},"b":1}',
    );
  });

  it('refuses values that are not plain data', () => {
    expect(() => canonicalJson(new Date(0))).toThrow(TypeError);
    expect(() => canonicalJson(10n)).toThrow(TypeError);
    expect(() => canonicalJson(() => 1)).toThrow(TypeError);
  });
});
