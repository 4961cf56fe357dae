import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { DashboardDefinition } from '../../../contract/dashboards.schema.js';
import type { RunSummary } from '../../../contract/jobs.schema.js';
import { loginAs, startApp, type SignedIn, type TestApp } from '../../../test/app-harness.js';
import { repoRoot } from '../../../test/paths.js';
import { openStore, type Store } from '../../store/store.js';

/**
 * The sourcing example's "Screen" action widget (dashboards/screening.yaml) launches through the
 * Jobs API with the table's selected keys: no new route, so the attacker checks are those of that
 * route, exercised here with what the widget sends. No worker runs: a launched run stays queued and
 * is cancelled, so no scoring API is called.
 */
let app: TestApp;
let close: () => Promise<void>;
let store: Store;
let editor: SignedIn;
let viewer: SignedIn;
let outsider: SignedIn;
let outsiderViewer: SignedIn;

beforeAll(async () => {
  store = await openStore({ kind: 'memory' });
  ({ app, close } = await startApp(
    path.join(repoRoot, 'examples', 'sourcing'),
    { environment: { SCORING_API_KEY: 'action-test-key', SCORING_API_URL: 'http://127.0.0.1:9' } },
    { store },
  ));
  editor = await loginAs(app, { org: 'sourcex', role: 'editor' });
  viewer = await loginAs(app, { org: 'sourcex', role: 'viewer' });
  outsider = await loginAs(app, { org: 'talentco', role: 'admin' });
  outsiderViewer = await loginAs(app, { org: 'talentco', role: 'viewer' });
});
afterAll(async () => {
  await close?.();
  await store?.close();
});

const ids = (n: number, from = 1) =>
  Array.from({ length: n }, (_, i) => `c${String(from + i).padStart(5, '0')}`);
const launch = (who: SignedIn, inputs: unknown) =>
  who.inject({ method: 'POST', url: '/api/v1/pipelines/screen/runs', payload: { inputs } });
const dashboard = async (who: SignedIn) =>
  (await who.inject('/api/v1/dashboards/screening')).json() as DashboardDefinition;

describe('the Screen action widget’s launch', () => {
  test('the dashboard gives the form to the pipeline’s organisation only; a viewer sees it cannot run', async () => {
    const mine = await dashboard(editor);
    const action = mine.widgets.find((w) => w.id === 'screen_selected')?.action;
    expect(action).toMatchObject({ pipeline: 'screen', keysInput: 'candidates', canRun: true });
    expect(action?.inputs.map((i) => i.name)).toEqual(['note']);
    expect(mine.widgets.find((w) => w.id === 'candidates')?.selection?.max).toBe(50);
    expect((await dashboard(viewer)).widgets.find((w) => w.id === 'screen_selected')?.action?.canRun).toBe(
      false,
    );
    const theirs = await dashboard(outsider);
    expect(theirs.widgets.find((w) => w.id === 'screen_selected')?.action).toBeUndefined();
    expect(theirs.widgets.find((w) => w.id === 'candidates')?.selection).toBeUndefined();
  });

  test('an editor’s launch with the selected keys is stored with the run; another organisation neither launches nor sees it', async () => {
    const keys = ids(20);
    const r = await launch(editor, { candidates: keys, note: 'senior roles' });
    expect(r.statusCode).toBe(202);
    const run = r.json() as RunSummary;
    expect(run.inputs).toEqual({ candidates: keys, note: 'senior roles' });

    // Another organisation: the run, the pipeline's history and a launch of it do not exist.
    for (const who of [outsider, outsiderViewer]) {
      const seen = await who.inject(`/api/v1/runs/${run.id}`);
      expect(seen.statusCode).toBe(404);
      expect(seen.body).not.toContain('senior roles');
      expect((await who.inject('/api/v1/pipelines/screen/runs')).statusCode).toBe(404);
      // Cancelling it: not found for their admin; their viewer may cancel nothing at all (403 first).
      const cancel = await who.inject({ method: 'POST', url: `/api/v1/runs/${run.id}/cancel` });
      expect(cancel.statusCode).toBe(who === outsider ? 404 : 403);
    }
    const theirs = await launch(outsider, { candidates: ids(2) });
    expect(theirs.statusCode).toBe(404);
    expect((theirs.json() as { error: string }).error).toBe('PIPELINE_NOT_FOUND');
    const cancelled = await editor.inject({ method: 'POST', url: `/api/v1/runs/${run.id}/cancel` });
    expect(cancelled.statusCode).toBe(202);
  });

  test('a viewer cannot launch (403, typed) and a stranger gets 401', async () => {
    const v = await launch(viewer, { candidates: ids(3) });
    expect(v.statusCode).toBe(403);
    expect((v.json() as { error: string }).error).toBe('FORBIDDEN');
    const anon = await app.inject({
      method: 'POST',
      url: '/api/v1/pipelines/screen/runs',
      payload: { inputs: { candidates: ids(3) } },
    });
    expect(anon.statusCode).toBe(401);
  });

  test('keys the input would not take are refused 400 with the issue on the keys input, and no run is made', async () => {
    const before = (await editor.inject('/api/v1/pipelines/screen/runs')).json() as { runs: unknown[] };
    const bad: unknown[] = [
      ids(51), // more than max_count (50)
      ['c00001', 'x'.repeat(41)], // longer than max_length (40)
      ['c00001', 'bell\u0007'], // a control character
      42, // not a list
    ];
    for (const candidates of bad) {
      const r = await launch(editor, { candidates, note: 'x' });
      expect(r.statusCode, JSON.stringify(candidates).slice(0, 60)).toBe(400);
      const body = r.json() as { error: string; issues: { path: string }[] };
      expect(body.error).toBe('PIPELINE_INPUTS_INVALID');
      expect(body.issues.map((i) => i.path)).toEqual(['candidates']);
    }
    // A value for a host or path: `note` goes nowhere near the request, and its pattern refuses it.
    const hostile = await launch(editor, { candidates: ids(1), note: 'http://evil.example/x' });
    expect(hostile.statusCode).toBe(400);
    expect((hostile.json() as { issues: { path: string }[] }).issues.map((i) => i.path)).toEqual(['note']);
    // Inputs the pipeline does not declare (a `url`, say) are refused by name.
    const extra = await launch(editor, { candidates: ids(1), url: 'http://evil.example/' });
    expect(extra.statusCode).toBe(400);
    const after = (await editor.inject('/api/v1/pipelines/screen/runs')).json() as { runs: unknown[] };
    expect(after.runs.length).toBe(before.runs.length);
  });
});
