import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { TrellisError } from '../errors.js';
import { embeddedIPv4, mayConnect, parseAllowList } from './webhook-address.js';
import { postWebhook, signWebhook, type Resolver } from './webhook-client.js';

/** A real receiver on loopback: counts posts, answers what each test asks for. */
let server: http.Server;
let port = 0;
const received: { url: string; host: string; body: string }[] = [];
let answer: (req: http.IncomingMessage, res: http.ServerResponse) => void = (_q, res) => res.end('ok');

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push({ url: req.url ?? '', host: req.headers.host ?? '', body });
      answer(req, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const NONE = parseAllowList('');
const LOOPBACK_ONLY = parseAllowList('127.0.0.1/32');

async function refused(promise: Promise<unknown>, code = 'WEBHOOK_URL_FORBIDDEN'): Promise<void> {
  const err: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TrellisError);
  expect((err as TrellisError).code).toBe(code);
}

describe('address classification', () => {
  test.each([
    '127.0.0.1',
    '127.255.0.9',
    '10.1.2.3',
    '172.16.0.1',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '255.255.255.255',
    '::1',
    '::',
    'fe80::1',
    'fd00::1',
    'ff02::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:a9fe:a9fe',
    '::127.0.0.1',
    '64:ff9b::7f00:1',
    '2002:7f00:1::',
    'fe80::1%eth0',
    'localhost',
    'not-an-ip',
  ])('%s is refused', (address) => {
    expect(mayConnect(address, NONE)).toBe(false);
  });

  test.each(['93.184.215.14', '8.8.8.8', '2606:4700:4700::1111', '::ffff:8.8.8.8'])(
    '%s is public and allowed',
    (address) => {
      expect(mayConnect(address, NONE)).toBe(true);
    },
  );

  test('an operator range opens exactly that range, mapped forms included', () => {
    const allow = parseAllowList('10.1.2.0/24, fd00::/8');
    expect(mayConnect('10.1.2.9', allow)).toBe(true);
    expect(mayConnect('::ffff:10.1.2.9', allow)).toBe(true);
    expect(mayConnect('10.1.3.9', allow)).toBe(false);
    expect(mayConnect('fd12::1', allow)).toBe(true);
    expect(mayConnect('127.0.0.1', allow)).toBe(false);
    expect(() => parseAllowList('10.0.0.0/33')).toThrow(/CIDR/);
    expect(() => parseAllowList('example.com')).toThrow(/CIDR/);
  });

  test('embedded IPv4 addresses are found in every spelling', () => {
    expect(embeddedIPv4('::ffff:127.0.0.1')).toBe('127.0.0.1');
    expect(embeddedIPv4('0:0:0:0:0:ffff:7f00:0001')).toBe('127.0.0.1');
    expect(embeddedIPv4('::ffff:a9fe:a9fe')).toBe('169.254.169.254');
    expect(embeddedIPv4('2001:db8::1')).toBeUndefined();
  });
});

describe('postWebhook refuses special addresses before connecting', () => {
  const noDns: Resolver = () => Promise.reject(new Error('DNS must not be asked for an IP literal'));
  test.each([
    'http://127.0.0.1:PORT/hook',
    'http://[::1]:PORT/hook',
    'http://10.0.0.5/hook',
    'http://169.254.169.254/latest/meta-data/',
    'http://2130706433:PORT/hook', // decimal 127.0.0.1
    'http://0177.0.0.1:PORT/hook', // octal
    'http://0x7f.1:PORT/hook', // hex, short form
    'http://[::ffff:127.0.0.1]:PORT/hook', // IPv4-mapped IPv6
    'http://[::ffff:a9fe:a9fe]/hook',
    'http://0/hook',
  ])('%s', async (template) => {
    const before = received.length;
    await refused(
      postWebhook(template.replace('PORT', String(port)), '{}', {}, { allow: NONE, resolve: noDns }),
    );
    expect(received.length).toBe(before);
  });

  test('a host name resolving to 127.0.0.1 (the system resolver: localhost)', async () => {
    const before = received.length;
    await refused(postWebhook(`http://localhost:${port}/hook`, '{}', {}, { allow: NONE }));
    expect(received.length).toBe(before);
  });

  test('a name with one public and one private address is refused whole', async () => {
    const resolve: Resolver = () =>
      Promise.resolve([
        { address: '93.184.215.14', family: 4 },
        { address: '10.0.0.1', family: 4 },
      ]);
    await refused(postWebhook('http://mixed.example/hook', '{}', {}, { allow: NONE, resolve }));
  });

  test('other schemes and credentials in the URL', async () => {
    await refused(postWebhook('file:///etc/passwd', '{}', {}, { allow: NONE }));
    await refused(postWebhook('gopher://example.com/', '{}', {}, { allow: NONE }));
    await refused(postWebhook(`http://u:p@127.0.0.1:${port}/`, '{}', {}, { allow: LOOPBACK_ONLY }));
  });
});

describe('postWebhook with the receiver allowed by the operator', () => {
  test('posts the body once, signed as given, and answers the status', async () => {
    answer = (_q, res) => res.end('ok');
    const before = received.length;
    const body = JSON.stringify({ hello: 'world' });
    const signature = signWebhook('s3cret', 1700000000, body);
    const result = await postWebhook(
      `http://127.0.0.1:${port}/hook`,
      body,
      { 'x-trellis-signature': signature },
      { allow: LOOPBACK_ONLY },
    );
    expect(result.status).toBe(200);
    expect(received.length).toBe(before + 1);
    expect(received.at(-1)?.body).toBe(body);
    expect(signature).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(signWebhook('other', 1700000000, body)).not.toBe(signature);
  });

  test('the socket connects to the checked address, never asking DNS again (rebinding)', async () => {
    answer = (_q, res) => res.end('ok');
    let asked = 0;
    // First answer allowed; any later answer would point at a forbidden address.
    const resolve: Resolver = () =>
      Promise.resolve(
        asked++ === 0 ? [{ address: '127.0.0.1', family: 4 }] : [{ address: '10.0.0.1', family: 4 }],
      );
    const result = await postWebhook(
      `http://hook.invalid:${port}/pinned`,
      '{}',
      {},
      { allow: LOOPBACK_ONLY, resolve },
    );
    expect(result.status).toBe(200);
    expect(asked).toBe(1);
    expect(result.connectedTo).toEqual(['127.0.0.1']);
    expect(received.at(-1)).toMatchObject({ url: '/pinned', host: `hook.invalid:${port}` });
  });

  test.each([
    ['http://127.0.0.2/admin'],
    ['http://[::1]/admin'],
    ['http://169.254.169.254/latest/meta-data/'],
    ['http://2130706434/'],
    ['http://rebound.test/'],
  ])('a redirect to %s is refused, and not followed', async (location) => {
    answer = (_q, res) => {
      res.statusCode = 302;
      res.setHeader('location', location);
      res.end();
    };
    const before = received.length;
    await refused(
      postWebhook(
        `http://127.0.0.1:${port}/redirect`,
        '{}',
        {},
        {
          allow: LOOPBACK_ONLY,
          // A name the attacker controls, resolving to loopback beside the allowed address.
          resolve: (host) =>
            Promise.resolve(host === 'rebound.test' ? [{ address: '127.0.0.2', family: 4 as const }] : []),
        },
      ),
    );
    expect(received.length).toBe(before + 1); // the first hop only
  });

  test('an allowed redirect is followed with the same body; loops end', async () => {
    answer = (req, res) => {
      if (req.url === '/moved') {
        res.statusCode = 307;
        res.setHeader('location', '/final');
        res.end();
      } else if (req.url === '/loop') {
        res.statusCode = 307;
        res.setHeader('location', '/loop');
        res.end();
      } else res.end('ok');
    };
    const before = received.length;
    const result = await postWebhook(
      `http://127.0.0.1:${port}/moved`,
      '{"a":1}',
      {},
      { allow: LOOPBACK_ONLY },
    );
    expect(result.status).toBe(200);
    expect(received.slice(before).map((r) => [r.url, r.body])).toEqual([
      ['/moved', '{"a":1}'],
      ['/final', '{"a":1}'],
    ]);
    await refused(
      postWebhook(`http://127.0.0.1:${port}/loop`, '{}', {}, { allow: LOOPBACK_ONLY }),
      'WEBHOOK_FAILED',
    );
  });

  test('a receiver that stalls fails within the timeout', async () => {
    answer = () => undefined; // never answers
    const started = Date.now();
    await refused(
      postWebhook(`http://127.0.0.1:${port}/stall`, '{}', {}, { allow: LOOPBACK_ONLY, timeoutMs: 300 }),
      'WEBHOOK_FAILED',
    );
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
