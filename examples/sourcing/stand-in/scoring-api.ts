import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for an LLM "scoring API" (the sourcing example's screening step, and the tests'):
 * `POST /score` with an `x-api-key` header and a JSON profile returns `{ score, reasons }`. It behaves
 * like the real thing where it hurts: more than `limit` calls per `windowMs` per key get 429 with
 * Retry-After (and are counted as `overLimit`: the client overshot the limit it was given); a share
 * of calls fail at random (500 whose body echoes the key, as careless APIs do; 503; or a stall that
 * never answers); profiles marked "(unscorable)" get 422, and "(model error)" always a key-echoing 500. An `Idempotency-Key` seen before with a
 * success gets the same answer again without scoring twice (`scoredTwice` stays 0 if clients use it).
 */
export interface ScoringApiOptions {
  readonly keys: readonly string[];
  /** Calls per window per key (60 per minute by default). */
  readonly limit?: number;
  readonly windowMs?: number;
  /** Share of calls that fail at random: 500, 503 or a stall (default 0). */
  readonly faultRate?: number;
  /** How long a stalled call hangs before its connection is dropped. */
  readonly stallMs?: number;
  /** Retry-After seconds on 429. */
  readonly retryAfterSeconds?: number;
  /** Added latency per answer. */
  readonly latencyMs?: number;
  readonly port?: number;
}

export interface ScoringStats {
  calls: number;
  scored: number;
  throttled: number;
  overLimit: number;
  faults: number;
  unscorable: number;
  replays: number;
  scoredTwice: number;
  maxInWindow: number;
  /** 500 answers whose body echoed the caller's API key (the careless API's habit). */
  keyEchoes: number;
}

/** The score the API gives a profile: deterministic, so tests know the right answer. */
export function expectedScore(id: string, headline: string): number {
  const h = createHash('sha256').update(`${id}|${headline}`).digest();
  return Math.round(((h.readUInt16BE(0) % 1001) / 10) * 10) / 10;
}

export class ScoringApi {
  readonly stats: ScoringStats = {
    calls: 0,
    scored: 0,
    throttled: 0,
    overLimit: 0,
    faults: 0,
    unscorable: 0,
    replays: 0,
    scoredTwice: 0,
    maxInWindow: 0,
    keyEchoes: 0,
  };
  /** Per key: arrival times of calls within the window. */
  private readonly recent = new Map<string, number[]>();
  private readonly answered = new Map<string, string>();
  private readonly scoredIds = new Map<string, number>();
  private readonly stalls = new Set<ServerResponse>();

  private constructor(
    private readonly server: Server,
    readonly url: string,
    private readonly options: ScoringApiOptions,
  ) {}

  static async start(options: ScoringApiOptions): Promise<ScoringApi> {
    const holder: { api?: ScoringApi } = {};
    const server = createServer((req, res) => void holder.api?.handle(req, res));
    await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    holder.api = new ScoringApi(server, `http://127.0.0.1:${port}`, options);
    return holder.api;
  }

  /** How many times each profile id was scored (not counting idempotent replays). */
  timesScored(id: string): number {
    return this.scoredIds.get(id) ?? 0;
  }

  async close(): Promise<void> {
    for (const res of this.stalls) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (req.method !== 'POST' || req.url?.split('?')[0] !== '/score')
      return send(404, { error: 'not found' });
    const key = String(req.headers['x-api-key'] ?? '');
    if (!this.options.keys.includes(key)) return send(401, { error: 'missing or unknown API key' });
    this.stats.calls++;

    // The limit, per key, over a sliding window; every call counts (as at the real API).
    const now = Date.now();
    const windowMs = this.options.windowMs ?? 60_000;
    const limit = this.options.limit ?? 60;
    const times = (this.recent.get(key) ?? []).filter((t) => t > now - windowMs);
    times.push(now);
    this.recent.set(key, times);
    this.stats.maxInWindow = Math.max(this.stats.maxInWindow, times.length);
    if (times.length > limit) {
      this.stats.overLimit++;
      this.stats.throttled++;
      return send(
        429,
        { error: 'rate limit exceeded' },
        { 'retry-after': String(this.options.retryAfterSeconds ?? 1) },
      );
    }

    const fault = this.options.faultRate ?? 0;
    if (fault > 0 && Math.random() < fault) {
      this.stats.faults++;
      const kind = Math.random();
      if (kind < 0.4) {
        this.stats.keyEchoes++;
        return send(500, { error: `upstream model error (request by key ${key})` });
      }
      if (kind < 0.7) return send(503, { error: 'overloaded' });
      this.stalls.add(res);
      setTimeout(() => {
        this.stalls.delete(res);
        res.destroy();
      }, this.options.stallMs ?? 5_000).unref();
      return;
    }

    let profile: { id?: unknown; headline?: unknown };
    try {
      profile = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof profile;
    } catch {
      return send(400, { error: 'body is not JSON' });
    }
    if (typeof profile.id !== 'string' || typeof profile.headline !== 'string')
      return send(400, { error: 'id and headline are required' });
    if (profile.headline.includes('(unscorable)')) {
      this.stats.unscorable++;
      return send(422, { error: 'this profile cannot be scored (no work history)' });
    }
    // A profile that always breaks the model: a careless API's 500 echoing the key, every time, so a
    // test knows at least one row ends with that body (random faults are usually absorbed by retries).
    if (profile.headline.includes('(model error)')) {
      this.stats.faults++;
      this.stats.keyEchoes++;
      return send(500, { error: `upstream model error on this profile (request by key ${key})` });
    }
    const idem = req.headers['idempotency-key'];
    const replay = typeof idem === 'string' ? this.answered.get(`${key}:${idem}`) : undefined;
    if (this.options.latencyMs) await new Promise((r) => setTimeout(r, this.options.latencyMs));
    if (replay !== undefined) {
      this.stats.replays++;
      res.writeHead(200, { 'content-type': 'application/json', 'idempotent-replayed': 'true' });
      return void res.end(replay);
    }
    const score = expectedScore(profile.id, profile.headline);
    const body = JSON.stringify({
      id: profile.id,
      score,
      reasons: score >= 70 ? ['strong match on skills', 'seniority fits'] : ['partial match'],
    });
    const times_ = (this.scoredIds.get(profile.id) ?? 0) + 1;
    this.scoredIds.set(profile.id, times_);
    if (times_ > 1) this.stats.scoredTwice++;
    this.stats.scored++;
    if (typeof idem === 'string') this.answered.set(`${key}:${idem}`, body);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(body);
  }
}
