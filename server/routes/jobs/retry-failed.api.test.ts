import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { RunSummary } from '../../../contract/jobs.schema.js';
import { generateCandidates } from '../../../examples/sourcing/generator/generate-candidates.js';
import { loginAs, startApp, type SignedIn, type TestApp } from '../../../test/app-harness.js';
import {
  createEnrichProject,
  enrichPipelineYaml,
  withPickedInputs,
} from '../../../test/enrichment-fixture.js';
import { until } from '../../../test/until.js';
import { StoreQueue } from '../../jobs/store-queue.js';
import { openStore, type Store } from '../../store/store.js';

/**
 * "Retry N failed rows" (docs/pipelines.md#re-running-failed-rows) through the jobs API with the real
 * enrich runner and worker: a run of 5 picked candidates against a scoring API that refuses two of
 * them (422, final) ends with 2 failed; `retryFailedOf` starts a run with that run's inputs that
 * calls exactly those two again. Who may: the pipeline's organisation's editors; a viewer 403,
 * another organisation 404, a run of another pipeline 404, inputs alongside 400.
 */
const KEY = 'retry-test-key';
const candidates = generateCandidates(12).filter((c) => !c.headline.includes('('));
const refused = new Set<string>();
const calls = new Map<string, number>();
/** While set, answers wait here (a run held mid-call). */
let held: (() => void)[] | null = null;
let scoring: Server;
let app: TestApp;
let close: () => Promise<void>;
let store: Store;
let editor: SignedIn;
let viewer: SignedIn;
let outsider: SignedIn;

beforeAll(async () => {
  // The scoring API's shape (POST /score → score, reasons), refusing the ids in `refused`.
  scoring = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const { id } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { id: string };
      calls.set(id, (calls.get(id) ?? 0) + 1);
      const ok = !refused.has(id) && req.headers['x-api-key'] === KEY;
      const answer = () => {
        res.writeHead(ok ? 200 : 422, { 'content-type': 'application/json' });
        res.end(JSON.stringify(ok ? { score: 42, reasons: 'fits' } : { error: 'unscorable' }));
      };
      if (held) held.push(answer);
      else answer();
    });
  });
  await new Promise<void>((resolve) => scoring.listen(0, '127.0.0.1', resolve));
  const settings = {
    batch: 2,
    concurrency: 2,
    timeout: '5s',
    retries: 1,
    backoff: '10ms',
    maxBackoff: '50ms',
  };
  const dir = await createEnrichProject({ a: candidates, b: candidates }, settings);
  writeFileSync(
    path.join(dir, 'pipelines', 'screen_a.yaml'),
    withPickedInputs(enrichPipelineYaml('a', settings)),
  );
  store = await openStore({ kind: 'memory' });
  const url = `http://127.0.0.1:${(scoring.address() as AddressInfo).port}`;
  ({ app, close } = await startApp(
    dir,
    { environment: { SCORING_API_URL: url, SCORING_API_KEY: KEY } },
    {
      store,
      queue: new StoreQueue(store, { pollMs: 20, leaseMs: 5_000 }),
      jobTimings: { cancelPollMs: 100, eventsPollMs: 50 },
    },
  ));
  app.services.jobs.startWorker();
  editor = await loginAs(app, { org: 'sourcex', role: 'editor' });
  viewer = await loginAs(app, { org: 'sourcex', role: 'viewer' });
  outsider = await loginAs(app, { org: 'talentco', role: 'admin' });
});
afterAll(async () => {
  await close?.();
  await store?.close();
  await new Promise((resolve) => scoring?.close(resolve));
});

const start = (who: SignedIn, pipeline: string, payload: Record<string, unknown>) =>
  who.inject({ method: 'POST', url: `/api/v1/pipelines/${pipeline}/runs`, payload });
const finished = (id: string) =>
  until(
    async () => {
      const run = (await editor.inject(`/api/v1/runs/${id}`)).json() as RunSummary;
      return ['succeeded', 'failed', 'cancelled'].includes(run.status) ? run : undefined;
    },
    30_000,
    `run ${id} to finish`,
  );

describe('re-running the failed rows of a run', () => {
  test('a retry calls exactly the failed rows again, with the run’s inputs; the history says what it retried', async () => {
    const picked = candidates.slice(0, 5).map((c) => c.id);
    refused.add(picked[1] as string).add(picked[3] as string);
    const inputs = { picked, note: 'senior roles' };
    const first = (await start(editor, 'screen_a', { inputs })).json() as RunSummary;
    const done = await finished(first.id);
    expect(done.status).toBe('succeeded');
    expect(done.progress.failed).toBe(2);
    expect(done.retryOf).toBeNull();

    // Not possible: a viewer (403), another organisation (404), a run of another pipeline (404),
    // inputs of its own (400), a run that is not there (404). None of them starts a run.
    expect((await start(viewer, 'screen_a', { retryFailedOf: first.id })).statusCode).toBe(403);
    const theirs = await start(outsider, 'screen_a', { retryFailedOf: first.id });
    expect(theirs.statusCode).toBe(404);
    const other = await start(editor, 'screen_b', { retryFailedOf: first.id });
    expect(other.statusCode).toBe(404);
    expect((other.json() as { error: string }).error).toBe('RUN_NOT_FOUND');
    const withInputs = await start(editor, 'screen_a', { retryFailedOf: first.id, inputs });
    expect(withInputs.statusCode).toBe(400);
    expect((withInputs.json() as { issues: { path: string }[] }).issues.map((i) => i.path)).toEqual([
      'inputs',
    ]);
    expect((await start(editor, 'screen_a', { retryFailedOf: 'no-such-run' })).statusCode).toBe(404);
    const history = (await editor.inject('/api/v1/pipelines/screen_a/runs')).json() as { runs: RunSummary[] };
    expect(history.runs.map((r) => r.id)).toEqual([first.id]);

    // The API takes them now: the retry scores the two, and only them.
    refused.clear();
    const before = new Map(calls);
    const r = await start(editor, 'screen_a', { retryFailedOf: first.id });
    expect(r.statusCode).toBe(202);
    const retry = r.json() as RunSummary;
    expect(retry.retryOf).toBe(first.id);
    expect(retry.inputs).toEqual(inputs);
    const retried = await finished(retry.id);
    expect(retried.status).toBe('succeeded');
    expect(retried.progress.failed).toBe(0);
    expect(retried.progress.done).toBe(2);
    const again = [...calls].filter(([id, n]) => n > (before.get(id) ?? 0)).map(([id]) => id);
    expect(again.sort()).toEqual([picked[1], picked[3]].sort());
    // Rows never picked were never called.
    expect(candidates.slice(5).every((c) => !calls.has(c.id))).toBe(true);
    const listed = (await viewer.inject('/api/v1/pipelines/screen_a/runs')).json() as { runs: RunSummary[] };
    expect(listed.runs.find((x) => x.id === retry.id)?.retryOf).toBe(first.id);
    const audit = await store.db
      .selectFrom('audit_log')
      .select('detail')
      .where('action', '=', 'pipeline.run')
      .execute();
    expect(
      audit.some((a) => (JSON.parse(a.detail) as { retryFailedOf?: string }).retryFailedOf === first.id),
    ).toBe(true);
  });

  test('a run still going cannot be retried (409 RUN_NOT_RETRYABLE)', async () => {
    held = [];
    const going = (await start(editor, 'screen_b', {})).json() as RunSummary;
    await until(async () => ((held?.length ?? 0) > 0 ? true : undefined), 20_000, 'a call of the run');
    const r = await start(editor, 'screen_b', { retryFailedOf: going.id });
    expect(r.statusCode).toBe(409);
    expect((r.json() as { error: string }).error).toBe('RUN_NOT_RETRYABLE');
    const waiting = held;
    held = null;
    for (const answer of waiting) answer();
    expect((await finished(going.id)).status).toBe('succeeded');
  });
});
