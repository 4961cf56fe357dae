import http from 'node:http';

export interface Reply {
  readonly status: number;
  readonly ms: number;
  readonly bytes: number;
  readonly body: string;
  /** Set when the request never got a response (reset, refused, client timeout). */
  readonly error?: string;
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

  get(path: string): Promise<Reply> {
    return this.send('GET', path);
  }

  post(path: string, json: unknown): Promise<Reply> {
    return this.send('POST', path, JSON.stringify(json));
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
          headers:
            body === undefined
              ? {}
              : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
          timeout: this.timeoutMs,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const buf = Buffer.concat(chunks);
            resolve({
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
