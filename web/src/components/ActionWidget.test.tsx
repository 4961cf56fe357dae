import { fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { PipelineSummary, RunSummary, WidgetDefinition } from '../../../contract/index.js';
import { runFixture } from '../app/jobs/run-test-data.js';
import { renderWithQueryClient, serveApi, type ServedRequest } from '../dom-test-kit.js';
import { ActionWidget } from './ActionWidget.js';

const widget: WidgetDefinition = {
  id: 'screen_selected',
  type: 'action',
  title: 'Screen selected candidates',
  width: 4,
  height: 'medium',
  filters: [],
  freshnessMs: 0,
  action: {
    pipeline: 'screen',
    pipelineTitle: 'Screen candidates',
    button: 'Screen',
    inputs: [
      {
        name: 'note',
        label: 'Note',
        hint: null,
        required: false,
        type: 'text',
        maxLength: 10,
        pattern: '[a-z ]+',
        default: null,
      },
    ],
    fixed: { mode: 'fast' },
    fromTable: 'candidates',
    keysInput: 'candidates',
    canRun: true,
  },
};

const pipeline = (patch: Partial<PipelineSummary> = {}): PipelineSummary => ({
  id: 'screen',
  title: 'Screen candidates',
  type: 'enrich',
  schedule: null,
  nextRunAt: null,
  datasets: ['screening'],
  lastRun: null,
  activeRun: null,
  inputs: [],
  ...patch,
});

afterEach(() => vi.unstubAllGlobals());

function serve(answer: (r: ServedRequest) => { status?: number; body: unknown } | undefined) {
  return serveApi((r) => answer(r) ?? { body: { pipelines: [pipeline()] } });
}

function show(keys: readonly string[], w: WidgetDefinition = widget) {
  return renderWithQueryClient(
    <ActionWidget dashboardId="screening" widget={w} selectedKeys={keys} tableTitle="Candidates" />,
  );
}

describe('the action widget', () => {
  it('asks for a selection first and sends nothing without one', () => {
    const requests = serve(() => undefined);
    show([]);
    expect(screen.getByText('Select rows in “Candidates” to run this on them.')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Screen' }));
    expect(screen.getByText('Select at least one row in “Candidates” first.')).toBeTruthy();
    expect(requests.filter((r) => r.method === 'POST')).toEqual([]);
  });

  it('checks its fields like the server, then sends the fixed inputs, the fields and the selected keys', async () => {
    let refuse = true;
    const requests = serve(({ method }) => {
      if (method !== 'POST') return undefined;
      if (refuse)
        return {
          status: 400,
          body: {
            error: 'PIPELINE_INPUTS_INVALID',
            message: 'The inputs are not valid.',
            requestId: 'req-1',
            issues: [
              { path: 'candidates', message: 'Candidates holds a key that is too long or not printable' },
            ],
          },
        };
      return { status: 202, body: runFixture({ id: 'r9', pipelineId: 'screen', status: 'queued' }) };
    });
    show(['c1', 'c2']);
    expect(screen.getByText('2 rows from “Candidates”')).toBeTruthy();
    const note = screen.getByLabelText('Note') as HTMLInputElement;
    fireEvent.change(note, { target: { value: 'Not OK!' } });
    fireEvent.click(screen.getByRole('button', { name: 'Screen' }));
    expect(screen.getByText('Note is not in the expected form')).toBeTruthy();
    expect(note.getAttribute('aria-invalid')).toBe('true');
    expect(requests.filter((r) => r.method === 'POST')).toEqual([]);

    fireEvent.change(note, { target: { value: 'seniors' } });
    fireEvent.click(screen.getByRole('button', { name: 'Screen' }));
    // The server's issue on the keys input shows beside the selection, not as a stray message.
    await screen.findByText('Candidates holds a key that is too long or not printable');
    expect(screen.getByTestId('action-keys').textContent).toBe(
      'Candidates holds a key that is too long or not printable',
    );
    const post = requests.find((r) => r.method === 'POST');
    expect(post?.url.pathname).toBe('/api/v1/pipelines/screen/runs');
    expect(post?.body).toEqual({ inputs: { mode: 'fast', note: 'seniors', candidates: ['c1', 'c2'] } });

    refuse = false;
    fireEvent.click(screen.getByRole('button', { name: 'Screen' }));
    await waitFor(() => expect(requests.filter((r) => r.method === 'POST')).toHaveLength(2));
  });

  it('shows the active run with Cancel, and after a cancelled run offers Resume with the same inputs', async () => {
    const active: RunSummary = runFixture({ id: 'r1', pipelineId: 'screen', status: 'running' });
    let current = pipeline({ activeRun: active });
    const requests = serve(({ method, url }) => {
      if (method === 'POST' && url.pathname === '/api/v1/runs/r1/cancel')
        return { status: 202, body: { ...active, cancelRequested: true } };
      if (method === 'POST') return { status: 202, body: runFixture({ id: 'r2', pipelineId: 'screen' }) };
      return { body: { pipelines: [current] } };
    });
    const view = show(['c1']);
    await screen.findByTestId('run-progress');
    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(requests.some((r) => r.url.pathname === '/api/v1/runs/r1/cancel')).toBe(true));

    const inputs = { candidates: ['c1', 'c7'], note: 'again' };
    current = pipeline({ lastRun: { ...active, status: 'cancelled', inputs } });
    await view.queryClient.invalidateQueries();
    const resume = await screen.findByRole('button', { name: 'Resume' });
    fireEvent.click(resume);
    await waitFor(() =>
      expect(requests.find((r) => r.url.pathname === '/api/v1/pipelines/screen/runs')?.body).toEqual({
        inputs,
      }),
    );
  });

  it('after a run with failed rows offers “Retry N failed rows”, which retries that run and nothing else', async () => {
    const inputs = { candidates: ['c1', 'c2', 'c3'], note: 'again' };
    const done = runFixture({
      id: 'r5',
      pipelineId: 'screen',
      status: 'succeeded',
      inputs,
      progress: {
        done: 3,
        total: 3,
        unit: 'rows',
        ratePerSecond: null,
        etaSeconds: null,
        message: null,
        failed: 2,
      },
    });
    let current = pipeline({ lastRun: done });
    const requests = serve(({ method }) =>
      method === 'POST'
        ? {
            status: 202,
            body: runFixture({ id: 'r6', pipelineId: 'screen', status: 'queued', retryOf: 'r5' }),
          }
        : { body: { pipelines: [current] } },
    );
    const view = show([]);
    fireEvent.click(await screen.findByRole('button', { name: 'Retry 2 failed rows' }));
    await waitFor(() => expect(requests.filter((r) => r.method === 'POST')).toHaveLength(1));
    const post = requests.find((r) => r.method === 'POST');
    expect(post?.url.pathname).toBe('/api/v1/pipelines/screen/runs');
    expect(post?.body).toEqual({ retryFailedOf: 'r5' });

    // A run without failures, or one still going, offers none.
    current = pipeline({ lastRun: { ...done, progress: { ...done.progress, failed: 0 } } });
    await view.queryClient.invalidateQueries();
    await waitFor(() => expect(screen.queryByRole('button', { name: /failed row/ })).toBeNull());
    current = pipeline({ lastRun: done, activeRun: runFixture({ id: 'r6', pipelineId: 'screen' }) });
    await view.queryClient.invalidateQueries();
    await screen.findByTestId('run-progress');
    expect(screen.queryByRole('button', { name: /failed row/ })).toBeNull();
  });

  it('says when it is not available, and shows no button to a role that may not run it', () => {
    serve(() => undefined);
    const { unmount } = show([], { ...widget, action: undefined });
    expect(screen.getByText('This action is not available to your organisation.')).toBeTruthy();
    unmount();
    const action = widget.action;
    if (!action) throw new Error('fixture');
    show(['c1'], { ...widget, action: { ...action, canRun: false } });
    expect(screen.queryByRole('button', { name: 'Screen' })).toBeNull();
    expect(screen.getByText('Your role may not run this action (editors can).')).toBeTruthy();
  });
});
