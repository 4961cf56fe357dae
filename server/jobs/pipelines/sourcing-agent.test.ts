import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { buildDatabase } from '../../../examples/sourcing/generator/build-database.js';
import { generateCandidates } from '../../../examples/sourcing/generator/generate-candidates.js';
import { AgentApi, expectedFound } from '../../../examples/sourcing/stand-in/agent-api.js';
import { recordingContext } from '../../../test/pipeline-context.js';
import { repoRoot } from '../../../test/paths.js';
import { until } from '../../../test/until.js';
import { loadProject } from '../../config/project/load-project.js';
import { TrellisError } from '../../errors.js';
import { openStore, type Store } from '../../store/store.js';
import { StoreResourceLocks } from '../coordination/resource-locks.js';
import { StoreRateLimiter } from '../coordination/shared-rate-limiter.js';
import { createPipelineRunner } from './pipeline-runner.js';

/**
 * The sourcing example's own agent step (examples/sourcing/pipelines/agent.yaml, unchanged) against
 * the agent stand-in: two runs started at once on two runners (as two instances would, one metadata
 * store between them) each launch the contact agent for their candidates, poll its container until
 * finished, fetch its result and write `contacts` rows for sourcex. The `contact-agent` lock keeps them
 * apart: the stand-in's two-holder detection counts 0 overlaps, and every row holds its own result.
 */
const KEY = 'pb-demo-test-7d1f0c2a9e';
const quiet = { info: () => {}, warn: () => {}, error: () => {} };
const candidates = generateCandidates(60, 2026);
let api: AgentApi;
let store: Store;
let dir: string;

beforeAll(async () => {
  // A 200 ms container (polled from the file's 1 s first wait); the stand-in's own 120 calls per minute.
  api = await AgentApi.start({ keys: [KEY], runMs: 200 });
  dir = mkdtempSync(path.join(tmpdir(), 'trellis-sourcing-agent-'));
  const example = path.join(repoRoot, 'examples', 'sourcing');
  for (const part of ['trellis.yaml', 'pipelines', 'datasets', 'dashboards', 'sql'])
    cpSync(path.join(example, part), path.join(dir, part), { recursive: true });
  mkdirSync(path.join(dir, 'data'));
  mkdirSync(path.join(dir, 'meta'));
  await buildDatabase(path.join(dir, 'data', 'sourcing.duckdb'), candidates.length);
  store = await openStore({ kind: 'sqlite', file: path.join(dir, 'meta', 'meta.sqlite') });
}, 60_000);
afterAll(async () => {
  await store?.close();
  await api?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function runners() {
  const loaded = await loadProject(dir);
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
  const make = () =>
    createPipelineRunner({
      project: loaded.project,
      // Not SOURCING_DATABASE_URL: the example's DuckDB file is the target.
      environment: { AGENT_API_URL: api.url, AGENT_API_KEY: KEY },
      logger: quiet,
      coordination: { limiter: new StoreRateLimiter(store), locks: new StoreResourceLocks(store) },
    });
  return [make(), make()] as const;
}

async function contacts() {
  const instance = await DuckDBInstance.create(path.join(dir, 'data', 'sourcing.duckdb'), {
    access_mode: 'READ_ONLY',
  });
  const conn = await instance.connect();
  const r = await conn.runAndReadAll(
    'SELECT id, query, found, corrupted, status, error, attempts, org FROM contacts ORDER BY id',
  );
  const out = r.getRowObjectsJS();
  conn.closeSync();
  instance.closeSync();
  return out;
}

describe('the sourcing example’s agent step (launch-then-poll under a lock)', () => {
  test('a run must name its candidates', async () => {
    const [one] = await runners();
    const refused = await one.run('agent', recordingContext('run-none')).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(TrellisError);
    expect((refused as TrellisError).code).toBe('PIPELINE_INPUTS_INVALID');
    expect(api.stats.launches).toBe(0);
  });

  test('two concurrent runs: launch, poll, fetch, rows written for sourcex — never two holders', async () => {
    const [one, two] = await runners();
    const a = candidates.slice(0, 3).map((c) => c.id);
    // B shares one candidate with A (done once, by whichever ran first) and names a talentco
    // candidate (`t` + id in the example's data), which sourcex's run must not read.
    const b = [...candidates.slice(2, 5).map((c) => c.id), `t${candidates[5]?.id ?? ''}`];
    const ctxA = recordingContext('run-a');
    const ctxB = recordingContext('run-b');
    const first = one.run('agent', { ...ctxA, inputs: { candidates: a } });
    await until(
      () => ctxA.logs.some((l) => l.message.startsWith('holding the lock "contact-agent"')),
      15_000,
      'the lock',
    );
    const second = two.run('agent', { ...ctxB, inputs: { candidates: b } });
    const [ra, rb] = await Promise.all([first, second]);
    expect(ra.outcome).toBe('succeeded');
    expect(rb.outcome).toBe('succeeded');
    expect(ctxB.logs.map((l) => l.message)).toContain(
      'waiting for the lock "contact-agent": position 1 in line',
    );

    // The stand-in saw one container of the agent at a time: the lock held across the two runners.
    expect(api.stats.overlaps).toBe(0);
    expect(api.stats.maxRunning).toBe(1);
    const stored = await contacts();
    const wanted = candidates.slice(0, 5);
    expect(stored.map((r) => r['id'])).toEqual(wanted.map((c) => c.id));
    for (const c of wanted) {
      const row = stored.find((r) => r['id'] === c.id);
      expect(row?.['status'], String(row?.['error'])).toBe('ok');
      expect(row?.['org']).toBe('sourcex');
      expect(row?.['query']).toBe(c.headline);
      expect(row?.['found']).toBe(expectedFound(c.headline));
      expect(row?.['corrupted']).toBe(false);
      // Launch + at least one poll + fetch.
      expect(Number(row?.['attempts'])).toBeGreaterThanOrEqual(3);
    }
    // One launch per candidate (the shared one skipped by the second run), each polled and fetched.
    expect(api.stats.launches).toBe(5);
    expect(api.stats.polls).toBeGreaterThanOrEqual(5);
    expect(api.stats.fetches).toBe(5);
    // talentco's candidate (same index, seed 7) was never launched: its headline is no one's query.
    const talentco = generateCandidates(500, 7)[5]?.headline ?? '';
    expect(wanted.map((c) => c.headline)).not.toContain(talentco);
    expect(api.launchesOf(talentco)).toBe(0);
    for (const r of stored) expect(String(r['error'])).not.toContain(KEY);
    expect([...ctxA.logs, ...ctxB.logs].map((l) => l.message).join('\n')).not.toContain(KEY);
  }, 90_000);
});
