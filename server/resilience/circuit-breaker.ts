import { TrellisError } from '../errors.js';

export type CircuitState = 'closed' | 'open' | 'half-open';

export interface CircuitBreakerOptions {
  /** Consecutive source failures that open the circuit. Default 5. */
  readonly failureThreshold?: number;
  /** How long an open circuit rejects before letting one probe through. Default 10 s. */
  readonly coolDownMs?: number;
  /** Which errors mean "the source is down". Default: SOURCE_UNAVAILABLE. */
  readonly isFailure?: (err: unknown) => boolean;
  readonly now?: () => number;
  readonly onStateChange?: (source: string, from: CircuitState, to: CircuitState) => void;
}

interface Circuit {
  state: CircuitState;
  failures: number;
  openedAt: number;
  probing: boolean;
}

export function isSourceUnavailable(err: unknown): boolean {
  return err instanceof TrellisError && err.code === 'SOURCE_UNAVAILABLE';
}

/**
 * One circuit per source. While a source is down, every request would otherwise wait for its own
 * connect timeout; an open circuit answers SOURCE_UNAVAILABLE at once instead (which the cache turns
 * into a stale answer where it has one). After the cool-down one request probes the source; success
 * closes the circuit, so recovery needs no restart.
 *
 * Only failures that mean "the source is down" count. A query error or a cancelled request says
 * nothing about the source's health: it neither counts nor resets the count, and a cancelled probe
 * just lets the next request probe.
 */
export class CircuitBreakers {
  private readonly circuits = new Map<string, Circuit>();
  private readonly failureThreshold: number;
  private readonly coolDownMs: number;
  private readonly isFailure: (err: unknown) => boolean;
  private readonly now: () => number;

  constructor(private readonly options: CircuitBreakerOptions = {}) {
    this.failureThreshold = options.failureThreshold ?? 5;
    this.coolDownMs = options.coolDownMs ?? 10_000;
    this.isFailure = options.isFailure ?? isSourceUnavailable;
    this.now = options.now ?? Date.now;
    if (!Number.isInteger(this.failureThreshold) || this.failureThreshold < 1)
      throw new TypeError('failureThreshold must be an integer ≥ 1');
  }

  state(source: string): CircuitState {
    const c = this.circuits.get(source);
    if (!c) return 'closed';
    if (c.state === 'open' && this.now() - c.openedAt >= this.coolDownMs) return 'half-open';
    return c.state;
  }

  /** Runs `task` unless the circuit rejects it; records the outcome. */
  async execute<T>(source: string, task: () => Promise<T>): Promise<T> {
    this.admit(source);
    let result: T;
    try {
      result = await task();
    } catch (err) {
      this.record(source, err);
      throw err;
    }
    this.record(source, undefined);
    return result;
  }

  /**
   * Throws SOURCE_UNAVAILABLE when the circuit is open, or half-open with its probe already out.
   * Otherwise admits the call, which must then be reported with `record`.
   */
  admit(source: string): void {
    const c = this.circuit(source);
    if (c.state === 'open') {
      const retryInMs = c.openedAt + this.coolDownMs - this.now();
      if (retryInMs > 0) throw this.rejection(source, retryInMs);
      this.transition(source, c, 'half-open');
    }
    if (c.state === 'half-open') {
      if (c.probing) throw this.rejection(source, 0);
      c.probing = true;
    }
  }

  /** Reports an admitted call: `err` undefined for success. */
  record(source: string, err: unknown): void {
    const c = this.circuit(source);
    const probe = c.state === 'half-open' && c.probing;
    if (probe) c.probing = false;
    if (err === undefined) {
      c.failures = 0;
      if (c.state !== 'closed') this.transition(source, c, 'closed');
      return;
    }
    if (!this.isFailure(err)) return;
    c.failures++;
    if (probe || (c.state === 'closed' && c.failures >= this.failureThreshold)) {
      c.openedAt = this.now();
      this.transition(source, c, 'open');
    }
  }

  private circuit(source: string): Circuit {
    let c = this.circuits.get(source);
    if (!c) {
      c = { state: 'closed', failures: 0, openedAt: 0, probing: false };
      this.circuits.set(source, c);
    }
    return c;
  }

  private transition(source: string, c: Circuit, to: CircuitState): void {
    const from = c.state;
    c.state = to;
    this.options.onStateChange?.(source, from, to);
  }

  private rejection(source: string, retryInMs: number): TrellisError {
    return new TrellisError('SOURCE_UNAVAILABLE', {
      detail: { source, circuit: 'open', retryInMs: Math.max(0, retryInMs) },
    });
  }
}
