import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { generateCandidates } from '../../../examples/sourcing/generator/generate-candidates.js';
import { ScoringApi } from '../../../examples/sourcing/stand-in/scoring-api.js';
import { createEnrichProject, enrichPipelineYaml } from '../../../test/enrichment-fixture.js';
import { recordingContext } from '../../../test/pipeline-context.js';
import { until } from '../../../test/until.js';
import { loadProject } from '../../config/project/load-project.js';
import { TrellisError } from '../../errors.js';
import { openStore, type Store } from '../../store/store.js';
import { StoreResourceLocks } from '../coordination/resource-locks.js';
import { StoreRateLimiter } from '../coordination/shared-rate-limiter.js';
import { createPipelineRunner } from './pipeline-runner.js';

/**
 * `lock:` through the pipeline runner: two runs of pipelines that share a lock on two runners (as two
 * instances would, one store between them). With `wait: fail` the second is refused at once; with
 * `wait: queue` it waits in line, shows its position, and runs after the first.
 */
const KEY = 'sk-lock-test-0123456789';
let api: ScoringApi;
let store: Store;
let dir: string;
const quiet = { info: () => {}, warn: () => {}, error: () => {} };

beforeAll(async () => {
  api = await ScoringApi.start({ keys: [KEY], limit: 1e9, windowMs: 1000, latencyMs: 2 });
  const options = {
    batch: 20,
    concurrency: 4,
    timeout: '5s',
    retries: 1,
    backoff: '10ms',
    maxBackoff: '50ms',
  };
  dir = await createEnrichProject({ a: generateCandidates(400, 1), b: generateCandidates(400, 2) }, options);
  for (const [target, wait] of [
    ['a', 'fail'],
    ['b', 'fail'],
  ] as const)
    writeFileSync(
      path.join(dir, 'pipelines', `screen_${target}.yaml`),
      `${enrichPipelineYaml(target, options)}lock: { name: agent, wait: ${wait}, ttl: 5s }\n`,
    );
  for (const target of ['a', 'b'])
    writeFileSync(
      path.join(dir, 'pipelines', `queue_${target}.yaml`),
      `${enrichPipelineYaml(target, options)}lock: { name: agent-q, wait: queue, ttl: 5s }\n`.replace(
        'screening',
        'screening_q',
      ),
    );
  store = await openStore({ kind: 'sqlite', file: path.join(dir, 'meta', 'meta.sqlite') });
});
afterAll(async () => {
  await store?.close();
  await api?.close();
});

async function runners() {
  const loaded = await loadProject(dir);
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
  const make = () =>
    createPipelineRunner({
      project: loaded.project,
      environment: { SCORING_API_URL: api.url, SCORING_API_KEY: KEY },
      logger: quiet,
      coordination: { limiter: new StoreRateLimiter(store), locks: new StoreResourceLocks(store) },
    });
  return [make(), make()] as const;
}

describe('lock: in pipeline runs', () => {
  test('wait: fail — the second run is refused while the first holds the lock', async () => {
    const [one, two] = await runners();
    const ctxA = recordingContext('run-a');
    const first = one.run('screen_a', ctxA);
    // The first holds the lock before the second asks.
    await until(() => ctxA.logs.some((l) => l.message.startsWith('holding the lock')), 15_000, 'the lock');
    const second = await two.run('screen_b', recordingContext('run-b')).catch((e: unknown) => e);
    expect(second).toBeInstanceOf(TrellisError);
    expect((second as TrellisError).code).toBe('PIPELINE_LOCK_BUSY');
    expect((await first).outcome).toBe('succeeded');
    // Released: now it runs.
    expect((await two.run('screen_b', recordingContext('run-b2'))).outcome).toBe('succeeded');
  });

  test('wait: queue — the second waits in line with its position, then runs; never both at once', async () => {
    const [one, two] = await runners();
    const at = new Map<string, number>();
    const timed = (runId: string) => {
      const ctx = recordingContext(runId);
      return {
        ...ctx,
        log: (level: 'info' | 'warn' | 'error', message: string) => {
          ctx.log(level, message);
          at.set(`${runId}: ${message.startsWith('done in') ? 'done' : message}`, Date.now());
        },
      };
    };
    const ctxA = timed('run-qa');
    const ctxB = timed('run-qb');
    const first = one.run('queue_a', ctxA);
    await until(() => at.has('run-qa: holding the lock "agent-q"'), 15_000, 'the lock');
    const second = two.run('queue_b', ctxB);
    const [a, b] = await Promise.all([first, second]);
    expect(a.outcome).toBe('succeeded');
    expect(b.outcome).toBe('succeeded');
    expect(ctxB.logs.map((l) => l.message)).toContain('waiting for the lock "agent-q": position 1 in line');
    // B held the lock only after A was done: never both at once.
    const aDone = at.get('run-qa: done');
    const bHolds = at.get('run-qb: holding the lock "agent-q"');
    expect(aDone).toBeDefined();
    expect(bHolds).toBeDefined();
    expect(bHolds as number).toBeGreaterThanOrEqual(aDone as number);
  });
});
