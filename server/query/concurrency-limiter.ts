import { TrellisError } from '../errors.js';

/** Who a task is for: the tenant (organisation) and the user within it. Absent parts share one turn. */
export interface FairnessKey {
  readonly tenant?: string | undefined;
  readonly user?: string | undefined;
}

interface Waiter {
  readonly tenant: string;
  readonly user: string;
  readonly resolve: () => void;
  readonly reject: (err: unknown) => void;
  /** Detaches the abort listener and the queue timer once the waiter leaves the queue. */
  cleanup: () => void;
}

/** A tenant's waiters, per user. Map order is the round-robin order: a user served moves to the back. */
interface TenantQueue {
  readonly users: Map<string, Waiter[]>;
  size: number;
}

/** The key of callers that give none: they all share one turn. */
const SHARED_KEY = '';

/**
 * Admits at most `concurrency` tasks at once and queues at most `queueLimit` more; a full queue is
 * SOURCE_BUSY rather than an ever-growing backlog, and so is a wait longer than `queueTimeoutMs`
 * (when given). A waiter whose signal aborts leaves the queue without taking a slot.
 *
 * Fair share, two levels (tenant, then user within the tenant):
 * - Slots: a free slot goes round-robin across the tenants that have waiters, and within the chosen
 *   tenant round-robin across its users; within one user, arrival order. So one tenant's burst of 500
 *   queries cannot make another tenant's 2 wait behind all of them — each waits for at most one slot
 *   per tenant ahead of it in the round.
 * - Queue space: the queue is shared (one tenant alone may use all of it), but when it is full, a
 *   newcomer whose tenant holds fewer places than the biggest tenant takes the newest place of that
 *   tenant's biggest user, which is refused SOURCE_BUSY instead; within one tenant, the same between
 *   its users. So a flood fills the queue only until someone else arrives, and the refusals land on
 *   the flood, never on a tenant (or user) with fewer waiters than it.
 */
export class ConcurrencyLimiter {
  private active = 0;
  private waitingCount = 0;
  /** Waiters per tenant, in round-robin order (a tenant served moves to the back). */
  private readonly tenants = new Map<string, TenantQueue>();

  constructor(
    readonly concurrency: number,
    readonly queueLimit: number,
    readonly queueTimeoutMs?: number,
  ) {}

  get inFlight(): number {
    return this.active;
  }

  get queued(): number {
    return this.waitingCount;
  }

  /** Waiters of one tenant (all of them without a key): for tests and diagnostics. */
  queuedFor(tenant: string): number {
    return this.tenants.get(tenant)?.size ?? 0;
  }

  async run<T>(task: () => Promise<T>, signal?: AbortSignal, key: FairnessKey = {}): Promise<T> {
    await this.acquire(signal, key.tenant ?? SHARED_KEY, key.user ?? SHARED_KEY);
    try {
      return await task();
    } finally {
      this.release();
    }
  }

  private acquire(signal: AbortSignal | undefined, tenant: string, user: string): Promise<void> {
    if (signal?.aborted) return Promise.reject(new TrellisError('QUERY_CANCELLED'));
    if (this.active < this.concurrency) {
      this.active++;
      return Promise.resolve();
    }
    if (this.waitingCount >= this.queueLimit && !this.makeRoomFor(tenant, user)) {
      return Promise.reject(
        new TrellisError('SOURCE_BUSY', {
          detail: { active: this.active, queued: this.waitingCount, tenantQueued: this.queuedFor(tenant) },
        }),
      );
    }
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const onAbort = () => {
        if (this.remove(waiter)) reject(new TrellisError('QUERY_CANCELLED'));
      };
      const waiter: Waiter = {
        tenant,
        user,
        resolve,
        reject,
        cleanup: () => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      if (this.queueTimeoutMs !== undefined) {
        const waitedMs = this.queueTimeoutMs;
        timer = setTimeout(() => {
          if (this.remove(waiter))
            reject(new TrellisError('SOURCE_BUSY', { detail: { waitedMs, active: this.active } }));
        }, waitedMs);
      }
      let queue = this.tenants.get(tenant);
      if (!queue) this.tenants.set(tenant, (queue = { users: new Map(), size: 0 }));
      const mine = queue.users.get(user);
      if (mine) mine.push(waiter);
      else queue.users.set(user, [waiter]);
      queue.size++;
      this.waitingCount++;
    });
  }

  /**
   * The queue is full: frees a place for (tenant, user) by refusing the newest waiter of whoever holds
   * more than they would — the biggest tenant if it is bigger than the newcomer's, else (same tenant
   * or a tie) the newcomer's tenant's biggest user if bigger than the newcomer. False: the newcomer is
   * (one of) the biggest, so it is the one refused.
   */
  private makeRoomFor(tenant: string, user: string): boolean {
    const own = this.tenants.get(tenant);
    let biggest: TenantQueue | undefined;
    for (const queue of this.tenants.values()) if (!biggest || queue.size > biggest.size) biggest = queue;
    if (!biggest) return false;
    let victimTenant: TenantQueue | undefined;
    if (biggest.size > (own?.size ?? 0)) victimTenant = biggest;
    else if (own) {
      const mine = own.users.get(user)?.length ?? 0;
      if (largestUser(own).length > mine) victimTenant = own;
    }
    if (!victimTenant) return false;
    const victim = largestUser(victimTenant).at(-1);
    if (!victim || !this.remove(victim)) return false;
    victim.reject(
      new TrellisError('SOURCE_BUSY', {
        detail: { reason: 'fair_share', active: this.active, queued: this.waitingCount },
      }),
    );
    return true;
  }

  private release(): void {
    const next = this.takeNext();
    if (next) {
      next.cleanup();
      next.resolve(); // the slot passes straight to the next waiter
    } else {
      this.active--;
    }
  }

  /** The first waiter of the user whose turn it is in the tenant whose turn it is; both go to the back. */
  private takeNext(): Waiter | undefined {
    for (const [tenant, queue] of this.tenants) {
      this.tenants.delete(tenant);
      for (const [user, waiters] of queue.users) {
        const waiter = waiters.shift();
        queue.users.delete(user);
        if (waiters.length) queue.users.set(user, waiters);
        if (waiter) {
          queue.size--;
          this.waitingCount--;
          if (queue.size) this.tenants.set(tenant, queue);
          return waiter;
        }
      }
    }
    return undefined;
  }

  /** Takes a waiter out of the queue (abort, timeout, fair-share refusal); false if it already left. */
  private remove(waiter: Waiter): boolean {
    const queue = this.tenants.get(waiter.tenant);
    const waiters = queue?.users.get(waiter.user);
    const i = waiters ? waiters.indexOf(waiter) : -1;
    if (!queue || !waiters || i < 0) return false;
    waiters.splice(i, 1);
    if (!waiters.length) queue.users.delete(waiter.user);
    queue.size--;
    if (!queue.size) this.tenants.delete(waiter.tenant);
    this.waitingCount--;
    waiter.cleanup();
    return true;
  }
}

function largestUser(queue: TenantQueue): Waiter[] {
  let largest: Waiter[] = [];
  for (const waiters of queue.users.values()) if (waiters.length > largest.length) largest = waiters;
  return largest;
}
