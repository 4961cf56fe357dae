import type { HttpSpec } from '../../config/project/pipeline.types.js';
import type { PipelineRunContext } from '../pipeline-contract.js';
import { RateLimiter, fetchPage, type FetchedPage } from './http-fetcher.js';
import { pageUrl, predictableNext, type Cursor } from './pagination.js';
import { readPath } from './row-mapping.js';

/** `items: $`: the response body itself is the array of items. */
export const WHOLE_BODY = '$';

/** The items array of a response body (unchecked: `hasItems` checked it when it arrived). */
export function itemsOf(spec: HttpSpec, body: unknown): unknown {
  return spec.items === WHOLE_BODY ? body : readPath(body, spec.items);
}

/**
 * The pages of one listing in flight: each cursor is fetched once (rate-limited, retried), possibly
 * ahead of its turn, and waited for when its turn comes. Offset and page pagination fetch up to
 * `concurrency` pages ahead; the rest one page after another (the next cursor is in the page).
 */
export class PagePrefetcher {
  private readonly pages = new Map<string, Promise<FetchedPage>>();
  private readonly limiter: RateLimiter;
  private readonly abort = new AbortController();
  private readonly signal: AbortSignal;
  private readonly ahead: number;

  constructor(
    private readonly spec: HttpSpec,
    private readonly baseUrl: string,
    /** The listing's fixed parameters (HttpState.extra). */
    private readonly extra: Readonly<Record<string, string>>,
    private readonly context: PipelineRunContext,
    /** `http.headers` with their secrets resolved. */
    private readonly headers?: Readonly<Record<string, string>>,
  ) {
    this.limiter = new RateLimiter(spec.rateLimit);
    this.signal = AbortSignal.any([context.signal, this.abort.signal]);
    this.ahead = ['offset', 'page'].includes(spec.pagination.type) ? spec.concurrency : 1;
  }

  /** The page at `cursor`, fetched now unless it already is. */
  fetch(cursor: Cursor, pageNo: number): Promise<FetchedPage> {
    const key = JSON.stringify(cursor);
    let page = this.pages.get(key);
    if (!page) {
      page = fetchPage(pageUrl(this.baseUrl, this.spec, this.extra, cursor), {
        spec: this.spec,
        limiter: this.limiter,
        signal: this.signal,
        check: (body) => this.hasItems(body),
        ...(this.headers ? { headers: this.headers } : {}),
        onRetry: (problem, attempt, waitMs) =>
          this.context.log(
            'warn',
            `page ${pageNo}: ${problem}; retry ${attempt} of ${this.spec.retries} in ${(waitMs / 1000).toFixed(1)} s`,
          ),
      });
      // Rejections are handled when the page's turn comes; until then they must not go unhandled.
      page.catch(() => undefined);
      this.pages.set(key, page);
    }
    return page;
  }

  /** Keeps up to `concurrency` pages in flight from `cursor` on (predictable cursors only). */
  fetchAhead(cursor: Cursor, pageNo: number): void {
    let predicted: Cursor = cursor;
    for (let k = 0; k < this.ahead; k++) {
      this.fetch(predicted, pageNo + k);
      const after = predictableNext(predicted, this.spec);
      if (!after) break;
      predicted = after;
    }
  }

  /** The page at `cursor` was taken: its body can be collected once the caller is done with it. */
  taken(cursor: Cursor): void {
    this.pages.delete(JSON.stringify(cursor));
  }

  /** Forgets every fetched page (the listing starts over). */
  clear(): void {
    this.pages.clear();
  }

  /** Stops every page still in flight (the run ended). */
  stop(): void {
    this.abort.abort();
  }

  private hasItems(body: unknown): string | null {
    return Array.isArray(itemsOf(this.spec, body))
      ? null
      : `the response has no array at "${this.spec.items}"`;
  }
}
