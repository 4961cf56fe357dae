import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { AgentApi, expectedFound } from '../../../examples/sourcing/stand-in/agent-api.js';
import { agentPipelineYaml, createEnrichProject } from '../../../test/enrichment-fixture.js';
import { repoRoot } from '../../../test/paths.js';
import { until } from '../../../test/until.js';

/**
 * The lock acceptance, with real processes: two "instances" (two Node processes, each with
 * its own store connection and pipeline runner, one SQLite metadata store between them) start ten runs
 * at once that all need the lock `search-agent`, each launching the one search agent of the agent
 * stand-in (launch-then-poll). The stand-in sees every launch: it counts an agent launched while
 * another container of it is still running (what corrupted SourcingX's results) — never here. Then a
 * holder is killed with SIGKILL mid-run: the lock is free for the waiting run once its TTL has passed
 * (not before: nobody released it), and that run completes.
 */
const KEY = 'pb-process-key-91d0c3';
const TTL_MS = 2_000;
const dist = (p: string) => pathToFileURL(path.join(repoRoot, 'dist', p)).href;

// One instance: loads the project, opens the store, runs the pipelines named in argv at once, and
// prints each run's log lines as JSON (with the time), then `{"exit": …}`.
const INSTANCE = `
const [dir, storeFile, ...ids] = process.argv.slice(1);
const { loadProject } = await import(${JSON.stringify(dist('server/config/project/load-project.js'))});
const { openStore } = await import(${JSON.stringify(dist('server/store/store.js'))});
const { createPipelineRunner } = await import(${JSON.stringify(dist('server/jobs/pipelines/pipeline-runner.js'))});
const { StoreResourceLocks } = await import(${JSON.stringify(dist('server/jobs/coordination/resource-locks.js'))});
const { StoreRateLimiter } = await import(${JSON.stringify(dist('server/jobs/coordination/shared-rate-limiter.js'))});
const loaded = await loadProject(dir);
if (!loaded.ok) { console.error(JSON.stringify(loaded.problems)); process.exit(2); }
const store = await openStore({ kind: 'sqlite', file: storeFile });
const quiet = { info() {}, warn() {}, error() {} };
const runner = createPipelineRunner({
  project: loaded.project,
  environment: { AGENT_API_URL: process.env.AGENT_API_URL, AGENT_API_KEY: process.env.AGENT_API_KEY },
  logger: quiet,
  coordination: { limiter: new StoreRateLimiter(store), locks: new StoreResourceLocks(store) },
});
const say = (o) => process.stdout.write(JSON.stringify({ ...o, t: Date.now() }) + '\\n');
const results = await Promise.allSettled(ids.map((id) => runner.run(id, {
  runId: 'run-' + id, trigger: 'manual', signal: new AbortController().signal,
  progress() {}, published: async () => {},
  log: (level, message) => say({ run: id, level, message }),
})));
results.forEach((r, i) => say({ run: ids[i], outcome: r.status === 'fulfilled' ? r.value.outcome : 'error: ' + r.reason?.message }));
await store.close();
say({ exit: results.every((r) => r.status === 'fulfilled') ? 0 : 1 });
process.exit(0);
`;

interface Said {
  readonly run?: string;
  readonly message?: string;
  readonly outcome?: string;
  readonly exit?: number;
  readonly t: number;
}

interface Instance {
  readonly child: ChildProcess;
  readonly said: Said[];
  readonly err: () => string;
  readonly exited: Promise<number | null>;
}

let api: AgentApi;
let stuck: AgentApi;
let dir: string;
const TARGETS = Array.from({ length: 10 }, (_, i) => `t${i}`);
const rowsOf = (t: string) =>
  Array.from({ length: 2 }, (_, i) => ({ id: `${t}-${i}`, headline: `search ${t} #${i}` }));

beforeAll(async () => {
  if (!existsSync(path.join(repoRoot, 'dist', 'server', 'jobs', 'pipelines', 'launch-poll.js')))
    throw new Error('dist/ is missing or old: run "node scripts/build.mjs server" first');
  api = await AgentApi.start({ keys: [KEY], runMs: 120, faultRate: 0.05, stallMs: 800, limit: 1_000 });
  stuck = await AgentApi.start({ keys: [KEY], runMs: 600_000 });
  const targets = Object.fromEntries([...TARGETS, 'k1', 'k2'].map((t) => [t, rowsOf(t)]));
  dir = await createEnrichProject(targets, {
    batch: 10,
    concurrency: 1,
    timeout: '1s',
    retries: 1,
    backoff: '10ms',
    maxBackoff: '50ms',
  });
  for (const t of Object.keys(targets))
    writeFileSync(
      path.join(dir, 'pipelines', `agent_${t}.yaml`),
      agentPipelineYaml(t, {
        lock: `{ name: search-agent, wait: queue, ttl: ${TTL_MS}ms, max_wait: 5m }`,
        interval: '40ms',
        maxInterval: '160ms',
        pollTimeout: '30m',
        timeout: '500ms',
        retries: 8,
      }),
    );
}, 60_000);

afterAll(async () => {
  await api?.close();
  await stuck?.close();
});

function instance(apiUrl: string, ids: readonly string[]): Instance {
  const child = spawn(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      INSTANCE,
      dir,
      path.join(dir, 'meta', 'meta.sqlite'),
      ...ids.map((t) => `agent_${t}`),
    ],
    { env: { ...process.env, AGENT_API_URL: apiUrl, AGENT_API_KEY: KEY } },
  );
  const said: Said[] = [];
  let buffer = '';
  let err = '';
  child.stdout?.setEncoding('utf8').on('data', (c: string) => {
    buffer += c;
    const lines = buffer.split('\n');
    buffer = lines.pop() ?? '';
    for (const line of lines) if (line.trim()) said.push(JSON.parse(line) as Said);
  });
  child.stderr?.setEncoding('utf8').on('data', (c: string) => (err += c));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, said, err: () => err, exited };
}

async function results(target: string) {
  const db = await DuckDBInstance.create(path.join(dir, 'data', `${target}.duckdb`), {
    access_mode: 'READ_ONLY',
  });
  const conn = await db.connect();
  const r = await conn.runAndReadAll('SELECT id, query, found, corrupted, status FROM searches ORDER BY id');
  const rows = r.getRowObjectsJS();
  conn.closeSync();
  db.closeSync();
  return rows;
}

const at = (i: Instance, run: string, prefix: string) =>
  i.said.find((s) => s.run === `agent_${run}` && s.message?.startsWith(prefix))?.t;

describe('one lock, two instances (processes)', () => {
  test('10 concurrent runs: never two holders (the agent stand-in counts overlaps), all complete', async () => {
    const a = instance(
      api.url,
      TARGETS.filter((_, i) => i % 2 === 0),
    );
    const b = instance(
      api.url,
      TARGETS.filter((_, i) => i % 2 === 1),
    );
    const [ca, cb] = await Promise.all([a.exited, b.exited]);
    expect(ca, a.err()).toBe(0);
    expect(cb, b.err()).toBe(0);
    for (const i of [a, b]) {
      expect(i.said.at(-1)?.exit, JSON.stringify(i.said.filter((s) => s.outcome))).toBe(0);
      expect(i.said.filter((s) => s.outcome === 'succeeded')).toHaveLength(5);
    }

    // The stand-in: 20 launches of the one agent, never one while another was running.
    expect(api.stats.launches).toBe(20);
    expect(api.stats.overlaps).toBe(0);
    expect(api.stats.maxRunning).toBe(1);

    // The runs' own account: holding periods ("holding the lock" → "done") never overlap.
    const periods = TARGETS.map((t) => {
      const i = TARGETS.indexOf(t) % 2 === 0 ? a : b;
      const from = at(i, t, 'holding the lock');
      const to = at(i, t, 'done in');
      expect(from, t).toBeDefined();
      expect(to, t).toBeDefined();
      return [from as number, to as number] as const;
    }).sort((x, y) => x[0] - y[0]);
    for (let n = 1; n < periods.length; n++)
      expect((periods[n] as readonly [number, number])[0]).toBeGreaterThanOrEqual(
        (periods[n - 1] as readonly [number, number])[1],
      );
    // Runs waited in line and said where they stood.
    const waits = [...a.said, ...b.said].filter((s) => s.message?.startsWith('waiting for the lock'));
    expect(waits.length).toBeGreaterThanOrEqual(5);

    // Every row holds its own agent's result, never a corrupted one.
    for (const t of TARGETS)
      for (const row of await results(t)) {
        expect(row['status'], t).toBe('ok');
        expect(row['corrupted']).toBe(false);
        expect(row['found']).toBe(expectedFound(String(row['query'])));
        expect(String(row['query'])).toContain(`search ${t} #`);
      }
    expect(api.stats.faults).toBeGreaterThan(0);
  }, 180_000);

  test('the holder killed with SIGKILL: the waiting run gets the lock after its TTL, and completes', async () => {
    // k1 holds the lock on an agent that never finishes; k2, in the other process, waits in line.
    const holder = instance(stuck.url, ['k1']);
    await until(() => at(holder, 'k1', 'holding the lock') !== undefined, 60_000, 'k1 holding the lock');
    const waiter = instance(api.url, ['k2']);
    await until(() => at(waiter, 'k2', 'waiting for the lock') !== undefined, 60_000, 'k2 in line');
    const killedAt = Date.now();
    holder.child.kill('SIGKILL');
    expect(await holder.exited).toBeNull();
    await until(() => at(waiter, 'k2', 'holding the lock') !== undefined, 30_000, 'k2 holding the lock');
    const freeAfter = (at(waiter, 'k2', 'holding the lock') as number) - killedAt;
    // Not before the TTL (nobody released it; the last renewal was at most a third of it before the
    // kill), and soon after it (one poll of the waiter: a third of the TTL, plus a loaded machine).
    expect(freeAfter).toBeGreaterThanOrEqual(TTL_MS - TTL_MS / 3 - 100);
    expect(freeAfter).toBeLessThanOrEqual(TTL_MS + 3_000);
    expect(await waiter.exited, waiter.err()).toBe(0);
    expect(waiter.said.find((s) => s.run === 'agent_k2' && s.outcome)?.outcome).toBe('succeeded');
    expect((await results('k2')).map((r) => r['status'])).toEqual(['ok', 'ok']);
  }, 120_000);
});
