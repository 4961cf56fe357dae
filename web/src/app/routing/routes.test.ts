import { describe, expect, it } from 'vitest';
import { dashboardPath, matchRoute } from './routes.js';

describe('routes', () => {
  it('maps paths to pages', () => {
    expect(matchRoute('/')).toEqual({ name: 'list' });
    expect(matchRoute('/d/overview')).toEqual({ name: 'dashboard', dashboardId: 'overview' });
    expect(matchRoute('/d/overview/')).toEqual({ name: 'dashboard', dashboardId: 'overview' });
    expect(matchRoute('/d/')).toEqual({ name: 'not-found' });
    expect(matchRoute('/print/d/overview')).toEqual({ name: 'print-dashboard', dashboardId: 'overview' });
    expect(matchRoute('/print/d/a%20b')).toEqual({ name: 'print-dashboard', dashboardId: 'a b' });
    expect(matchRoute('/print/d/%E0%A4%A')).toEqual({ name: 'not-found' });
    expect(matchRoute('/print/d/')).toEqual({ name: 'not-found' });
    expect(matchRoute('/d/a/b')).toEqual({ name: 'not-found' });
    expect(matchRoute('/elsewhere')).toEqual({ name: 'not-found' });
    expect(matchRoute('/d/%E0%A4%A')).toEqual({ name: 'not-found' });
    expect(matchRoute('/jobs')).toEqual({ name: 'jobs' });
    expect(matchRoute('/jobs/')).toEqual({ name: 'jobs' });
    expect(matchRoute('/jobs/x')).toEqual({ name: 'not-found' });
    expect(matchRoute('/jobsx')).toEqual({ name: 'not-found' });
    expect(matchRoute('/exports')).toEqual({ name: 'exports' });
    expect(matchRoute('/subscriptions')).toEqual({ name: 'subscriptions' });
    expect(matchRoute('/subscriptions/')).toEqual({ name: 'subscriptions' });
    expect(matchRoute('/data')).toEqual({ name: 'data' });
    expect(matchRoute('/data/')).toEqual({ name: 'data' });
    expect(matchRoute('/datax')).toEqual({ name: 'not-found' });
  });

  it('builds dashboard paths that match back', () => {
    const path = dashboardPath('time trends/x');
    expect(path).toBe('/d/time%20trends%2Fx');
    expect(matchRoute(path)).toEqual({ name: 'dashboard', dashboardId: 'time trends/x' });
    expect(dashboardPath('overview', '?status=A')).toBe('/d/overview?status=A');
  });
});
