import { fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { PipelineSummary, RunInputSpec } from '../../../contract/index.js';
import { runFixture } from '../app/jobs/run-test-data.js';
import { renderWithQueryClient, serveApi, type ServedRequest } from '../dom-test-kit.js';
import { PipelineCard } from './PipelineCard.js';

const INPUTS: RunInputSpec[] = [
  {
    name: 'keywords',
    label: 'Keywords',
    hint: 'Words a profile must mention',
    required: true,
    type: 'text',
    maxLength: 20,
    pattern: null,
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
    name: 'candidates',
    label: 'Candidates',
    hint: null,
    required: false,
    type: 'keys',
    maxCount: 2,
    maxLength: 20,
    default: null,
  },
];

const pipeline: PipelineSummary = {
  id: 'search',
  title: 'Search profiles',
  type: 'enrich',
  schedule: null,
  nextRunAt: null,
  datasets: [],
  lastRun: null,
  activeRun: null,
  inputs: INPUTS,
};

afterEach(() => vi.unstubAllGlobals());

function open() {
  renderWithQueryClient(
    <PipelineCard pipeline={pipeline} canRun historyOpen={false} onShowLog={() => undefined} />,
  );
  expect(screen.queryByRole('button', { name: 'Run now: Search profiles' })).toBeNull();
  fireEvent.click(screen.getByRole('button', { name: 'Run with inputs: Search profiles' }));
  return screen.getByTestId('run-inputs-form');
}

const field = (label: string) => screen.getByLabelText(label, { exact: false }) as HTMLInputElement;

describe('Run with inputs…', () => {
  it('builds the form from the declared inputs, with defaults and hints', () => {
    open();
    expect(field('Keywords').required).toBe(true);
    expect(screen.getByText('Words a profile must mention')).toBeTruthy();
    expect(field('Max results').value).toBe('50');
    expect(field('Max results').type).toBe('number');
    expect(field('Location').tagName).toBe('SELECT');
    expect(field('Candidates').tagName).toBe('TEXTAREA');
    expect(screen.getByText('Up to 2, separated by commas or new lines.')).toBeTruthy();
  });

  it('checks like the server before sending: problems next to each field, nothing sent', () => {
    const requests = serveApi(() => ({ status: 500, body: {} }));
    open();
    fireEvent.change(field('Max results'), { target: { value: '0' } });
    fireEvent.change(field('Candidates'), { target: { value: 'a, b, c' } });
    fireEvent.click(screen.getByRole('button', { name: 'Start run' }));
    expect(screen.getByText('Keywords is required')).toBeTruthy();
    expect(screen.getByText('Max results must be at least 1')).toBeTruthy();
    expect(screen.getByText('Candidates must hold at most 2 keys')).toBeTruthy();
    expect(field('Keywords').getAttribute('aria-invalid')).toBe('true');
    expect(requests).toEqual([]);
    // Editing a field clears its problem only.
    fireEvent.change(field('Keywords'), { target: { value: 'rust' } });
    expect(screen.queryByText('Keywords is required')).toBeNull();
    expect(screen.getByText('Max results must be at least 1')).toBeTruthy();
  });

  it('sends typed values, shows the server’s per-field answer, and closes once the run starts', async () => {
    let refuse = true;
    const requests: ServedRequest[] = serveApi(({ method }) => {
      if (method !== 'POST') return { body: { runs: [], nextCursor: null } };
      if (refuse)
        return {
          status: 400,
          body: {
            error: 'PIPELINE_INPUTS_INVALID',
            message: 'The inputs are not valid.',
            requestId: 'req-1',
            issues: [{ path: 'location', message: 'Location is not served any more' }],
          },
        };
      return { status: 202, body: runFixture({ pipelineId: 'search', inputs: { keywords: 'rust' } }) };
    });
    open();
    fireEvent.change(field('Keywords'), { target: { value: ' rust ' } });
    fireEvent.change(field('Location'), { target: { value: 'Paris' } });
    fireEvent.change(field('Candidates'), { target: { value: 'c1\nc2' } });
    fireEvent.click(screen.getByRole('button', { name: 'Start run' }));
    await screen.findByText('Location is not served any more');
    expect(requests.find((r) => r.method === 'POST')?.body).toEqual({
      inputs: { keywords: 'rust', max_results: 50, location: 'Paris', candidates: ['c1', 'c2'] },
    });
    expect(field('Location').getAttribute('aria-invalid')).toBe('true');
    refuse = false;
    fireEvent.click(screen.getByRole('button', { name: 'Start run' }));
    await waitFor(() => expect(screen.queryByTestId('run-inputs-form')).toBeNull());
  });
});
