import http from 'node:http';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loginAs, startApp, type SignedIn, type TestApp } from '../../../test/app-harness.js';
import { createMiniProject } from '../../../test/mini-project.js';

const ADMIN_ONLY = `title: Admin only
dataset: items
roles: [admin]
widgets:
  - { id: total, type: kpi, title: Items, measure: items }
`;

/**
 * The dashboard update stream over a real socket (server-sent events cannot be read through inject):
 * a dataset invalidation reaches the open page as the ids of the widgets and filters that read it.
 */
describe('dashboard update stream', () => {
  let app: TestApp;
  let close: () => Promise<void>;
  let base: string;
  let viewer: SignedIn;
  let other: SignedIn;

  beforeAll(async () => {
    const mini = await createMiniProject({ 'dashboards/admin.yaml': ADMIN_ONLY });
    ({ app, close } = await startApp(mini.dir, { maxEventStreams: 3, maxStreamsPerUser: 2 }));
    viewer = await loginAs(app, { org: 'acme', role: 'viewer' });
    other = await loginAs(app, { org: 'acme', role: 'editor' });
    base = await app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => close());

  /**
   * A plain node:http client, one connection per request and nothing kept alive (fetch's pool opens
   * spare connections that a test's shutdown would then wait for).
   */
  interface Stream {
    readonly status: number;
    readonly headers: http.IncomingHttpHeaders;
    /** Resolves with the text received since the last read once it matches `until`. */
    read(until: RegExp): Promise<string>;
    /** The whole rest of the body, when the server ends it. */
    rest(): Promise<string>;
    close(): void;
  }
  function open(url: string, cookie: string | null = viewer.cookie): Promise<Stream> {
    return new Promise((resolve, reject) => {
      const headers = cookie ? { cookie } : {};
      const req = http.get(url, { agent: false, headers }, (res) => {
        res.setEncoding('utf8');
        let buffer = '';
        let wake = () => undefined as void;
        let ended = false;
        res.on('data', (chunk: string) => {
          buffer += chunk;
          wake();
        });
        res.on('end', () => {
          ended = true;
          wake();
        });
        const read = (until: RegExp) =>
          new Promise<string>((done) => {
            const check = () => {
              if (until.test(buffer) || ended) {
                const text = buffer;
                buffer = '';
                done(text);
              } else wake = check;
            };
            check();
          });
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          read,
          rest: () => read(/$^/),
          close: () => req.destroy(),
        });
      });
      req.on('error', (err) => (err.message === 'socket hang up' ? undefined : reject(err)));
    });
  }

  test('an invalidation sends the ids of the widgets and filters that read the dataset', async () => {
    const stream = await open(`${base}/api/v1/dashboards/main/events`);
    expect(stream.status).toBe(200);
    expect(stream.headers['content-type']).toMatch(/^text\/event-stream/);
    expect(await stream.read(/: listening\n\n/)).toMatch(/^retry: 5000\n/);
    expect(app.services.events.open).toBe(1);

    await app.services.runner.invalidate(['canary']);
    const canary = await stream.read(/\n\n$/);
    expect(canary).toMatch(/^event: invalidated\ndata: /);
    expect(JSON.parse(canary.split('data: ')[1] ?? '')).toEqual({ widgets: ['canary_rows'], filters: [] });

    await app.services.runner.invalidate(['items']);
    const items = JSON.parse((await stream.read(/\n\n$/)).split('data: ')[1] ?? '');
    expect(items.widgets).toContain('by_colour');
    expect(items.widgets).not.toContain('canary_rows');
    expect(items.widgets).not.toContain('note'); // text widgets have no data
    expect(items.filters).toEqual(['colour']);

    stream.close();
    await expect.poll(() => app.services.events.open).toBe(0);
  });

  test('unknown dashboards are 404; streams beyond the limit are TOO_MANY_STREAMS', async () => {
    const missing = await open(`${base}/api/v1/dashboards/nope/events`);
    expect(missing.status).toBe(404);
    expect(JSON.parse(await missing.rest()).error).toBe('DASHBOARD_NOT_FOUND');

    const streams = await Promise.all([
      open(`${base}/api/v1/dashboards/main/events`),
      open(`${base}/api/v1/dashboards/main/events`),
      open(`${base}/api/v1/dashboards/main/events`, other.cookie),
    ]);
    expect(streams.map((r) => r.status)).toEqual([200, 200, 200]);
    const fourth = await open(`${base}/api/v1/dashboards/main/events`, other.cookie);
    expect(fourth.status).toBe(503);
    expect(fourth.headers['retry-after']).toBe('30');
    expect(JSON.parse(await fourth.rest()).error).toBe('TOO_MANY_STREAMS');
    const metrics = (await app.inject({ url: '/metrics' })).body;
    expect(metrics).toMatch(/trellis_event_streams 3/);
    expect(metrics).toMatch(/trellis_overload_total\{code="TOO_MANY_STREAMS"\} 1/);
    for (const s of streams) s.close();
    await expect.poll(() => app.services.events.open).toBe(0);
  });

  test('one user holds at most TRELLIS_MAX_STREAMS_PER_USER streams; the others keep theirs', async () => {
    const mine = await Promise.all([1, 2].map(() => open(`${base}/api/v1/dashboards/main/events`)));
    expect(mine.map((r) => r.status)).toEqual([200, 200]);
    const third = await open(`${base}/api/v1/dashboards/main/events`);
    expect(third.status).toBe(503);
    expect(JSON.parse(await third.rest())).toMatchObject({ error: 'TOO_MANY_STREAMS' });
    // The refusal took nothing from the server-wide bound: another user still gets a stream.
    const theirs = await open(`${base}/api/v1/dashboards/main/events`, other.cookie);
    expect(theirs.status).toBe(200);
    expect(app.services.streamQuotas.dashboards.heldBy(other.cookie)).toBe(0); // keyed by user id, not cookie
    // A closed stream gives its place back.
    mine[0]?.close();
    await expect.poll(() => app.services.events.open).toBe(2);
    const again = await open(`${base}/api/v1/dashboards/main/events`);
    expect(again.status).toBe(200);
    for (const s of [...mine, theirs, again]) s.close();
    await expect.poll(() => app.services.events.open).toBe(0);
  });

  test('a stream needs a session; a dashboard the role may not view does not exist', async () => {
    const anonymous = await open(`${base}/api/v1/dashboards/main/events`, null);
    expect(anonymous.status).toBe(401);
    expect(JSON.parse(await anonymous.rest()).error).toBe('UNAUTHENTICATED');
    const hidden = await open(`${base}/api/v1/dashboards/admin/events`);
    expect(hidden.status).toBe(404);
    const body = JSON.parse(await hidden.rest());
    expect(body.error).toBe('DASHBOARD_NOT_FOUND');
    expect(body.message).toBe('There is no dashboard "admin".');
    const admin = await loginAs(app, { org: 'acme', role: 'admin' });
    const allowed = await open(`${base}/api/v1/dashboards/admin/events`, admin.cookie);
    expect(allowed.status).toBe(200);
    allowed.close();
    await expect.poll(() => app.services.events.open).toBe(0);
  });

  test('open streams do not hold up shutdown', async () => {
    const mini = await createMiniProject();
    const other = await startApp(mini.dir);
    const user = await loginAs(other.app, { org: 'acme', role: 'viewer' });
    const url = await other.app.listen({ port: 0, host: '127.0.0.1' });
    const stream = await open(`${url}/api/v1/dashboards/main/events`, user.cookie);
    expect(stream.status).toBe(200);
    await other.close(); // would wait for the stream without the preClose hook
    const rest = await stream.rest(); // the server ended the stream
    expect(rest).toContain(': listening');
  });
});
