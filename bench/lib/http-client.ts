import http from 'node:http';
import { cookieHeader, parseSetCookies, type BenchAccount } from './bench-auth.js';

export interface Reply {
  readonly status: number;
  readonly ms: number;
  readonly bytes: number;
  readonly body: string;
  /** Set when the request never got a response (reset, refused, client timeout). */
  readonly error?: string;
  /** The Retry-After header's seconds, when the server sent one (a refusal that says when to retry). */
  readonly retryAfterS?: number;
}

/** A sign-in the server did not accept, with its reply (status, body, Retry-After). */
export class SignInError extends Error {
  constructor(
    message: string,
    readonly reply: Reply,
  ) {
    super(message);
    this.name = 'SignInError';
  }
}

/**
 * One HTTP client with its own keep-alive connections, like one browser: a viewer or scripted user
 * holds `maxSockets` connections to the server for as long as it lives, which is what a session
 * costs the server in sockets and buffers. Latency is measured from send to the last body byte.
 */
export class HttpClient {
  private readonly agent: http.Agent;

  constructor(
    private readonly baseUrl: string,
    options: { maxSockets?: number; timeoutMs?: number } = {},
  ) {
    this.agent = new http.Agent({ keepAlive: true, maxSockets: options.maxSockets ?? 6 });
    this.timeoutMs = options.timeoutMs ?? 60_000;
  }

  private readonly timeoutMs: number;
  /** The cookies the server set (the session and its readable CSRF twin), sent back like a browser. */
  private readonly jar = new Map<string, string>();
  private bearer: string | undefined;

  /**
   * Signs in the way the web app does: POST /api/v1/session with the page's Origin, then every
   * request carries the session cookie, and writes (POST) echo the readable `trellis_csrf` cookie in
   * x-csrf-token. Throws when the server refuses: a bench of 401s would measure nothing.
   */
  async signIn(account: Pick<BenchAccount, 'email' | 'password'>): Promise<Reply> {
    const reply = await this.post('/api/v1/session', { email: account.email, password: account.password });
    if (reply.status !== 200)
      throw new SignInError(
        `sign-in as ${account.email}: ${reply.status} ${reply.error ?? reply.body.slice(0, 200)}`,
        reply,
      );
    if (!this.jar.has(SESSION_COOKIE)) throw new Error(`sign-in as ${account.email}: no session cookie set`);
    return reply;
  }

  /** Authenticates every request with an API token instead (no cookie, so no CSRF token either). */
  useToken(secret: string): void {
    this.bearer = secret;
  }

  get(path: string): Promise<Reply> {
    return this.send('GET', path);
  }

  post(path: string, json: unknown): Promise<Reply> {
    return this.send('POST', path, JSON.stringify(json));
  }

  /** The headers a signed-in browser tab (or a token holder) sends with this request. */
  private credentialHeaders(method: string): Record<string, string> {
    if (this.bearer !== undefined) return { authorization: `Bearer ${this.bearer}` };
    const headers: Record<string, string> = {};
    const cookie = cookieHeader(this.jar);
    if (cookie !== undefined) headers.cookie = cookie;
    if (method !== 'GET' && method !== 'HEAD') {
      headers.origin = this.origin;
      const csrf = this.jar.get(CSRF_COOKIE);
      if (csrf !== undefined) headers['x-csrf-token'] = csrf;
    }
    return headers;
  }

  private get origin(): string {
    return new URL(this.baseUrl).origin;
  }

  send(method: string, path: string, body?: string): Promise<Reply> {
    const started = performance.now();
    return new Promise((resolve) => {
      const url = new URL(path, this.baseUrl);
      const req = http.request(
        url,
        {
          method,
          agent: this.agent,
          headers: {
            ...this.credentialHeaders(method),
            ...(body === undefined
              ? {}
              : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }),
          },
          timeout: this.timeoutMs,
        },
        (res) => {
          const setCookie = res.headers['set-cookie'];
          if (setCookie) parseSetCookies(setCookie, this.jar);
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const buf = Buffer.concat(chunks);
            const retryAfter = Number(res.headers['retry-after']);
            resolve({
              ...(res.headers['retry-after'] !== undefined && Number.isFinite(retryAfter)
                ? { retryAfterS: retryAfter }
                : {}),
              status: res.statusCode ?? 0,
              ms: performance.now() - started,
              bytes: buf.length,
              body: buf.toString('utf8'),
            });
          });
          res.on('error', (err) => resolve(failed(started, err.message)));
        },
      );
      req.on('timeout', () => req.destroy(new Error(`client timeout after ${this.timeoutMs} ms`)));
      req.on('error', (err) => resolve(failed(started, err.message)));
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/** The cookie names of a plain-http server (over https they carry the `__Host-` prefix). */
const SESSION_COOKIE = 'trellis_session';
const CSRF_COOKIE = 'trellis_csrf';

function failed(started: number, error: string): Reply {
  return { status: 0, ms: performance.now() - started, bytes: 0, body: '', error };
}

/** The catalogue code of an error response (`{ error: code, ... }`), or the transport error. */
export function errorCode(reply: Reply): string {
  if (reply.error) return `network: ${reply.error.slice(0, 60)}`;
  try {
    const parsed = JSON.parse(reply.body) as { error?: unknown };
    if (typeof parsed.error === 'string') return parsed.error;
  } catch {
    // not JSON: fall through to the status
  }
  return `HTTP ${reply.status}`;
}
