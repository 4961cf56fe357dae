import { fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runFixture } from '../app/jobs/run-test-data.js';
import { renderWithQueryClient, serveApi } from '../dom-test-kit.js';
import { RunHistory } from './RunHistory.js';

afterEach(() => vi.unstubAllGlobals());

const progress = (failed?: number) => ({
  done: 10,
  total: 10,
  unit: 'rows',
  ratePerSecond: null,
  etaSeconds: null,
  message: null,
  ...(failed === undefined ? {} : { failed }),
});
const runs = [
  runFixture({ id: 'r3', pipelineId: 'screen', status: 'running', progress: progress(1) }),
  runFixture({ id: 'r2', pipelineId: 'screen', status: 'succeeded', progress: progress(0), retryOf: 'r1' }),
  runFixture({ id: 'r1', pipelineId: 'screen', status: 'succeeded', progress: progress(2) }),
];

function serve() {
  return serveApi(({ method }) =>
    method === 'POST'
      ? { status: 202, body: runFixture({ id: 'r4', pipelineId: 'screen', status: 'queued', retryOf: 'r1' }) }
      : { body: { runs, nextCursor: null } },
  );
}

describe('the run history', () => {
  it('offers “Retry N failed rows” on finished runs that left failed rows, and retries that run', async () => {
    const requests = serve();
    renderWithQueryClient(
      <RunHistory pipelineId="screen" pipelineTitle="Screen" onShowLog={() => undefined} canRetryFailed />,
    );
    const buttons = await screen.findAllByTestId('retry-failed');
    // Only r1: r2 has none failed, r3 is still running.
    expect(buttons.map((b) => b.textContent)).toEqual(['Retry 2 failed rows']);
    expect(buttons[0]?.closest('tr')?.getAttribute('data-run-id')).toBe('r1');
    expect(
      screen
        .getByText(/retry of failed rows/)
        .closest('tr')
        ?.getAttribute('data-run-id'),
    ).toBe('r2');
    fireEvent.click(buttons[0] as HTMLElement);
    await waitFor(() => expect(requests.filter((r) => r.method === 'POST')).toHaveLength(1));
    const post = requests.find((r) => r.method === 'POST');
    expect(post?.url.pathname).toBe('/api/v1/pipelines/screen/runs');
    expect(post?.body).toEqual({ retryFailedOf: 'r1' });
  });

  it('offers none when the caller may not (a viewer, another pipeline type, a run active)', async () => {
    serve();
    renderWithQueryClient(
      <RunHistory pipelineId="screen" pipelineTitle="Screen" onShowLog={() => undefined} />,
    );
    await screen.findAllByRole('row');
    expect(screen.queryByTestId('retry-failed')).toBeNull();
  });
});
