import { describe, expect, it } from 'vitest';
import { TrellisError } from '../errors.js';
import { CircuitBreakers, type CircuitState } from './circuit-breaker.js';

const down = () => Promise.reject(new TrellisError('SOURCE_UNAVAILABLE'));
const broken = () => Promise.reject(new TrellisError('QUERY_FAILED'));
const ok = () => Promise.resolve('rows');

function setup(options: { failureThreshold?: number; coolDownMs?: number } = {}) {
  let now = 0;
  const changes: string[] = [];
  const breakers = new CircuitBreakers({
    failureThreshold: 3,
    coolDownMs: 1_000,
    ...options,
    now: () => now,
    onStateChange: (source, from: CircuitState, to: CircuitState) => changes.push(`${source}:${from}→${to}`),
  });
  return { breakers, changes, advance: (ms: number) => (now += ms) };
}

async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
    return undefined;
  } catch (err) {
    return err instanceof TrellisError ? err.code : String(err);
  }
}

describe('CircuitBreakers', () => {
  it('opens after N consecutive source failures and then rejects fast without calling the source', async () => {
    const { breakers, changes } = setup();
    for (let i = 0; i < 3; i++) expect(await codeOf(breakers.execute('pg', down))).toBe('SOURCE_UNAVAILABLE');
    expect(breakers.state('pg')).toBe('open');
    let called = false;
    const err = await breakers
      .execute('pg', async () => {
        called = true;
      })
      .catch((e: unknown) => e);
    expect(called).toBe(false);
    expect(err).toBeInstanceOf(TrellisError);
    expect((err as TrellisError).detail).toMatchObject({ source: 'pg', circuit: 'open', retryInMs: 1_000 });
    expect(changes).toEqual(['pg:closed→open']);
  });

  it('a success in between resets the count', async () => {
    const { breakers } = setup();
    await codeOf(breakers.execute('pg', down));
    await codeOf(breakers.execute('pg', down));
    await breakers.execute('pg', ok);
    await codeOf(breakers.execute('pg', down));
    await codeOf(breakers.execute('pg', down));
    expect(breakers.state('pg')).toBe('closed');
  });

  it('query errors say nothing about the source: neither counted nor resetting', async () => {
    const { breakers } = setup();
    await codeOf(breakers.execute('pg', down));
    await codeOf(breakers.execute('pg', down));
    for (let i = 0; i < 10; i++) expect(await codeOf(breakers.execute('pg', broken))).toBe('QUERY_FAILED');
    expect(breakers.state('pg')).toBe('closed');
    await codeOf(breakers.execute('pg', down));
    expect(breakers.state('pg')).toBe('open');
  });

  it('after the cool-down lets exactly one probe through; success closes the circuit', async () => {
    const { breakers, advance, changes } = setup();
    for (let i = 0; i < 3; i++) await codeOf(breakers.execute('pg', down));
    advance(999);
    expect(await codeOf(breakers.execute('pg', ok))).toBe('SOURCE_UNAVAILABLE');
    advance(1);
    expect(breakers.state('pg')).toBe('half-open');
    let release: (v: string) => void = () => undefined;
    const probe = breakers.execute('pg', () => new Promise<string>((r) => (release = r)));
    expect(await codeOf(breakers.execute('pg', ok))).toBe('SOURCE_UNAVAILABLE'); // probe already out
    release('rows');
    expect(await probe).toBe('rows');
    expect(breakers.state('pg')).toBe('closed');
    expect(await breakers.execute('pg', ok)).toBe('rows');
    expect(changes).toEqual(['pg:closed→open', 'pg:open→half-open', 'pg:half-open→closed']);
  });

  it('a failed probe reopens for another cool-down', async () => {
    const { breakers, advance } = setup();
    for (let i = 0; i < 3; i++) await codeOf(breakers.execute('pg', down));
    advance(1_000);
    expect(await codeOf(breakers.execute('pg', down))).toBe('SOURCE_UNAVAILABLE');
    expect(breakers.state('pg')).toBe('open');
    advance(500);
    expect(await codeOf(breakers.execute('pg', ok))).toBe('SOURCE_UNAVAILABLE');
    advance(500);
    expect(await breakers.execute('pg', ok)).toBe('rows');
  });

  it('a probe that ends without telling (cancelled) lets the next request probe', async () => {
    const { breakers, advance } = setup();
    for (let i = 0; i < 3; i++) await codeOf(breakers.execute('pg', down));
    advance(1_000);
    expect(
      await codeOf(breakers.execute('pg', () => Promise.reject(new TrellisError('QUERY_CANCELLED')))),
    ).toBe('QUERY_CANCELLED');
    expect(await breakers.execute('pg', ok)).toBe('rows');
    expect(breakers.state('pg')).toBe('closed');
  });

  it('keeps one circuit per source', async () => {
    const { breakers } = setup({ failureThreshold: 1 });
    await codeOf(breakers.execute('pg', down));
    expect(breakers.state('pg')).toBe('open');
    expect(breakers.state('mysql')).toBe('closed');
    expect(await breakers.execute('mysql', ok)).toBe('rows');
  });

  it('rejects a threshold below 1', () => {
    expect(() => new CircuitBreakers({ failureThreshold: 0 })).toThrow(TypeError);
  });
});
