import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { AgentApi, expectedFound } from '../../../examples/sourcing/stand-in/agent-api.js';
import { agentPipelineYaml, createEnrichProject } from '../../../test/enrichment-fixture.js';
import { recordingContext } from '../../../test/pipeline-context.js';
import { loadProject } from '../../config/project/load-project.js';
import { openStore, type Store } from '../../store/store.js';
import { StoreResourceLocks } from '../coordination/resource-locks.js';
import { StoreRateLimiter } from '../coordination/shared-rate-limiter.js';
import { awaitLaunchedJob } from './launch-poll.js';
import { createPipelineRunner } from './pipeline-runner.js';
import type { BuiltRequest } from './request-builder.js';

/**
 * Launch-then-poll steps through the pipeline runner, against the agent stand-in (PhantomBuster's
 * shape) throttling, failing and stalling: every row ends `ok` with its own agent's result (never
 * another's, never corrupted) or `failed` with its reason; a job past the poll timeout fails its row;
 * the key never reaches a stored error.
 */
const KEY = 'pb-key-3c9e1a7f5d2b';
const quiet = { info: () => {}, warn: () => {}, error: () => {} };
let api: AgentApi;
let slow: AgentApi;
let store: Store;
let dir: string;
const rows = Array.from({ length: 16 }, (_, i) => ({
  id: `c${String(i).padStart(2, '0')}`,
  headline: i % 7 === 3 ? `query ${i} (broken)` : `query ${i}`,
}));

beforeAll(async () => {
  api = await AgentApi.start({
    keys: [KEY],
    runMs: 60,
    limit: 40,
    windowMs: 300,
    faultRate: 0.1,
    stallMs: 1_000,
  });
  // Runs far past the test's own limit: a runner that waited for it instead of its poll timeout
  // would be stopped by that limit, not pass (no wall-clock assertion needed).
  slow = await AgentApi.start({ keys: [KEY], runMs: 120_000 });
  dir = await createEnrichProject(
    { a: rows, b: rows.slice(0, 2) },
    {
      batch: 10,
      concurrency: 1,
      timeout: '1s',
      retries: 1,
      backoff: '10ms',
      maxBackoff: '50ms',
    },
  );
  const settings = { interval: '20ms', maxInterval: '80ms', timeout: '300ms', retries: 8 };
  writeFileSync(
    path.join(dir, 'pipelines', 'agent_a.yaml'),
    agentPipelineYaml('a', { ...settings, pollTimeout: '10s', lock: 'search-agent' }),
  );
  writeFileSync(
    path.join(dir, 'pipelines', 'agent_b.yaml'),
    agentPipelineYaml('b', { ...settings, pollTimeout: '400ms' }),
  );
  store = await openStore({ kind: 'sqlite', file: path.join(dir, 'meta', 'meta.sqlite') });
});
afterAll(async () => {
  await store?.close();
  await api?.close();
  await slow?.close();
});

async function runner(url: string) {
  const loaded = await loadProject(dir);
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
  return createPipelineRunner({
    project: loaded.project,
    environment: { AGENT_API_URL: url, AGENT_API_KEY: KEY },
    logger: quiet,
    coordination: { limiter: new StoreRateLimiter(store), locks: new StoreResourceLocks(store) },
  });
}

async function results(target: string) {
  const instance = await DuckDBInstance.create(path.join(dir, 'data', `${target}.duckdb`), {
    access_mode: 'READ_ONLY',
  });
  const conn = await instance.connect();
  const r = await conn.runAndReadAll(
    'SELECT id, query, found, corrupted, status, error, attempts FROM searches ORDER BY id',
  );
  const out = r.getRowObjectsJS();
  conn.closeSync();
  instance.closeSync();
  return out;
}

describe('launch-then-poll steps', () => {
  test('each row: launch, poll until finished, fetch its own result — through 429s, 5xx and stalls', async () => {
    const ctx = recordingContext('run-agent');
    const outcome = await (await runner(api.url)).run('agent_a', ctx);
    expect(outcome.outcome).toBe('succeeded');
    const stored = await results('a');
    expect(stored).toHaveLength(rows.length);
    for (const row of rows) {
      const r = stored.find((s) => s['id'] === row.id);
      if (row.headline.includes('(broken)')) {
        expect(r?.['status']).toBe('failed');
        expect(String(r?.['error'])).toBe('the launched job ended "error"');
        expect(r?.['found']).toBeNull();
        continue;
      }
      expect(r?.['status'], String(r?.['error'])).toBe('ok');
      // Its own agent's result: the query it launched, the count for that query, not corrupted.
      expect(r?.['query']).toBe(row.headline);
      expect(r?.['found']).toBe(expectedFound(row.headline));
      expect(r?.['corrupted']).toBe(false);
      expect(api.launchesOf(row.headline)).toBe(1);
    }
    // It polled (more than once per row for a job running 60 ms from 20 ms waits) and fetched once per row.
    expect(api.stats.polls).toBeGreaterThan(rows.length);
    expect(api.stats.fetches).toBeGreaterThanOrEqual(rows.length - 3);
    expect(api.stats.faults + api.stats.throttled).toBeGreaterThan(0);
    expect(api.stats.overlaps).toBe(0);
    for (const r of stored) expect(String(r['error'])).not.toContain(KEY);
    expect(ctx.logs.map((l) => l.message).join('\n')).not.toContain(KEY);
  }, 60_000);

  test('a job that does not finish within the poll timeout fails its row with that reason', async () => {
    const outcome = await (await runner(slow.url)).run('agent_b', recordingContext('run-slow'));
    expect(outcome.outcome).toBe('succeeded');
    const stored = await results('b');
    expect(stored).toHaveLength(2);
    for (const r of stored) {
      expect(r['status']).toBe('failed');
      expect(String(r['error'])).toMatch(/^the launched job did not finish within 400 ms \(\d+ polls\)$/);
      expect(r['found']).toBeNull();
    }
    expect(slow.stats.polls).toBeGreaterThan(0);
  }, 30_000);

  test('the stand-in notices two launches of one agent at once (what the lock prevents)', async () => {
    const probe = await AgentApi.start({ keys: [KEY], runMs: 300 });
    try {
      const launch = (query: string) =>
        fetch(`${probe.url}/api/v2/agents/launch`, {
          method: 'POST',
          headers: { 'x-phantombuster-key': KEY, 'content-type': 'application/json' },
          body: JSON.stringify({ id: 'search-agent', argument: { query } }),
        });
      await Promise.all([launch('one'), launch('two')]);
      expect(probe.stats.overlaps).toBe(1);
      expect(probe.stats.maxRunning).toBe(2);
    } finally {
      await probe.close();
    }
  });
});

describe('awaitLaunchedJob', () => {
  const poll = {
    request: {
      method: 'GET' as const,
      url: 'http://agents.invalid/jobs/${launch.jobId}',
      urlEnv: null,
      query: {},
      headers: {},
      body: undefined,
    },
    status: 'state',
    done: ['done'],
    failed: ['killed'],
    intervalMs: 20,
    maxIntervalMs: 80,
    timeoutMs: 10_000,
  };
  const answers = (states: readonly string[]) => {
    const seen: { url: string; at: number }[] = [];
    let n = 0;
    return {
      seen,
      call: async (r: BuiltRequest) => {
        seen.push({ url: r.url.toString(), at: Date.now() });
        return {
          ok: true as const,
          body: { state: states[Math.min(n++, states.length - 1)], n },
          attempts: 1,
          sent: 1,
          throttled: 0,
          failures: 0,
        };
      },
    };
  };
  const values = { row: {}, input: {}, env: new Map<string, string>() };

  test('polls the launched job by its id, waits growing with the one backoff, until done', async () => {
    const api = answers(['queued', 'running', 'running', 'running', 'done']);
    const started = Date.now();
    const out = await awaitLaunchedJob({ jobId: 'j/1' }, values, {
      poll,
      pollOrigin: 'http://127.0.0.1:9',
      fetch: null,
      call: api.call,
      signal: new AbortController().signal,
      random: () => 0,
    });
    expect(out).toEqual({ ok: true, body: { state: 'done', n: 5 }, attempts: 5 });
    // The id fills its one path segment, encoded.
    expect(api.seen[0]?.url).toBe('http://127.0.0.1:9/jobs/j%2F1');
    // Equal jitter pinned to its minimum: waits of 10, 20, 40, 40, 40 ms (base 20 doubling, capped at 80).
    const expected = [10, 30, 70, 110, 150];
    api.seen.forEach((s, i) => expect(s.at - started).toBeGreaterThanOrEqual((expected[i] as number) - 2));
  });

  test('a failed status, a missing status and a timeout each fail with their reason', async () => {
    const signal = new AbortController().signal;
    const base = { pollOrigin: 'http://127.0.0.1:9', fetch: null, signal, random: () => 0 };
    const failed = await awaitLaunchedJob({ jobId: 'a' }, values, {
      ...base,
      poll,
      call: answers(['running', 'killed']).call,
    });
    expect(failed).toEqual({ ok: false, error: 'the launched job ended "killed"', attempts: 2 });
    const missing = await awaitLaunchedJob({ jobId: 'a' }, values, {
      ...base,
      poll: { ...poll, status: 'nope' },
      call: answers(['x']).call,
    });
    expect(missing).toMatchObject({ ok: false, error: 'the poll answer has no status at "nope"' });
    const slow = await awaitLaunchedJob({ jobId: 'a' }, values, {
      ...base,
      poll: { ...poll, timeoutMs: 100 },
      call: answers(['running']).call,
    });
    expect(slow).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^the launched job did not finish within 100 ms \(\d+ polls\)$/),
    });
    // An id that would move the path is refused, not sent.
    const api = answers(['done']);
    const refused = await awaitLaunchedJob({ jobId: '..' }, values, { ...base, poll, call: api.call });
    expect(refused).toMatchObject({ ok: false, error: expect.stringContaining('polling: ') });
    expect(api.seen).toHaveLength(0);
  });
});
