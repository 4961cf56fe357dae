/**
 * A local stand-in for the ClinicalTrials.gov API v2 `/api/v2/studies` endpoint — the only test
 * double the project allows (a third-party internet API). It serves generated studies in the real
 * shape (examples/clinical-trials/generator), pages them like the real API (`pageSize` ≤ 1000,
 * default 10; `nextPageToken`; `countTotal=true` adds `totalCount` to the first page), filters by
 * `filter.advanced=AREA[LastUpdatePostDate]RANGE[date,MAX]`, and fails like the real one on
 * demand: 429 with Retry-After, 500s, responses slower than the client's timeout, truncated bodies,
 * malformed JSON, and page tokens that expire.
 *
 * In-process: `await CtgovReplayServer.start({ studies: 500 })`. As its own process (so serving does
 * not share the pipeline's CPU or memory): bench/lib/replay-server-process.ts.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEFAULT_SEED, generateStudy } from '../examples/clinical-trials/generator/generate-studies.js';
import type { CtgovStudy } from '../examples/clinical-trials/transforms/ctgov-study.js';

export type FaultKind = '429' | '500' | '503' | 'slow' | 'truncated' | 'malformed' | 'expired-token';

export interface Fault {
  readonly kind: FaultKind;
  /** 1-based page of the listing the fault hits (by offset / pageSize); absent: any page. */
  readonly page?: number;
  /** How many requests it hits before it is used up (default 1). */
  readonly times?: number;
  /** 429: the Retry-After header in seconds (default 1). */
  readonly retryAfterSeconds?: number;
  /** slow: how long before the response starts (default 5000 ms). */
  readonly delayMs?: number;
}

export interface ReplayServerOptions {
  readonly studies: number;
  readonly seed?: number;
  readonly faults?: readonly Fault[];
  /** Probability per request of a random fault (429, 500, truncated, malformed, slow 1.5 s). */
  readonly chaos?: number;
  /** Page tokens older than this are answered 400 (the real API's tokens do not live forever). */
  readonly tokenTtlMs?: number;
  readonly port?: number;
}

export interface ServedRequest {
  readonly page: number;
  readonly status: number;
  readonly fault: FaultKind | null;
  readonly pageSize: number;
  /** The request's headers (a pipeline's templated headers, for the run-inputs e2e). */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

interface TokenBody {
  readonly o: number;
  readonly s: number;
  readonly at: number;
  readonly f: string | null;
}

const MAX_PAGE_SIZE = 1000;
const DEFAULT_PAGE_SIZE = 10;

/** A deterministic PRNG (mulberry32) so chaos runs repeat. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class CtgovReplayServer {
  readonly served: ServedRequest[] = [];
  private readonly faults: { fault: Fault; left: number }[] = [];
  private readonly random: () => number;
  private readonly updates = new Map<number, { title: string; lastUpdate: string }>();
  private readonly filterCache = new Map<string, number[]>();
  private readonly open = new Set<ServerResponse>();
  private studyCount: number;

  private constructor(
    private readonly server: Server,
    readonly url: string,
    private readonly options: ReplayServerOptions,
  ) {
    this.studyCount = options.studies;
    this.random = prng((options.seed ?? DEFAULT_SEED) ^ 0x5eed);
    for (const f of options.faults ?? []) this.inject(f);
  }

  static async start(options: ReplayServerOptions): Promise<CtgovReplayServer> {
    const holder: { instance?: CtgovReplayServer } = {};
    const server = createServer((req, res) => holder.instance?.handle(req, res));
    server.keepAliveTimeout = 5_000;
    await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    holder.instance = new CtgovReplayServer(server, `http://127.0.0.1:${port}/api/v2/studies`, options);
    return holder.instance;
  }

  /** Adds a fault for the coming requests. */
  inject(fault: Fault): void {
    this.faults.push({ fault, left: fault.times ?? 1 });
  }

  /** The studies in NCT order (the listing's order) as the server has them now. */
  study(index: number): CtgovStudy {
    const study = generateStudy(index, this.options.seed ?? DEFAULT_SEED);
    const update = this.updates.get(index);
    if (update) {
      const p = study.protocolSection ?? {};
      if (p.identificationModule) p.identificationModule.briefTitle = update.title;
      if (p.statusModule)
        p.statusModule.lastUpdatePostDateStruct = { date: update.lastUpdate, type: 'ACTUAL' };
    }
    return study;
  }

  get studies(): number {
    return this.studyCount;
  }

  /** Changes studies (a new title and last-update date), as a registry update would. */
  update(indexes: readonly number[], title: (i: number) => string, lastUpdate: string): void {
    for (const i of indexes) this.updates.set(i, { title: title(i), lastUpdate });
    this.filterCache.clear();
  }

  /** Registers new studies at the end of the listing. */
  grow(count: number): void {
    this.studyCount += count;
    this.filterCache.clear();
  }

  requestsFor(page: number): ServedRequest[] {
    return this.served.filter((r) => r.page === page);
  }

  async close(): Promise<void> {
    for (const res of this.open) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    this.open.add(res);
    res.on('close', () => this.open.delete(res));
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method !== 'GET' || url.pathname !== '/api/v2/studies')
      return this.json(res, 404, { message: 'Not found' });

    const sizeParam = url.searchParams.get('pageSize');
    let pageSize = sizeParam === null ? DEFAULT_PAGE_SIZE : Number(sizeParam);
    if (!Number.isInteger(pageSize) || pageSize < 0)
      return this.json(res, 400, { message: 'Invalid pageSize' });
    pageSize = Math.min(pageSize === 0 ? DEFAULT_PAGE_SIZE : pageSize, MAX_PAGE_SIZE);
    const filter = url.searchParams.get('filter.advanced');
    const token = url.searchParams.get('pageToken');
    let offset = 0;
    let tokenBody: TokenBody | null = null;
    if (token !== null) {
      tokenBody = decodeToken(token);
      if (!tokenBody || tokenBody.f !== filter)
        return this.json(res, 400, { message: `Invalid pageToken: ${token}` });
      offset = tokenBody.o;
      pageSize = tokenBody.s;
    }
    const page = Math.floor(offset / Math.max(pageSize, 1)) + 1;
    const record = (status: number, fault: FaultKind | null) =>
      this.served.push({ page, status, fault, pageSize, headers: req.headers });

    const fault = this.takeFault(page);
    const expired =
      tokenBody !== null &&
      this.options.tokenTtlMs !== undefined &&
      Date.now() - tokenBody.at > this.options.tokenTtlMs;
    if ((fault?.kind === 'expired-token' && tokenBody !== null) || expired) {
      record(400, 'expired-token');
      return this.json(res, 400, { message: `Invalid pageToken: ${token ?? ''} (expired)` });
    }
    switch (fault?.kind) {
      case '429':
        record(429, '429');
        res.writeHead(429, {
          'content-type': 'text/plain',
          'retry-after': String(fault.retryAfterSeconds ?? 1),
        });
        return void res.end('Too Many Requests');
      case '500':
      case '503':
        record(Number(fault.kind), fault.kind);
        return this.json(res, Number(fault.kind), { message: 'Internal error' });
      default:
        break;
    }

    let indexes: readonly number[] | null = null;
    if (filter !== null) {
      const m = /^AREA\[LastUpdatePostDate\]RANGE\[(\d{4}-\d{2}-\d{2}),MAX\]$/.exec(filter);
      if (!m) return this.json(res, 400, { message: 'Unsupported filter.advanced' });
      indexes = this.updatedSince(m[1] as string);
    }
    const total = indexes ? indexes.length : this.studyCount;
    const end = Math.min(offset + pageSize, total);
    const studies: CtgovStudy[] = [];
    for (let i = offset; i < end; i++) studies.push(this.study(indexes ? (indexes[i] as number) : i));
    const body: Record<string, unknown> = {};
    if (token === null && url.searchParams.get('countTotal') === 'true') body['totalCount'] = total;
    body['studies'] = studies;
    if (end < total) body['nextPageToken'] = encodeToken({ o: end, s: pageSize, at: Date.now(), f: filter });
    const text = JSON.stringify(body);

    switch (fault?.kind) {
      case 'slow': {
        record(200, 'slow');
        const timer = setTimeout(() => {
          if (!res.destroyed) this.send(res, 200, text);
        }, fault.delayMs ?? 5_000);
        res.on('close', () => clearTimeout(timer));
        return;
      }
      case 'truncated':
        // Headers promise the whole body; half of it arrives, then the connection drops.
        record(200, 'truncated');
        res.writeHead(200, {
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(text)),
        });
        res.write(text.slice(0, Math.floor(text.length / 2)));
        setTimeout(() => res.destroy(), 5);
        return;
      case 'malformed':
        record(200, 'malformed');
        return this.send(res, 200, `${text.slice(0, Math.floor(text.length / 3))}\u0000"}}`);
      default:
        record(200, null);
        return this.send(res, 200, text);
    }
  }

  private takeFault(page: number): Fault | undefined {
    const i = this.faults.findIndex(
      (f) => f.left > 0 && (f.fault.page === undefined || f.fault.page === page),
    );
    if (i >= 0) {
      const entry = this.faults[i] as { fault: Fault; left: number };
      entry.left--;
      return entry.fault;
    }
    const chaos = this.options.chaos ?? 0;
    if (chaos > 0 && this.random() < chaos) {
      const kinds: FaultKind[] = ['429', '500', 'truncated', 'malformed', 'slow'];
      const kind = kinds[Math.floor(this.random() * kinds.length)] as FaultKind;
      return { kind, retryAfterSeconds: 0, delayMs: 1_500 };
    }
    return undefined;
  }

  private updatedSince(date: string): number[] {
    const cached = this.filterCache.get(date);
    if (cached) return cached;
    const out: number[] = [];
    for (let i = 0; i < this.studyCount; i++) {
      const s = this.study(i).protocolSection?.statusModule?.lastUpdatePostDateStruct?.date;
      if (s !== undefined && s >= date) out.push(i);
    }
    this.filterCache.set(date, out);
    return out;
  }

  private json(res: ServerResponse, status: number, body: unknown): void {
    this.send(res, status, JSON.stringify(body));
  }

  private send(res: ServerResponse, status: number, text: string): void {
    res.writeHead(status, {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(text)),
    });
    res.end(text);
  }
}

function encodeToken(body: TokenBody): string {
  return Buffer.from(JSON.stringify(body)).toString('base64url');
}

function decodeToken(token: string): TokenBody | null {
  try {
    const v = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Partial<TokenBody>;
    if (typeof v.o !== 'number' || typeof v.s !== 'number' || typeof v.at !== 'number') return null;
    return { o: v.o, s: v.s, at: v.at, f: typeof v.f === 'string' ? v.f : null };
  } catch {
    return null;
  }
}
