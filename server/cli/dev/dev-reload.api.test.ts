import http from 'node:http';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { buildApp } from '../../app.js';
import { defaultConfig } from '../../config/env.js';
import { loadProject } from '../../config/project/load-project.js';
import { openEngines } from '../../query/engines/index.js';
import { openStore, type Store } from '../../store/store.js';
import { DevReloadHub } from '../../services/dev-reload.service.js';
import { loginAs, startApp, type SignedIn, type TestApp } from '../../../test/app-harness.js';
import { createMiniProject } from '../../../test/mini-project.js';
import { until } from '../../../test/until.js';
import { LiveApp, type Generation } from './live-app.js';

/** Reads a server-sent event stream over a real socket (inject cannot), one connection, no keep-alive. */
function openStream(
  url: string,
  cookie?: string,
): Promise<{ status: number; text: () => string; close(): void }> {
  return new Promise((resolve, reject) => {
    const req = http.get(
      url,
      { agent: false, headers: cookie ? { cookie, accept: 'text/event-stream' } : {} },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        resolve({ status: res.statusCode ?? 0, text: () => body, close: () => req.destroy() });
      },
    );
    req.on('error', reject);
  });
}

const projectEvents = (text: string) =>
  [...text.matchAll(/event: project\ndata: (.*)\n/g)].map((m) => JSON.parse(m[1] ?? '') as unknown);

/**
 * `trellis dev`'s server side without the CLI: two generations of the real app on one metadata store
 * behind one LiveApp, the hub's events on GET /api/v1/dev/events, and who may read them.
 */
describe('trellis dev: generations, swap and project events', () => {
  let store: Store;
  let hub: DevReloadHub;
  let live: LiveApp;
  let base: string;
  let viewer: SignedIn;
  const generation = async (dir: string): Promise<Generation> => {
    const loaded = await loadProject(dir);
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
    const config = defaultConfig({ webRoot: undefined });
    const engines = await openEngines(loaded.project.sources, loaded.project.dir, config.environment);
    const app = await buildApp({ config, project: loaded.project, engines, store, devReload: hub });
    await app.ready();
    return { app, engines };
  };

  beforeAll(async () => {
    store = await openStore({ kind: 'memory' });
    hub = new DevReloadHub(5);
    const mini = await createMiniProject();
    live = new LiveApp(await generation(mini.dir), 5_000);
    await new Promise<void>((r) => live.server.listen(0, '127.0.0.1', r));
    const address = live.server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    viewer = await loginAs(live.generation.app as TestApp, { org: 'acme', role: 'viewer' });
  });
  afterAll(async () => {
    await live.close();
    await store.close();
  });

  test('a stranger gets 401; a viewer of any organisation hears the status; the session says devReload', async () => {
    const anonymous = await openStream(`${base}/api/v1/dev/events`);
    expect(anonymous.status).toBe(401);
    anonymous.close();
    const session = await fetch(`${base}/api/v1/session`, { headers: { cookie: viewer.cookie } });
    expect(((await session.json()) as { devReload?: boolean }).devReload).toBe(true);
    const other = await loginAs(live.generation.app as TestApp, { org: 'globex', role: 'viewer' });
    const stream = await openStream(`${base}/api/v1/dev/events`, other.cookie);
    expect(stream.status).toBe(200);
    await until(() => projectEvents(stream.text()).length === 1, 10_000, 'the first project event');
    expect(projectEvents(stream.text())[0]).toEqual({ version: 1, problems: [], problemCount: 0 });
    stream.close();
  });

  test('a stream outlives the swap: it hears the problems, then the new version served by the next app', async () => {
    const stream = await openStream(`${base}/api/v1/dev/events`, viewer.cookie);
    await until(() => projectEvents(stream.text()).length === 1, 10_000, 'the first project event');
    const problems = [
      { file: 'dashboards/main.yaml', line: 3, message: 'unknown measure "x"\n(did you mean "items"?)' },
    ];
    hub.failed(problems);
    await until(() => projectEvents(stream.text()).length === 2, 10_000, 'the problems');
    expect(projectEvents(stream.text())[1]).toEqual({
      version: 1,
      problems: [
        { file: 'dashboards/main.yaml', line: 3, message: 'unknown measure "x" (did you mean "items"?)' },
      ],
      problemCount: 1,
    });
    const old = live.generation;
    const next = await createMiniProject({
      'trellis.yaml':
        'name: mini\ntitle: Mini two\nsources:\n  main: { type: duckdb, path: data/mini.duckdb }\n',
    });
    await live.swap(await generation(next.dir));
    hub.swapped();
    expect(live.generation).not.toBe(old);
    await until(() => projectEvents(stream.text()).length === 3, 10_000, 'the new version');
    expect(projectEvents(stream.text())[2]).toEqual({ version: 2, problems: [], problemCount: 0 });
    // The same session (one metadata store) now reads the new project.
    const list = await fetch(`${base}/api/v1/dashboards`, { headers: { cookie: viewer.cookie } });
    expect(list.status).toBe(200);
    stream.close();
  });

  test('the hub bounds its listeners and what one event carries', () => {
    const small = new DevReloadHub(1);
    const stop = small.subscribe(() => undefined);
    expect(() => small.subscribe(() => undefined)).toThrow(
      expect.objectContaining({ code: 'TOO_MANY_STREAMS' }),
    );
    stop();
    small.failed(
      Array.from({ length: 80 }, (_, i) => ({
        file: 'dashboards/a.yaml',
        line: i + 1,
        message: 'x'.repeat(2_000),
      })),
    );
    expect(small.status.problems).toHaveLength(50);
    expect(small.status.problemCount).toBe(80);
    expect(small.status.problems[0]?.message.length).toBe(500);
  });
});

describe('trellis serve is unaffected', () => {
  let app: TestApp;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ app, close } = await startApp((await createMiniProject()).dir));
  });
  afterAll(async () => close());

  test('no dev route, and the session does not say devReload', async () => {
    const viewer = await loginAs(app, { org: 'acme', role: 'viewer' });
    expect((await viewer.inject('/api/v1/dev/events')).statusCode).toBe(404);
    const session = (await viewer.inject('/api/v1/session')).json<Record<string, unknown>>();
    expect(session).not.toHaveProperty('devReload');
    expect(app.services.routes.some((r) => r.url.startsWith('/api/v1/dev'))).toBe(false);
  });
});

describe('LiveApp swap', () => {
  test('a request in flight finishes on the old app, which closes only after it; new requests reach the new one', async () => {
    let release: () => void = () => undefined;
    const held = new Promise<void>((r) => (release = r));
    let oldClosed = false;
    let entered = false;
    const oldApp = Fastify();
    oldApp.get('/slow', async () => {
      entered = true;
      await held;
      return { from: 'old' };
    });
    oldApp.get('/which', async () => ({ from: 'old' }));
    oldApp.addHook('onClose', async () => {
      oldClosed = true;
    });
    const newApp = Fastify();
    newApp.get('/which', async () => ({ from: 'new' }));
    await oldApp.ready();
    await newApp.ready();
    const asGeneration = (app: unknown): Generation => ({
      app: app as Generation['app'],
      engines: new Map(),
    });
    const live = new LiveApp(asGeneration(oldApp), 30_000);
    await new Promise<void>((r) => live.server.listen(0, '127.0.0.1', r));
    const address = live.server.address();
    const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    try {
      const slow = fetch(`${base}/slow`).then((r) => r.json());
      // Swap only once the slow request is being answered by the old app.
      await until(() => entered, 5_000, 'the slow request to arrive');
      const swapped = live.swap(asGeneration(newApp));
      expect(await fetch(`${base}/which`).then((r) => r.json())).toEqual({ from: 'new' });
      expect(oldClosed).toBe(false);
      release();
      expect(await slow).toEqual({ from: 'old' });
      await swapped;
      expect(oldClosed).toBe(true);
    } finally {
      release();
      await live.close();
    }
  });
});

describe('trellis dev refuses production', () => {
  test('NODE_ENV=production: exit 1 with the reason, nothing opened', async () => {
    const { devCommand } = await import('../dev.command.js');
    const err: string[] = [];
    const io = { stdout: { write: () => true }, stderr: { write: (t: string) => err.push(t) } };
    const config = { ...defaultConfig({ webRoot: undefined }), env: 'production' as const };
    expect(await devCommand('/nonexistent-project', config, io)).toBe(1);
    expect(err.join('')).toContain('trellis dev is refused under NODE_ENV=production');
  });
});
