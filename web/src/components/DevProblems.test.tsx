import { fireEvent, render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { isNewVersion, parseDevStatus } from '../api/dev-status.js';
import { DevProblems } from './DevProblems.js';

const broken = {
  version: 3,
  problems: [
    {
      file: 'dashboards/sales.yaml',
      line: 12,
      message: 'unknown measure "revenu" (did you mean "revenue"?)',
    },
  ],
  problemCount: 2,
};

describe('trellis dev in the page', () => {
  it('parses a project event and refuses anything else', () => {
    expect(parseDevStatus(JSON.stringify(broken))).toEqual(broken);
    expect(parseDevStatus('{"version":0,"problems":[],"problemCount":0}')).toBeUndefined();
    expect(
      parseDevStatus('{"version":1,"problems":[{"file":"a","line":"1","message":"m"}],"problemCount":1}'),
    ).toBeUndefined();
    expect(parseDevStatus('not json')).toBeUndefined();
    expect(parseDevStatus(undefined)).toBeUndefined();
  });

  it('refetches only when the version moved, not on the first event', () => {
    expect(isNewVersion(undefined, { ...broken, version: 1 })).toBe(false);
    expect(isNewVersion(1, { ...broken, version: 1 })).toBe(false);
    expect(isNewVersion(1, { ...broken, version: 2 })).toBe(true);
  });

  it('shows each problem as file:line with its message, says how many more, and hides on request', () => {
    const { rerender } = render(<DevProblems status={broken} />);
    const alert = screen.getByRole('alert');
    expect(alert.textContent).toContain('2 problems in the project files');
    expect(alert.textContent).toContain('dashboards/sales.yaml:12: unknown measure "revenu"');
    expect(alert.textContent).toContain('…and 1 more');
    fireEvent.click(screen.getByRole('button', { name: 'Hide' }));
    expect(screen.queryByRole('alert')).toBeNull();
    // New problems come back even after Hide.
    rerender(<DevProblems status={{ ...broken, problemCount: 1 }} />);
    expect(screen.getByRole('alert').textContent).toContain('1 problem in the project files');
  });

  it('shows nothing when the project checks, or outside trellis dev', () => {
    const { container, rerender } = render(<DevProblems status={undefined} />);
    expect(container.innerHTML).toBe('');
    rerender(<DevProblems status={{ version: 4, problems: [], problemCount: 0 }} />);
    expect(container.innerHTML).toBe('');
  });
});
