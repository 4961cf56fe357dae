import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for a PhantomBuster-style agent API (the sourcing example's agent step, and the
 * tests'): an agent is launched, runs for a while in a "container", and its result is fetched when
 * its status says `finished`.
 *
 * - `POST /api/v2/agents/launch` `{ id, argument }` → `{ containerId }`
 * - `GET /api/v2/containers/fetch?id=…` → `{ id, status: running | finished | error }`
 * - `GET /api/v2/containers/fetch-result-object?id=…` → `{ resultObject: { query, found }, corrupted }`
 *
 * It hurts where the real one does: the `x-phantombuster-key` header is required; more than `limit`
 * calls per `windowMs` per key get 429 with Retry-After; a share of calls fail at random (500 echoing
 * the key, 503, or a stall); agents whose argument says "(broken)" end `error`. Launching an agent
 * while one of its containers is still running is what corrupted SourcingX's results: both containers'
 * results are marked `corrupted` and counted in `stats.overlaps` — the test's "never two holders".
 * A launch repeated with the same `Idempotency-Key` returns the first container (no second launch).
 */
export interface AgentApiOptions {
  readonly keys: readonly string[];
  /** How long an agent runs before `finished`. */
  readonly runMs?: number;
  readonly limit?: number;
  readonly windowMs?: number;
  /** Share of calls that fail at random: 500, 503 or a stall (default 0). */
  readonly faultRate?: number;
  readonly stallMs?: number;
  readonly retryAfterSeconds?: number;
  readonly port?: number;
}

export interface AgentStats {
  calls: number;
  launches: number;
  polls: number;
  fetches: number;
  throttled: number;
  faults: number;
  replays: number;
  /** Launches of an agent while another container of it was running. */
  overlaps: number;
  /** The most containers of one agent running at once. */
  maxRunning: number;
}

interface Container {
  readonly id: string;
  readonly agent: string;
  readonly query: string;
  readonly endsAt: number;
  corrupted: boolean;
}

/** What the agent finds for a query: deterministic, so tests know the right answer. */
export function expectedFound(query: string): number {
  return createHash('sha256').update(query).digest().readUInt16BE(0) % 500;
}

export class AgentApi {
  readonly stats: AgentStats = {
    calls: 0,
    launches: 0,
    polls: 0,
    fetches: 0,
    throttled: 0,
    faults: 0,
    replays: 0,
    overlaps: 0,
    maxRunning: 0,
  };
  private readonly containers = new Map<string, Container>();
  private readonly launchedBy = new Map<string, string>();
  private readonly recent = new Map<string, number[]>();
  private readonly stalls = new Set<ServerResponse>();

  private constructor(
    private readonly server: Server,
    readonly url: string,
    private readonly options: AgentApiOptions,
  ) {}

  static async start(options: AgentApiOptions): Promise<AgentApi> {
    const holder: { api?: AgentApi } = {};
    const server = createServer((req, res) => void holder.api?.handle(req, res));
    await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    holder.api = new AgentApi(server, `http://127.0.0.1:${port}`, options);
    return holder.api;
  }

  /** Launches per query (idempotent replays not counted). */
  launchesOf(query: string): number {
    return [...this.containers.values()].filter((c) => c.query === query).length;
  }

  async close(): Promise<void> {
    for (const res of this.stalls) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private running(agent: string, now: number): Container[] {
    return [...this.containers.values()].filter((c) => c.agent === agent && c.endsAt > now);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const key = String(req.headers['x-phantombuster-key'] ?? '');
    if (!this.options.keys.includes(key)) return send(401, { error: 'missing or unknown API key' });
    this.stats.calls++;

    const now = Date.now();
    const windowMs = this.options.windowMs ?? 60_000;
    const times = (this.recent.get(key) ?? []).filter((t) => t > now - windowMs);
    times.push(now);
    this.recent.set(key, times);
    if (times.length > (this.options.limit ?? 120)) {
      this.stats.throttled++;
      return send(
        429,
        { error: 'too many requests' },
        { 'retry-after': String(this.options.retryAfterSeconds ?? 1) },
      );
    }
    const fault = this.options.faultRate ?? 0;
    if (fault > 0 && Math.random() < fault) {
      this.stats.faults++;
      const kind = Math.random();
      if (kind < 0.4) return send(500, { error: `internal error (key ${key})` });
      if (kind < 0.7) return send(503, { error: 'maintenance' });
      this.stalls.add(res);
      setTimeout(() => {
        this.stalls.delete(res);
        res.destroy();
      }, this.options.stallMs ?? 5_000).unref();
      return;
    }

    if (req.method === 'POST' && url.pathname === '/api/v2/agents/launch') {
      let body: { id?: unknown; argument?: { query?: unknown } };
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof body;
      } catch {
        return send(400, { error: 'body is not JSON' });
      }
      const query = body.argument?.query;
      if (typeof body.id !== 'string' || typeof query !== 'string')
        return send(400, { error: 'id and argument.query are required' });
      const idem = req.headers['idempotency-key'];
      const first = typeof idem === 'string' ? this.launchedBy.get(`${key}:${idem}`) : undefined;
      if (first) {
        this.stats.replays++;
        return send(200, { containerId: first });
      }
      this.stats.launches++;
      const others = this.running(body.id, now);
      if (others.length > 0) {
        this.stats.overlaps++;
        for (const c of others) c.corrupted = true;
      }
      const container: Container = {
        id: randomUUID(),
        agent: body.id,
        query,
        endsAt: now + (this.options.runMs ?? 200),
        corrupted: others.length > 0,
      };
      this.containers.set(container.id, container);
      this.stats.maxRunning = Math.max(this.stats.maxRunning, others.length + 1);
      if (typeof idem === 'string') this.launchedBy.set(`${key}:${idem}`, container.id);
      return send(200, { containerId: container.id });
    }
    if (req.method !== 'GET') return send(404, { error: 'not found' });
    const container = this.containers.get(url.searchParams.get('id') ?? '');
    if (url.pathname === '/api/v2/containers/fetch') {
      if (!container) return send(404, { error: 'no such container' });
      this.stats.polls++;
      const status =
        container.endsAt > now ? 'running' : container.query.includes('(broken)') ? 'error' : 'finished';
      return send(200, { id: container.id, status });
    }
    if (url.pathname === '/api/v2/containers/fetch-result-object') {
      if (!container) return send(404, { error: 'no such container' });
      this.stats.fetches++;
      if (container.endsAt > now) return send(409, { error: 'the container is still running' });
      return send(200, {
        containerId: container.id,
        resultObject: { query: container.query, found: expectedFound(container.query) },
        corrupted: container.corrupted,
      });
    }
    return send(404, { error: 'not found' });
  }
}
