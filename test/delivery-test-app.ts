import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { defaultConfig } from '../server/config/env.js';
import type { ResolvedAddress } from '../server/reports/webhook-client.js';
import { loginAs, startApp, type SignedIn, type TestApp } from './app-harness.js';
import { startSmtpTestServer, type SmtpTestServer } from './smtp-test-server.js';
import { createTenantFixture, type TenantFixture } from './tenant-fixture.js';

const DAY = 86_400_000;

/** One request the webhook receiver took. */
export interface ReceivedPost {
  readonly url: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

/**
 * The app as alert and report tests use it: the multi-tenant DuckDB fixture, a real SMTP server, a
 * webhook receiver on loopback (127.0.0.1/32 opened by the operator's allow list; the rest of
 * loopback stays closed), a clock the test moves, names the test resolves, and five members — two
 * viewers and an admin of beacon, an admin and a viewer of atlas.
 */
export interface DeliveryTestApp {
  readonly app: TestApp;
  readonly smtp: SmtpTestServer;
  readonly posts: ReceivedPost[];
  readonly receiverPort: number;
  /** How the receiver answers (default: 200 "ok"). */
  answer: (req: http.IncomingMessage, res: http.ServerResponse) => void;
  clock: number;
  readonly owner: SignedIn;
  readonly colleague: SignedIn;
  readonly admin: SignedIn;
  readonly otherAdmin: SignedIn;
  readonly otherViewer: SignedIn;
  close(): Promise<void>;
}

export async function startDeliveryTestApp(options: {
  readonly from: string;
  readonly pollMs: number;
  /** Host names the test controls → the address they resolve to (`hooks.test` → 127.0.0.1 always). */
  readonly names?: Record<string, string>;
}): Promise<DeliveryTestApp> {
  const fixture: TenantFixture = await createTenantFixture('duckdb', '');
  const smtp = await startSmtpTestServer();
  const posts: ReceivedPost[] = [];
  // What the app's clock and the receiver read; the returned object's clock/answer set these.
  const live = {
    clock: Date.parse('2026-03-02T06:00:00Z'),
    answer: (_req: http.IncomingMessage, res: http.ServerResponse) => void res.end('ok'),
  };
  const names: Record<string, string> = { 'hooks.test': '127.0.0.1', ...options.names };
  const receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      posts.push({ url: req.url ?? '', headers: req.headers, body });
      live.answer(req, res);
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const { app, close } = await startApp(
    fixture.dir,
    {
      mail: { smtpUrl: smtp.url, from: options.from, publicOrigin: 'https://trellis.example.test' },
      reports: { webhookAllow: '127.0.0.1/32', maxBytes: 1_000_000, pollMs: options.pollMs },
      sessions: { ...defaultConfig().sessions, idleMs: 100 * DAY, absoluteMs: 100 * DAY },
    },
    {
      now: () => live.clock,
      webhookResolver: (host) => {
        const address = names[host];
        return Promise.resolve<ResolvedAddress[]>(address ? [{ address, family: 4 }] : []);
      },
    },
  );
  return {
    app,
    smtp,
    posts,
    receiverPort: (receiver.address() as AddressInfo).port,
    get answer() {
      return live.answer;
    },
    set answer(fn) {
      live.answer = fn;
    },
    get clock() {
      return live.clock;
    },
    set clock(ms) {
      live.clock = ms;
    },
    owner: await loginAs(app, { org: 'beacon', role: 'viewer' }),
    colleague: await loginAs(app, { org: 'beacon', role: 'viewer', email: 'colleague@beacon.test' }),
    admin: await loginAs(app, { org: 'beacon', role: 'admin' }),
    otherAdmin: await loginAs(app, { org: 'atlas', role: 'admin' }),
    otherViewer: await loginAs(app, { org: 'atlas', role: 'viewer' }),
    close: async () => {
      await close();
      await smtp.close();
      await new Promise<void>((r) => receiver.close(() => r()));
      await fixture.teardown();
    },
  };
}
