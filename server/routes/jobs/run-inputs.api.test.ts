import { describe, expect, test } from 'vitest';
import type { RunSummary } from '../../../contract/jobs.schema.js';
import type { RunInputSpec } from '../../../contract/run-inputs.js';
import { useJobsApp } from '../../../test/jobs-app.js';
import type { SignedIn } from '../../../test/app-harness.js';
import { until } from '../../../test/until.js';

/**
 * Runs with inputs through the jobs API (inject), a real store, queue and worker: validation with one
 * issue per bad field, storage with the run (migration 0010), the values the worker hands the
 * pipeline, the audit entry, and who may start and see them.
 */
const INPUTS: RunInputSpec[] = [
  {
    name: 'keywords',
    label: 'Keywords',
    hint: 'words a profile must mention',
    required: true,
    type: 'text',
    maxLength: 40,
    pattern: "[\\p{L}\\p{N} ,+'-]+",
    default: null,
  },
  {
    name: 'max_results',
    label: 'Max results',
    hint: null,
    required: false,
    type: 'number',
    min: 1,
    max: 500,
    integer: true,
    default: 50,
  },
  {
    name: 'location',
    label: 'Location',
    hint: null,
    required: false,
    type: 'enum',
    values: ['Berlin', 'Paris'],
    default: null,
  },
  {
    name: 'since',
    label: 'Since',
    hint: null,
    required: false,
    type: 'date',
    min: '2020-01-01',
    max: null,
    default: null,
  },
  {
    name: 'candidates',
    label: 'Candidates',
    hint: null,
    required: false,
    type: 'keys',
    maxCount: 3,
    maxLength: 20,
    default: null,
  },
];

const suite = useJobsApp([
  { id: 'search', organisation: 'acme', pages: 2, inputs: INPUTS },
  { id: 'plain', organisation: 'acme', pages: 1 },
]);

const start = (who: SignedIn, pipeline: string, inputs?: unknown) =>
  who.inject({
    method: 'POST',
    url: `/api/v1/pipelines/${pipeline}/runs`,
    payload: inputs === undefined ? {} : { inputs },
  });
const finished = (who: SignedIn, id: string) =>
  until(
    async () => {
      const run = (await who.inject(`/api/v1/runs/${id}`)).json() as RunSummary;
      return ['succeeded', 'failed', 'cancelled'].includes(run.status) ? run : undefined;
    },
    20_000,
    `run ${id} to finish`,
  );

describe('runs with inputs', () => {
  test('the pipeline list carries the declared inputs for the form', async () => {
    const list = (await suite.viewer.inject('/api/v1/pipelines')).json().pipelines as {
      id: string;
      inputs: RunInputSpec[];
    }[];
    expect(list.find((p) => p.id === 'search')?.inputs).toEqual(INPUTS);
    expect(list.find((p) => p.id === 'plain')?.inputs).toEqual([]);
  });

  test('bad inputs are 400 PIPELINE_INPUTS_INVALID with one issue per field, and no run is made', async () => {
    const r = await start(suite.editor, 'search', {
      keywords: 'x'.repeat(41),
      max_results: 1.5,
      location: 'Rome',
      since: '2019-12-31',
      candidates: ['a', 'b', 'c', 'd'],
    });
    expect(r.statusCode).toBe(400);
    const body = r.json() as {
      error: string;
      requestId: string;
      issues: { path: string; message: string }[];
    };
    expect(body.error).toBe('PIPELINE_INPUTS_INVALID');
    expect(body.requestId).toBeTruthy();
    expect(Object.fromEntries(body.issues.map((i) => [i.path, i.message]))).toEqual({
      keywords: 'Keywords must be at most 40 characters',
      max_results: 'Max results must be a whole number',
      location: 'Location must be one of Berlin, Paris',
      since: 'Since must be on or after 2020-01-01',
      candidates: 'Candidates must hold at most 3 keys',
    });
    const missing = (await start(suite.editor, 'search', {})).json() as { issues: { path: string }[] };
    expect(missing.issues.map((i) => i.path)).toEqual(['keywords']);
    const pattern = (await start(suite.editor, 'search', { keywords: 'a; DROP' })).json() as {
      issues: { path: string; message: string }[];
    };
    expect(pattern.issues).toEqual([{ path: 'keywords', message: 'Keywords is not in the expected form' }]);
    const unknown = (
      await start(suite.editor, 'search', { keywords: 'ok', host: 'evil.example' })
    ).json() as {
      issues: { path: string; message: string }[];
    };
    expect(unknown.issues).toEqual([{ path: 'inputs', message: 'unknown input "host"' }]);
    expect((await start(suite.editor, 'plain', { anything: 1 })).json().issues).toEqual([
      { path: 'inputs', message: 'this pipeline takes no inputs' },
    ]);
    const runs = await suite.store.db.selectFrom('pipeline_runs').select('id').execute();
    expect(runs).toEqual([]);
  });

  test('valid inputs are stored with the run, handed to the pipeline, shown in history and audited', async () => {
    const r = await start(suite.editor, 'search', {
      keywords: '  data engineer  ',
      location: 'Paris',
      since: '2024-02-29',
      candidates: 'c1, c2\nc1',
    });
    expect(r.statusCode).toBe(202);
    const run = r.json() as RunSummary;
    const expected = {
      keywords: 'data engineer',
      max_results: 50,
      location: 'Paris',
      since: '2024-02-29',
      candidates: ['c1', 'c2'],
    };
    expect(run.inputs).toEqual(expected);
    await finished(suite.editor, run.id);
    const row = await suite.store.db
      .selectFrom('pipeline_runs')
      .select('inputs')
      .where('id', '=', run.id)
      .executeTakeFirstOrThrow();
    expect(JSON.parse(row.inputs ?? 'null')).toEqual(expected);
    const logs = (await suite.viewer.inject(`/api/v1/runs/${run.id}/logs`)).json().lines as {
      message: string;
    }[];
    expect(logs.map((l) => l.message)).toContain(`inputs ${JSON.stringify(expected)}`);
    const history = (await suite.viewer.inject('/api/v1/pipelines/search/runs')).json().runs as RunSummary[];
    expect(history.find((h) => h.id === run.id)?.inputs).toEqual(expected);
    const audit = await suite.store.db
      .selectFrom('audit_log')
      .select(['detail', 'organisation_id'])
      .where('action', '=', 'pipeline.run')
      .where('target', '=', 'search')
      .execute();
    const entry = audit.find((a) => (JSON.parse(a.detail) as { run: string }).run === run.id);
    expect(JSON.parse((JSON.parse(entry?.detail ?? '{}') as { inputs: string }).inputs)).toEqual(expected);
    // A pipeline without inputs stores none.
    const plain = (await start(suite.editor, 'plain')).json() as RunSummary;
    expect(plain.inputs).toBeNull();
    await finished(suite.editor, plain.id);
  });

  test('a viewer cannot start a run, a stranger gets 401, another organisation sees neither pipeline nor run', async () => {
    const v = await start(suite.viewer, 'search', { keywords: 'x' });
    expect(v.statusCode).toBe(403);
    const anon = await suite.app.inject({
      method: 'POST',
      url: '/api/v1/pipelines/search/runs',
      payload: { inputs: { keywords: 'x' } },
    });
    expect(anon.statusCode).toBe(401);
    const run = (await start(suite.editor, 'search', { keywords: 'secret project' })).json() as RunSummary;
    await finished(suite.editor, run.id);
    const theirs = await suite.outsider.inject(`/api/v1/runs/${run.id}`);
    expect(theirs.statusCode).toBe(404);
    expect(theirs.body).not.toContain('secret project');
    expect((await suite.outsider.inject('/api/v1/pipelines/search/runs')).statusCode).toBe(404);
    expect((await start(suite.outsider, 'search', { keywords: 'x' })).statusCode).toBe(404);
    const list = (await suite.outsider.inject('/api/v1/pipelines')).json().pipelines as unknown[];
    expect(list).toEqual([]);
  });
});
