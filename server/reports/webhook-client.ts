import { createHmac } from 'node:crypto';
import { lookup as dnsLookup } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import { isIP, type BlockList, type LookupFunction } from 'node:net';
import { TrellisError } from '../errors.js';
import { mayConnect } from './webhook-address.js';

export interface ResolvedAddress {
  readonly address: string;
  readonly family: 4 | 6;
}

/** Name → addresses (the system resolver by default; tests give their own). */
export type Resolver = (host: string) => Promise<readonly ResolvedAddress[]>;

export interface WebhookClientOptions {
  /** Ranges the operator opened (TRELLIS_WEBHOOK_ALLOW); everything special is refused otherwise. */
  readonly allow: BlockList;
  readonly resolve?: Resolver;
  /** Per hop, from connecting to the last byte of the answer. */
  readonly timeoutMs?: number;
  readonly maxRedirects?: number;
}

export interface WebhookResult {
  /** The final answer's status (2xx: delivered). */
  readonly status: number;
  /** Every address actually connected to, in order (one per hop). */
  readonly connectedTo: readonly string[];
}

const systemResolver: Resolver = async (host) =>
  (await dnsLookup(host, { all: true, verbatim: true })).map((a) => ({
    address: a.address,
    family: a.family === 6 ? 6 : 4,
  }));

/** The `X-Trellis-Signature` header: `sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">`. */
export function signWebhook(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** Refuses a URL a webhook may not use before any network work (scheme, credentials, length). */
export function checkWebhookUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new TrellisError('WEBHOOK_URL_FORBIDDEN', { detail: { why: 'not a URL' } });
  }
  if (text.length > 2_000 || (url.protocol !== 'http:' && url.protocol !== 'https:'))
    throw new TrellisError('WEBHOOK_URL_FORBIDDEN', { detail: { why: 'scheme or length' } });
  if (url.username || url.password)
    throw new TrellisError('WEBHOOK_URL_FORBIDDEN', { detail: { why: 'credentials in the URL' } });
  return url;
}

/**
 * Checks the URL and the addresses its host resolves to now, without connecting: a delivery asks
 * before it renders a report for a target it may not reach. (postWebhook checks again, per hop.)
 */
export async function assertWebhookAllowed(target: string, options: WebhookClientOptions): Promise<void> {
  const url = checkWebhookUrl(target);
  await addressesOf(url, options);
}

async function addressesOf(url: URL, options: WebhookClientOptions): Promise<readonly ResolvedAddress[]> {
  const resolve = options.resolve ?? systemResolver;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let addresses: readonly ResolvedAddress[];
  try {
    addresses =
      isIP(host) !== 0 ? [{ address: host, family: isIP(host) === 6 ? 6 : 4 }] : await resolve(host);
  } catch (err) {
    throw new TrellisError('WEBHOOK_FAILED', { detail: { why: 'name not resolved', host }, cause: err });
  }
  if (addresses.length === 0)
    throw new TrellisError('WEBHOOK_FAILED', { detail: { why: 'no address', host } });
  const refused = addresses.find((a) => !mayConnect(a.address, options.allow));
  if (refused)
    throw new TrellisError('WEBHOOK_URL_FORBIDDEN', {
      detail: { why: 'special address', host, address: refused.address },
    });
  return addresses;
}

/**
 * Posts a signed JSON body to a user's webhook without letting it reach what it must not
 * (webhook-address.ts). Per hop: the host is resolved once, every address it resolves to must be
 * allowed (a name with one bad address is refused whole), and the socket connects to that checked
 * address through a pinned `lookup` — a second DNS answer (rebinding) is never asked for. Redirects
 * (at most `maxRedirects`) are followed by hand, each target checked the same way, re-posting the
 * same signed body. The answer's body is read and dropped (at most 64 KB are read).
 */
export async function postWebhook(
  target: string,
  body: string,
  headers: Readonly<Record<string, string>>,
  options: WebhookClientOptions,
  signal?: AbortSignal,
): Promise<WebhookResult> {
  const connectedTo: string[] = [];
  let url = checkWebhookUrl(target);
  for (let hop = 0; ; hop++) {
    const addresses = await addressesOf(url, options);
    const pinned = addresses[0] as ResolvedAddress;
    connectedTo.push(pinned.address);
    const answer = await request(url, pinned, body, headers, options.timeoutMs ?? 10_000, signal);
    const location = answer.location;
    if (answer.status >= 300 && answer.status < 400 && location !== undefined) {
      if (hop >= (options.maxRedirects ?? 3))
        throw new TrellisError('WEBHOOK_FAILED', { detail: { why: 'too many redirects' } });
      url = checkWebhookUrl(new URL(location, url).toString());
      continue;
    }
    return { status: answer.status, connectedTo };
  }
}

function request(
  url: URL,
  pinned: ResolvedAddress,
  body: string,
  headers: Readonly<Record<string, string>>,
  timeoutMs: number,
  signal: AbortSignal | undefined,
): Promise<{ status: number; location: string | undefined }> {
  // The socket asks this instead of DNS: it can only ever reach the address checked above.
  const lookup: LookupFunction = (_host, opts, done) => {
    if ((opts as { all?: boolean }).all)
      (done as unknown as (e: null, a: ResolvedAddress[]) => void)(null, [pinned]);
    else done(null, pinned.address, pinned.family);
  };
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolvePromise, reject) => {
    const req = client.request(
      url,
      {
        method: 'POST',
        lookup,
        agent: false,
        timeout: timeoutMs,
        headers: {
          ...headers,
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(body)),
          'user-agent': 'Trellis-Webhook/1',
        },
        ...(signal ? { signal } : {}),
      },
      (res) => {
        let read = 0;
        res.on('data', (chunk: Buffer) => {
          read += chunk.length;
          if (read > 65_536) res.destroy();
        });
        const done = () =>
          resolvePromise({ status: res.statusCode ?? 0, location: res.headers.location ?? undefined });
        res.on('end', done);
        res.on('close', done);
        res.on('error', done);
      },
    );
    const timer = setTimeout(() => req.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    req.on('close', () => clearTimeout(timer));
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (err) =>
      reject(new TrellisError('WEBHOOK_FAILED', { detail: { why: err.message }, cause: err })),
    );
    req.end(body);
  });
}
