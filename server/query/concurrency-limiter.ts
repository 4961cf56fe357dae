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
 * How long a tenant counts as active after its last task ended. A person's next click, or the next
 * widget of a dashboard, comes a moment after the last answer: without this, that moment would let a
 * flood take back every slot, and each of the quiet tenant's requests would start behind the flood's
 * statements again instead of beside its share of them.
 */
export const ACTIVE_WINDOW_MS = 1_000;

/**
 * Half-life of a tenant's recent use of the source (engine time, decayed): what decides, on a
 * CPU-bound engine, who yields to whom (LimiterOptions.cpuBound). Long enough to tell a person's
 * clicks from a flood, short enough that a tenant that used much a minute ago is not held back now.
 */
export const USAGE_HALF_LIFE_MS = 10_000;

export interface LimiterOptions {
  /** See ACTIVE_WINDOW_MS (0: a tenant is active only while it has tasks). */
  readonly activeWindowMs?: number;
  /**
   * The tasks share this machine's CPU (an embedded engine): a slot is CPU time, not a connection
   * waiting on another server. Then, while no other active tenant wants more than it runs, a tenant
   * is held to as many running as the busiest other one (at least 1) — equal running statements are
   * equal shares of the cores; slots held back cost little, since one statement already uses every
   * engine thread. While others wait too, the plain share applies, so two floods split the slots.
   *
   * And a tenant that has used the source more recently (engine time, decayed: USAGE_HALF_LIFE_MS)
   * starts nothing while one that has used it less runs and wants no more than it runs: an equal
   * share of the cores *while both run* would still make the light tenant's statement twice as slow
   * (measured: bench noisy-neighbour), though over time it asks for a fraction of the flood's time.
   * The statement the heavier tenant is already running goes on (a statement is not pre-empted), and
   * the rule starves nobody: the lighter tenant's use grows as it runs, until it is no longer lighter.
   */
  readonly cpuBound?: boolean;
  /** The clock for the active window (tests pass their own). */
  readonly now?: () => number;
}

/** Running tasks of one tenant, in all and per user. */
interface Holding {
  count: number;
  readonly users: Map<string, number>;
}

/** A tenant's engine time, decayed by USAGE_HALF_LIFE_MS since `at`. */
interface Usage {
  ms: number;
  at: number;
}

/**
 * Admits at most `concurrency` tasks at once and queues at most `queueLimit` more; a full queue is
 * SOURCE_BUSY rather than an ever-growing backlog, and so is a wait longer than `queueTimeoutMs`
 * (when given). A waiter whose signal aborts leaves the queue without taking a slot.
 *
 * Fair share, two levels (tenant, then user within the tenant). A tenant is *active* while it has a
 * task running or waiting, and for `activeWindowMs` after its last one ended; a user is active within
 * its tenant while it has a task running or waiting.
 * - Running slots: while n tenants are active, a tenant may hold at most ceil(concurrency / n) of
 *   them, and a user at most ceil(its tenant's share / the tenant's active users). A tenant alone has
 *   every slot; when another arrives, the first has its extra tasks finish and is not given new slots
 *   above its share, so a flood that held every slot shrinks to its half as its statements end and the
 *   newcomer's run beside fewer of them (on an embedded engine they share the CPU: fewer of the flood
 *   running is what keeps the newcomer's statement fast, not only its place in the queue). Slots a
 *   tenant may not take stay free for the others — the price of the share, paid only while someone
 *   else is active.
 * - Order: a free slot goes to the active tenant with the fewest running (ties: round-robin, a tenant
 *   served moves to the back), within it to the user with the fewest running (ties: round-robin);
 *   within one user, arrival order. So a tenant arriving at a source another tenant fills takes the
 *   very next slot that frees, ahead of any further task of the flood.
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
  /** Running tasks per tenant (and user); a tenant leaves when its count is back to 0. */
  private readonly holdings = new Map<string, Holding>();
  /** When each tenant that has no task now last had one ended (for the active window). */
  private readonly lastEnded = new Map<string, number>();
  /** Recent engine time per tenant (cpuBound only); pruned once it has decayed to nothing. */
  private readonly usage = new Map<string, Usage>();
  private readonly activeWindowMs: number;
  private readonly now: () => number;
  private readonly cpuBound: boolean;

  constructor(
    readonly concurrency: number,
    readonly queueLimit: number,
    readonly queueTimeoutMs?: number,
    options: LimiterOptions = {},
  ) {
    this.activeWindowMs = options.activeWindowMs ?? ACTIVE_WINDOW_MS;
    this.now = options.now ?? (() => performance.now());
    this.cpuBound = options.cpuBound ?? false;
  }

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

  /** Running tasks of one tenant (of one of its users when given): for tests and diagnostics. */
  runningFor(tenant: string, user?: string): number {
    const holding = this.holdings.get(tenant);
    if (!holding) return 0;
    return user === undefined ? holding.count : (holding.users.get(user) ?? 0);
  }

  /** One tenant's running and waiting tasks and its share now (Engine.tenantLoad). */
  loadOf(tenant: string): { running: number; queued: number; share: number } {
    return { running: this.runningFor(tenant), queued: this.queuedFor(tenant), share: this.shareOf(tenant) };
  }

  /**
   * How many running slots a tenant may hold now: ceil(concurrency / active tenants); on a CPU-bound
   * engine, while no other tenant waits, no more than the busiest other active tenant runs (at least 1).
   */
  shareOf(tenant: string): number {
    return this.capOf(tenant, Math.ceil(this.concurrency / this.activeTenants(tenant)));
  }

  private capOf(tenant: string, share: number): number {
    if (!this.cpuBound) return share;
    if (this.yieldsToLighter(tenant)) return 0;
    for (const other of this.tenants.keys()) if (other !== tenant) return share;
    let busiest = 0;
    let others = false;
    for (const [other, holding] of this.holdings)
      if (other !== tenant) {
        others = true;
        busiest = Math.max(busiest, holding.count);
      }
    // Alone (no other tenant running or waiting; lingering ones count as running none): the plain share.
    if (!others && this.activeTenants(tenant) < 2) return share;
    return Math.min(share, Math.max(1, busiest));
  }

  /**
   * On a CPU-bound engine: whether `tenant` must start nothing now, because another tenant is running
   * with nothing waiting (a person's request, not a backlog) and has used the source less recently.
   */
  private yieldsToLighter(tenant: string): boolean {
    if (this.usage.size === 0) return false;
    const mine = this.usageOf(tenant);
    if (mine === 0) return false;
    for (const other of this.holdings.keys())
      if (other !== tenant && other !== SHARED_KEY && !this.tenants.has(other) && this.usageOf(other) < mine)
        return true;
    return false;
  }

  /** A tenant's recent engine time (decayed), in ms. */
  private usageOf(tenant: string): number {
    const u = this.usage.get(tenant);
    return u ? u.ms * 0.5 ** ((this.now() - u.at) / USAGE_HALF_LIFE_MS) : 0;
  }

  private addUsage(tenant: string, ms: number): void {
    const now = this.now();
    this.usage.set(tenant, { ms: this.usageOf(tenant) + ms, at: now });
    // Forget tenants whose use has decayed to under a millisecond (bounded by the active ones).
    if (this.usage.size > 2 * (this.holdings.size + this.tenants.size) + 8)
      for (const [other] of this.usage) if (this.usageOf(other) < 1) this.usage.delete(other);
  }

  async run<T>(task: () => Promise<T>, signal?: AbortSignal, key: FairnessKey = {}): Promise<T> {
    const tenant = key.tenant ?? SHARED_KEY;
    const user = key.user ?? SHARED_KEY;
    await this.acquire(signal, tenant, user);
    const started = this.cpuBound ? this.now() : 0;
    try {
      return await task();
    } finally {
      if (this.cpuBound && tenant !== SHARED_KEY) this.addUsage(tenant, this.now() - started);
      this.release(tenant, user);
    }
  }

  private acquire(signal: AbortSignal | undefined, tenant: string, user: string): Promise<void> {
    if (signal?.aborted) return Promise.reject(new TrellisError('QUERY_CANCELLED'));
    // Every waiter that may run is running (schedule() leaves none behind), so a newcomer that may
    // run now passes nobody who was owed the slot.
    if (this.active < this.concurrency && this.mayRun(tenant, user)) {
      this.hold(tenant, user);
      // On a CPU-bound engine one tenant running more can raise another's cap (capOf).
      if (this.cpuBound && this.waitingCount) this.schedule();
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
      // A running tenant that now waits too no longer holds heavier ones back (yieldsToLighter).
      if (this.cpuBound && queue.size === 1 && this.holdings.has(tenant)) this.schedule();
    });
  }

  /**
   * Tenants with a task running or waiting or one ended within the active window, counting `also` (a
   * newcomer) if it is none of these yet.
   */
  private activeTenants(also?: string): number {
    let n = this.holdings.size;
    for (const tenant of this.tenants.keys()) if (!this.holdings.has(tenant)) n++;
    const since = this.now() - this.activeWindowMs;
    for (const [tenant, ended] of this.lastEnded) {
      if (ended < since) this.lastEnded.delete(tenant);
      else if (!this.holdings.has(tenant) && !this.tenants.has(tenant)) n++;
    }
    if (
      also !== undefined &&
      !this.holdings.has(also) &&
      !this.tenants.has(also) &&
      !this.lastEnded.has(also)
    )
      n++;
    return n;
  }

  /** Users of one tenant with a task running or waiting, counting `also` if it has none yet. */
  private activeUsers(tenant: string, also?: string): number {
    const running = this.holdings.get(tenant)?.users;
    const waiting = this.tenants.get(tenant)?.users;
    let n = running?.size ?? 0;
    if (waiting) for (const user of waiting.keys()) if (!running?.has(user)) n++;
    if (also !== undefined && !running?.has(also) && !waiting?.has(also)) n++;
    return n;
  }

  /** Whether (tenant, user) may take one more running slot without going over its share. */
  private mayRun(tenant: string, user: string): boolean {
    const share = this.shareOf(tenant);
    if (this.runningFor(tenant) >= share) return false;
    return this.runningFor(tenant, user) < Math.ceil(share / this.activeUsers(tenant, user));
  }

  private hold(tenant: string, user: string): void {
    this.active++;
    let holding = this.holdings.get(tenant);
    if (!holding) this.holdings.set(tenant, (holding = { count: 0, users: new Map() }));
    holding.count++;
    holding.users.set(user, (holding.users.get(user) ?? 0) + 1);
  }

  private release(tenant: string, user: string): void {
    this.active--;
    const holding = this.holdings.get(tenant);
    if (holding) {
      holding.count--;
      const mine = (holding.users.get(user) ?? 1) - 1;
      if (mine) holding.users.set(user, mine);
      else holding.users.delete(user);
      if (!holding.count) {
        this.holdings.delete(tenant);
        // Keyless callers (health pings, the CLI) are no person about to click again: no window.
        if (this.activeWindowMs > 0 && tenant !== SHARED_KEY) this.lastEnded.set(tenant, this.now());
      }
    }
    this.schedule();
  }

  /** Gives free slots to waiters that may run, fewest-running tenant (then user) first. */
  private schedule(): void {
    while (this.active < this.concurrency) {
      const next = this.takeNext();
      if (!next) return;
      this.hold(next.tenant, next.user);
      next.cleanup();
      next.resolve();
    }
  }

  /**
   * The first waiter of the user whose turn it is in the tenant whose turn it is, among those that may
   * run: the fewest running first, round-robin order among equals; both go to the back.
   */
  private takeNext(): Waiter | undefined {
    // Every waiting tenant and user is already active, so the shares are the same for the whole pass:
    // computed once, a release costs O(tenants + waiting users), not that times the tenants.
    const plainShare = Math.ceil(this.concurrency / this.activeTenants());
    let best: { tenant: string; user: string; tenantRunning: number; userRunning: number } | undefined;
    for (const [tenant, queue] of this.tenants) {
      const tenantRunning = this.runningFor(tenant);
      if (best && tenantRunning >= best.tenantRunning) continue;
      const share = this.capOf(tenant, plainShare);
      if (tenantRunning >= share) continue;
      const userShare = Math.ceil(share / this.activeUsers(tenant));
      for (const user of queue.users.keys()) {
        const userRunning = this.runningFor(tenant, user);
        if (userRunning >= userShare) continue;
        if (best?.tenant === tenant && userRunning >= best.userRunning) continue;
        best = { tenant, user, tenantRunning, userRunning };
      }
    }
    if (!best) return undefined;
    const queue = this.tenants.get(best.tenant) as TenantQueue;
    const waiters = queue.users.get(best.user) as Waiter[];
    const waiter = waiters.shift() as Waiter;
    queue.users.delete(best.user);
    if (waiters.length) queue.users.set(best.user, waiters);
    queue.size--;
    this.waitingCount--;
    this.tenants.delete(best.tenant);
    if (queue.size) this.tenants.set(best.tenant, queue);
    return waiter;
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
    // One fewer active tenant (or user) raises the others' shares: a slot held back may now be given.
    queueMicrotask(() => this.schedule());
    return true;
  }
}

function largestUser(queue: TenantQueue): Waiter[] {
  let largest: Waiter[] = [];
  for (const waiters of queue.users.values()) if (waiters.length > largest.length) largest = waiters;
  return largest;
}
