import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { TABLE_NAMES } from '../../../examples/clinical-trials/transforms/ctgov-study.js';
import { CtgovReplayServer, type Fault } from '../../../test/ctgov-replay-server.js';
import { expectedCounts, recordingContext, silentLogger } from '../../../test/pipeline-context.js';
import {
  createPipelineProject,
  queryFile,
  summarise,
  type PipelineProjectOptions,
} from '../../../test/pipeline-fixture.js';
import { loadProject } from '../../config/project/load-project.js';
import { isTrellisError } from '../../errors.js';
import type { PipelineRunner } from '../pipeline-contract.js';
import { createPipelineRunner } from './pipeline-runner.js';

// The example's ctgov pipeline against the replay server: exact rows through faults, a failing page
// that keeps the checkpoint, cancel and resume, incremental runs. No rate limit, short timeouts.
let server: CtgovReplayServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function setup(
  studies: number,
  options: PipelineProjectOptions & { faults?: Fault[]; chaos?: number; tokenTtlMs?: number } = {},
) {
  server = await CtgovReplayServer.start({
    studies,
    ...(options.faults ? { faults: options.faults } : {}),
    ...(options.chaos ? { chaos: options.chaos } : {}),
    ...(options.tokenTtlMs ? { tokenTtlMs: options.tokenTtlMs } : {}),
  });
  const project = await createPipelineProject(options);
  const loaded = await loadProject(project.dir);
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
  const runner = createPipelineRunner({
    project: loaded.project,
    environment: { CTGOV_BASE_URL: server.url },
    logger: silentLogger,
  });
  return { project, runner, server, datasets: loaded.project.pipelines.get('ctgov')?.datasets ?? [] };
}

async function counts(file: string, org = 'atlas'): Promise<Record<string, number>> {
  const s = await summarise(file, TABLE_NAMES, org);
  return Object.fromEntries(Object.entries(s).map(([t, v]) => [t, v.rows]));
}

async function runExpectingFailure(runner: PipelineRunner, runId: string) {
  const ctx = recordingContext(runId);
  const err = await runner.run('ctgov', ctx).then(
    () => null,
    (e: unknown) => e,
  );
  return { ctx, err };
}

describe('ctgov pipeline against the replay server', () => {
  it('writes every study and child row for atlas, publishes the served file and tells which datasets changed', async () => {
    const { project, runner, datasets } = await setup(250, { pageSize: 40 });
    const ctx = recordingContext();
    const result = await runner.run('ctgov', ctx);
    expect(result.outcome).toBe('succeeded');
    const expected = expectedCounts(server as CtgovReplayServer);
    expect(expected['studies']).toBe(250);
    expect(await counts(project.served)).toEqual(expected);
    expect(await counts(project.ingest)).toEqual(expected);
    expect(result.rowsWritten).toBe(Object.values(expected).reduce((a, b) => a + b, 0));
    expect(ctx.publishedSeen).toEqual([datasets]);
    expect(datasets).toContain('studies');
    const last = ctx.progressSeen.at(-1);
    expect(last).toMatchObject({ done: 250, total: 250, unit: 'items' });
    expect(server?.served.length).toBe(7);
    // Every row belongs to atlas; nothing is duplicated.
    const dupes = await queryFile(
      project.served,
      'SELECT count(*) - count(DISTINCT nct_id) AS d FROM studies',
    );
    expect(Number(dupes[0]?.['d'])).toBe(0);
  });

  it('keeps the rows of other organisations: the first ingest file is a copy of the served one', async () => {
    const { project, runner } = await setup(150, { pageSize: 50, servedStudies: 100 });
    const beaconBefore = await summarise(project.served, TABLE_NAMES, 'beacon');
    expect(beaconBefore['studies']?.rows).toBe(40);
    const atlasBefore = await counts(project.served);
    expect(atlasBefore['studies']).toBe(60);
    // The served studies are the replay's first 100 (same seed): atlas gets all 150, beacon keeps
    // its 40 under the same NCT ids — keys are scoped to the organisation.
    await runner.run('ctgov', recordingContext());
    expect(await summarise(project.served, TABLE_NAMES, 'beacon')).toEqual(beaconBefore);
    expect(await counts(project.served)).toEqual(expectedCounts(server as CtgovReplayServer));
    // A second run changes nothing: upserts by key.
    const once = await summarise(project.served, TABLE_NAMES, null);
    await runner.run('ctgov', recordingContext('run-2'));
    expect(await summarise(project.served, TABLE_NAMES, null)).toEqual(once);
  });

  it('comes through 429 with Retry-After, 500s, 503, timeouts, truncated and malformed bodies with exact rows', async () => {
    const { project, runner } = await setup(300, {
      pageSize: 50,
      timeout: '500ms',
      faults: [
        { kind: '429', page: 1, retryAfterSeconds: 1 },
        { kind: '500', page: 2, times: 2 },
        { kind: '503', page: 3 },
        { kind: 'slow', page: 3, delayMs: 1500 },
        { kind: 'truncated', page: 4 },
        { kind: 'malformed', page: 5, times: 2 },
      ],
    });
    const ctx = recordingContext();
    const result = await runner.run('ctgov', ctx);
    expect(result.outcome).toBe('succeeded');
    expect(await counts(project.served)).toEqual(expectedCounts(server as CtgovReplayServer));
    const retries = ctx.logs.filter((l) => l.level === 'warn').map((l) => l.message);
    expect(retries).toEqual([
      expect.stringMatching(/^page 1: HTTP 429 \(rate limited\); retry 1 of 4 in 0\.2 s$/),
      expect.stringMatching(/^page 2: HTTP 500; retry 1 of 4/),
      expect.stringMatching(/^page 2: HTTP 500; retry 2 of 4/),
      expect.stringMatching(/^page 3: HTTP 503; retry 1 of 4/),
      expect.stringMatching(/^page 3: no answer within 500 ms; retry 2 of 4/),
      expect.stringMatching(/^page 4: the body (was cut off|did not arrive)/),
      expect.stringMatching(/^page 5: the body is not valid JSON/),
      expect.stringMatching(/^page 5: the body is not valid JSON/),
    ]);
  });

  it('starts the listing over when a page token expires, and still writes each study once', async () => {
    const { project, runner } = await setup(200, {
      pageSize: 50,
      faults: [{ kind: 'expired-token', page: 3 }],
    });
    const ctx = recordingContext();
    await runner.run('ctgov', ctx);
    expect(ctx.logs.map((l) => l.message)).toContainEqual(
      expect.stringMatching(/^page 3: the page token was refused .* starting the listing again from page 1$/),
    );
    expect(await counts(project.served)).toEqual(expectedCounts(server as CtgovReplayServer));
  });

  it('fails with PIPELINE_FAILED naming the page when a page stays malformed, keeps the checkpoint, and the next run resumes', async () => {
    const { project, runner } = await setup(250, {
      pageSize: 50,
      retries: 2,
      faults: [{ kind: 'malformed', page: 3, times: 3 }],
    });
    const { ctx, err } = await runExpectingFailure(runner, 'run-1');
    expect(isTrellisError(err) && err.code).toBe('PIPELINE_FAILED');
    expect((err as Error).message).toMatch(
      /^Pipeline ctgov: page 3 failed: the body is not valid JSON \(\d+ characters\) \(after 3 attempts\)$/,
    );
    expect(ctx.logs.at(-1)).toEqual({ level: 'error', message: (err as Error).message });
    // The tables hold pages 1 and 2, published; the checkpoint points at page 3.
    expect((await counts(project.served))['studies']).toBe(100);
    expect((await counts(project.ingest))['studies']).toBe(100);
    const before = server?.served.length ?? 0;
    const again = recordingContext('run-2');
    expect((await runner.run('ctgov', again)).outcome).toBe('succeeded');
    expect(again.logs.map((l) => l.message)).toContain(
      'resuming after page 2 (100 items written by an interrupted run)',
    );
    // Pages 3, 4, 5 only.
    expect(server?.served.slice(before).map((r) => r.page)).toEqual([3, 4, 5]);
    expect(await counts(project.served)).toEqual(expectedCounts(server as CtgovReplayServer));
  });

  it('stops within a page when cancelled, ends cancelled, and the next run resumes from the checkpoint', async () => {
    const { project, runner } = await setup(400, { pageSize: 50 });
    const ctx = recordingContext('run-1', (p, c) => {
      if (p.done >= 100) c.controller.abort();
    });
    const started = Date.now();
    const result = await runner.run('ctgov', ctx);
    expect(result.outcome).toBe('cancelled');
    expect(Date.now() - started).toBeLessThan(30_000);
    expect((await counts(project.served))['studies']).toBe(100);
    // Pages 1 and 2 were written (page 3 may have been downloading ahead: it is not written).
    const before = server?.served.length ?? 0;
    const next = recordingContext('run-2');
    expect((await runner.run('ctgov', next)).outcome).toBe('succeeded');
    expect(next.logs.map((l) => l.message)).toContain(
      'resuming after page 2 (100 items written by an interrupted run)',
    );
    expect(server?.served.slice(before).map((r) => r.page)).toEqual([3, 4, 5, 6, 7, 8]);
    expect(await counts(project.served)).toEqual(expectedCounts(server as CtgovReplayServer));
  });

  it('incremental: the next run asks only for studies updated since the watermark and updates them in place', async () => {
    const { project, runner } = await setup(300, { pageSize: 100 });
    await runner.run('ctgov', recordingContext('run-1'));
    const before = await summarise(project.served, TABLE_NAMES, 'atlas');
    const s = server as CtgovReplayServer;
    s.update([5, 17, 250], (i) => `Updated study ${i}`, '2030-05-01');
    // New registrations carry a recent update date too.
    s.grow(20);
    s.update(
      Array.from({ length: 20 }, (_, i) => 300 + i),
      (i) => `New study ${i}`,
      '2030-05-01',
    );
    const requests = s.served.length;
    const ctx = recordingContext('run-2');
    await runner.run('ctgov', ctx);
    expect(ctx.logs.map((l) => l.message)).toContainEqual(
      expect.stringMatching(
        /^incremental: filter\.advanced=AREA\[LastUpdatePostDate\]RANGE\[\d{4}-\d{2}-\d{2},MAX\]$/,
      ),
    );
    // One page: the 3 updated studies and the new ones dated after the watermark, nothing else.
    expect(s.served.length - requests).toBe(1);
    const after = await counts(project.served);
    expect(after).toEqual(expectedCounts(s));
    expect(after['studies']).toBe((before['studies']?.rows ?? 0) + 20);
    const titles = await queryFile(
      project.served,
      `SELECT brief_title FROM studies WHERE brief_title LIKE 'Updated study %' ORDER BY 1`,
    );
    expect(titles.map((r) => r['brief_title'])).toEqual([
      'Updated study 17',
      'Updated study 250',
      'Updated study 5',
    ]);
    // The third run asks from the new watermark: only the studies updated on 2030-05-01.
    const ctx3 = recordingContext('run-3');
    await runner.run('ctgov', ctx3);
    expect(ctx3.logs.map((l) => l.message)).toContain(
      'incremental: filter.advanced=AREA[LastUpdatePostDate]RANGE[2030-05-01,MAX]',
    );
  });

  it('comes through random faults on one page in five with exact rows', async () => {
    const { project, runner } = await setup(600, { pageSize: 25, timeout: '1s', retries: 8, chaos: 0.2 });
    const result = await runner.run('ctgov', recordingContext());
    expect(result.outcome).toBe('succeeded');
    expect(server?.served.some((r) => r.fault !== null)).toBe(true);
    expect(await counts(project.served)).toEqual(expectedCounts(server as CtgovReplayServer));
  });

  it('stops with PIPELINE_LIMIT_REACHED at max_pages, writing nothing past it', async () => {
    const { project } = await setup(500, { pageSize: 50 });
    const yamlProject = await loadProject(project.dir);
    if (!yamlProject.ok) throw new Error('project');
    const pipeline = yamlProject.project.pipelines.get('ctgov');
    if (!pipeline?.http) throw new Error('pipeline');
    const limited = { ...pipeline, http: { ...pipeline.http, maxPages: 3 } };
    const limitedRunner = createPipelineRunner({
      project: { ...yamlProject.project, pipelines: new Map([['ctgov', limited]]) },
      environment: { CTGOV_BASE_URL: (server as CtgovReplayServer).url },
      logger: silentLogger,
    });
    const { err } = await runExpectingFailure(limitedRunner, 'run-1');
    expect(isTrellisError(err) && err.code).toBe('PIPELINE_LIMIT_REACHED');
    expect((err as Error).message).toBe(
      'Pipeline ctgov: stopped before page 4: max_pages (3) reached before the end of the listing',
    );
    expect((await counts(project.served))['studies']).toBe(150);
    expect(existsSync(project.ingest)).toBe(true);
  });
});
