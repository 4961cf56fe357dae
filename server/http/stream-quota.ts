import { TrellisError } from '../errors.js';

/**
 * Open streams per holder (a user), so one session cannot take every slot of the server-wide bound
 * (TRELLIS_MAX_EVENT_STREAMS): the `perHolder`+1st stream of one user is TOO_MANY_STREAMS while
 * everyone else can still open theirs. One quota per stream kind; memory per process.
 */
export class StreamQuota {
  private readonly open = new Map<string, number>();

  constructor(readonly perHolder: number) {}

  /** Counts a stream for `holder`, or throws TOO_MANY_STREAMS; returns the release (idempotent). */
  acquire(holder: string): () => void {
    const held = this.open.get(holder) ?? 0;
    if (held >= this.perHolder)
      throw new TrellisError('TOO_MANY_STREAMS', {
        message:
          'You have too many pages listening for updates; close some, or they refresh on their own schedule.',
        detail: { reason: 'per_user', held, max: this.perHolder },
      });
    this.open.set(holder, held + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const now = (this.open.get(holder) ?? 1) - 1;
      if (now > 0) this.open.set(holder, now);
      else this.open.delete(holder);
    };
  }

  heldBy(holder: string): number {
    return this.open.get(holder) ?? 0;
  }
}
