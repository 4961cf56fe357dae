import { MAX_DEV_PROBLEMS, type DevProjectStatus } from '../../contract/index.js';
import type { ProjectProblem } from '../config/project/project.types.js';
import { TrellisError } from '../errors.js';

type Listener = (status: DevProjectStatus) => void;

/** A problem's message as the page shows it: one line of at most this many characters. */
const MAX_MESSAGE_CHARS = 500;

/**
 * What `trellis dev` tells open pages about the project: its version (one more per swapped-in
 * change) and its problems while the files do not check. One hub lives for the whole dev process;
 * each generation of the app subscribes its streams here, so a stream opened on the old app still
 * hears the version that replaced it. Bounded: at most `maxStreams` listeners (TOO_MANY_STREAMS),
 * MAX_DEV_PROBLEMS problems of at most MAX_MESSAGE_CHARS each per event.
 */
export class DevReloadHub {
  private current: DevProjectStatus = { version: 1, problems: [], problemCount: 0 };
  private readonly listeners = new Set<Listener>();

  constructor(private readonly maxStreams: number) {}

  get status(): DevProjectStatus {
    return this.current;
  }

  get open(): number {
    return this.listeners.size;
  }

  /** A changed project is serving now: pages refetch what they show. */
  swapped(): void {
    this.publish({ version: this.current.version + 1, problems: [], problemCount: 0 });
  }

  /** The files do not check: pages show these, the last good project keeps serving. */
  failed(problems: readonly ProjectProblem[]): void {
    this.publish({
      version: this.current.version,
      problems: problems.slice(0, MAX_DEV_PROBLEMS).map((p) => ({
        file: p.file,
        line: p.line,
        message: oneLine(p.message),
      })),
      problemCount: problems.length,
    });
  }

  /** Hears every change (the current one is `status`); returns the function that stops listening. */
  subscribe(listener: Listener): () => void {
    if (this.listeners.size >= this.maxStreams)
      throw new TrellisError('TOO_MANY_STREAMS', {
        detail: { open: this.listeners.size, max: this.maxStreams },
      });
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private publish(status: DevProjectStatus): void {
    this.current = status;
    for (const listener of [...this.listeners]) listener(status);
  }
}

function oneLine(message: string): string {
  const flat = message.replace(/\s+/g, ' ').trim();
  return flat.length > MAX_MESSAGE_CHARS ? `${flat.slice(0, MAX_MESSAGE_CHARS - 1)}…` : flat;
}
