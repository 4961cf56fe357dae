import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { AppServices } from '../../app.js';
import type { Engine } from '../../query/engine.js';
import { closeEngines } from '../../query/engines/index.js';

/** One built app on one loaded project, with the engines it reads. */
export interface Generation {
  readonly app: FastifyInstance & { services: AppServices };
  readonly engines: ReadonlyMap<string, Engine>;
}

interface Slot {
  readonly generation: Generation;
  /** Requests being answered by this generation (event streams excepted: closing ends them). */
  inFlight: number;
  /** Set when the slot is retired: called as its last request finishes. */
  onIdle?: () => void;
}

/**
 * The one listening HTTP server of `trellis dev`, answering each request with the app of the project
 * as it was when the request arrived. `swap` puts a new generation in front at once; the old one
 * finishes its in-flight requests (at most `drainMs`), then closes with its engines. Event streams
 * (dashboard updates, run events, dev events) end when their app closes and the browser reconnects
 * to the new one.
 */
export class LiveApp {
  readonly server: Server;
  private current: Slot;
  /** Older generations still draining (each for at most drainMs). */
  private readonly retiring = new Set<Promise<void>>();

  constructor(
    first: Generation,
    private readonly drainMs: number,
  ) {
    this.current = { generation: first, inFlight: 0 };
    // The limits Fastify sets on a server it creates itself (buildApp's requestTimeout, connectionTimeout).
    this.server = createServer({ requestTimeout: 60_000 }, (req, res) => this.handle(req, res));
    this.server.setTimeout(60_000);
  }

  get generation(): Generation {
    return this.current.generation;
  }

  /** Serves `next` from now on; resolves when the previous generation has closed. */
  async swap(next: Generation): Promise<void> {
    const old = this.current;
    this.current = { generation: next, inFlight: 0 };
    const retired = this.retire(old);
    this.retiring.add(retired);
    try {
      await retired;
    } finally {
      this.retiring.delete(retired);
    }
  }

  /** Stops listening, lets in-flight requests finish (bounded), closes the current generation. */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    // Their failures were reported to whoever swapped them out; here they only need to be over.
    await Promise.allSettled([...this.retiring]);
    await this.retire(this.current);
    this.server.closeAllConnections();
    await closed;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const slot = this.current;
    if (!String(req.headers.accept ?? '').includes('text/event-stream')) {
      slot.inFlight++;
      res.once('close', () => {
        slot.inFlight--;
        if (slot.inFlight === 0) slot.onIdle?.();
      });
    }
    slot.generation.app.routing(req, res);
  }

  private async retire(slot: Slot): Promise<void> {
    if (slot.inFlight > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.drainMs);
        slot.onIdle = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    const { app, engines } = slot.generation;
    await app.close();
    await closeEngines(engines);
  }
}
