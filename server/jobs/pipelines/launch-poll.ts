import type { PollSpec, RequestSpec } from '../../config/project/pipeline.types.js';
import { backoffDelay } from '../../resilience/backoff.js';
import { sleep } from '../../resilience/sleep.js';
import type { CallOutcome } from './api-call.js';
import {
  buildRequest,
  RequestBuildError,
  type BuiltRequest,
  type TemplateValues,
} from './request-builder.js';
import { readPath } from './row-mapping.js';

/**
 * The rest of a launch-then-poll step (docs/pipelines.md#launch-then-poll), after the launch call
 * answered: poll the job's status — waits growing from `interval` to `max_interval` with the server's
 * one backoff (equal jitter: each wait keeps a growing minimum, so a slow job is not hammered) — until
 * it is one of `done`, one of `failed` (the row fails with that status), or `timeout` passes (the row
 * fails); then the `fetch` request, or the last poll answer, is the body the step's `result:` reads.
 * Each poll and fetch is one `call` (the run's limits: rate limit, retries, breaker, timeout).
 */
export interface PollOptions {
  readonly poll: PollSpec;
  readonly fetch: { readonly spec: RequestSpec; readonly origin: string } | null;
  readonly pollOrigin: string;
  /** One call with the run's limits; counts its attempts in the run's figures. */
  call(request: BuiltRequest): Promise<CallOutcome>;
  readonly signal: AbortSignal;
  readonly now?: () => number;
  readonly random?: () => number;
}

export type PollOutcome =
  | { readonly ok: true; readonly body: unknown; readonly attempts: number }
  | { readonly ok: false; readonly error: string; readonly attempts: number };

export async function awaitLaunchedJob(
  launched: unknown,
  values: Omit<TemplateValues, 'launch'>,
  options: PollOptions,
): Promise<PollOutcome> {
  const { poll, signal } = options;
  const now = options.now ?? Date.now;
  const launch =
    launched !== null && typeof launched === 'object' && !Array.isArray(launched)
      ? (launched as Record<string, unknown>)
      : {};
  const withLaunch: TemplateValues = { ...values, launch };
  let attempts = 0;
  const request = (spec: RequestSpec, origin: string): BuiltRequest | string => {
    try {
      return buildRequest(spec, origin, withLaunch);
    } catch (err) {
      if (err instanceof RequestBuildError) return err.message;
      throw err;
    }
  };

  const deadline = now() + poll.timeoutMs;
  let last: unknown;
  for (let n = 1; ; n++) {
    const wait = backoffDelay(
      { baseMs: poll.intervalMs, maxMs: poll.maxIntervalMs, jitter: 'equal' },
      n,
      options.random,
    );
    if (now() + wait > deadline)
      return {
        ok: false,
        error: `the launched job did not finish within ${poll.timeoutMs < 10_000 ? `${poll.timeoutMs} ms` : `${Math.round(poll.timeoutMs / 1000)} s`} (${n - 1} polls)`,
        attempts,
      };
    await sleep(wait, signal);
    const built = request(poll.request, options.pollOrigin);
    if (typeof built === 'string') return { ok: false, error: `polling: ${built}`, attempts };
    const outcome = await options.call(built);
    attempts += outcome.attempts;
    if (!outcome.ok) return { ok: false, error: `polling failed: ${outcome.error}`, attempts };
    const status = readPath(outcome.body, poll.status);
    const text = typeof status === 'string' || typeof status === 'number' ? String(status) : null;
    if (text !== null && poll.done.includes(text)) {
      last = outcome.body;
      break;
    }
    if (text !== null && poll.failed.includes(text))
      return { ok: false, error: `the launched job ended "${text}"`, attempts };
    if (text === null)
      return { ok: false, error: `the poll answer has no status at "${poll.status}"`, attempts };
  }

  if (!options.fetch) return { ok: true, body: last, attempts };
  const built = request(options.fetch.spec, options.fetch.origin);
  if (typeof built === 'string') return { ok: false, error: `fetching the result: ${built}`, attempts };
  const fetched = await options.call(built);
  attempts += fetched.attempts;
  if (!fetched.ok) return { ok: false, error: `fetching the result failed: ${fetched.error}`, attempts };
  return { ok: true, body: fetched.body, attempts };
}
