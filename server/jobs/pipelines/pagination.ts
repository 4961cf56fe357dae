import type { HttpSpec } from '../../config/project/pipeline.types.js';
import { readPath } from './row-mapping.js';

/**
 * Where the next page is, for each pagination type, as a small JSON-able cursor: it is stored with
 * each page's rows (the checkpoint), so a resumed run asks for exactly the page after the last one
 * written.
 */
export type Cursor =
  | { readonly kind: 'token'; readonly token: string | null }
  | { readonly kind: 'offset'; readonly offset: number }
  | { readonly kind: 'page'; readonly page: number }
  | { readonly kind: 'link'; readonly url: string | null }
  | { readonly kind: 'none' };

export function firstCursor(spec: HttpSpec): Cursor {
  const p = spec.pagination;
  switch (p.type) {
    case 'token':
      return { kind: 'token', token: null };
    case 'offset':
      return { kind: 'offset', offset: 0 };
    case 'page':
      return { kind: 'page', page: p.start };
    case 'link':
      return { kind: 'link', url: null };
    case 'none':
      return { kind: 'none' };
  }
}

/** The request URL for a cursor: the base URL, the pipeline's parameters, extra ones and the cursor's. */
export function pageUrl(
  base: string,
  spec: HttpSpec,
  extra: Readonly<Record<string, string>>,
  cursor: Cursor,
): URL {
  if (cursor.kind === 'link' && cursor.url !== null) return new URL(cursor.url);
  const url = new URL(base);
  for (const [k, v] of Object.entries(spec.params)) url.searchParams.set(k, v);
  for (const [k, v] of Object.entries(extra)) url.searchParams.set(k, v);
  const p = spec.pagination;
  if (p.type === 'token' && cursor.kind === 'token' && cursor.token !== null)
    url.searchParams.set(p.param, cursor.token);
  if (p.type === 'offset' && cursor.kind === 'offset') {
    url.searchParams.set(p.param, String(cursor.offset));
    url.searchParams.set(p.limit_param, String(p.limit));
  }
  if (p.type === 'page' && cursor.kind === 'page') {
    url.searchParams.set(p.param, String(cursor.page));
    url.searchParams.set(p.size_param, String(p.size));
  }
  return url;
}

/**
 * The cursor after a page, or null when it was the last: no next token, a short page, no
 * `rel="next"` link. A link to another origin than the base URL is refused (never follow an API
 * elsewhere).
 */
export function nextCursor(
  spec: HttpSpec,
  base: string,
  cursor: Cursor,
  body: unknown,
  itemCount: number,
  link: string | null,
): Cursor | null {
  const p = spec.pagination;
  switch (p.type) {
    case 'token': {
      const next = readPath(body, p.next);
      return typeof next === 'string' && next !== '' ? { kind: 'token', token: next } : null;
    }
    case 'offset':
      return itemCount < p.limit || cursor.kind !== 'offset'
        ? null
        : { kind: 'offset', offset: cursor.offset + itemCount };
    case 'page':
      return itemCount < p.size || cursor.kind !== 'page' ? null : { kind: 'page', page: cursor.page + 1 };
    case 'link': {
      const next = nextLink(link);
      if (next === null) return null;
      const resolved = new URL(next, cursor.kind === 'link' && cursor.url ? cursor.url : base);
      if (resolved.origin !== new URL(base).origin)
        throw new Error(`the next-page link points to another site (${resolved.origin})`);
      return { kind: 'link', url: resolved.href };
    }
    case 'none':
      return null;
  }
}

/** The `rel="next"` target of an RFC 8288 Link header. */
export function nextLink(header: string | null): string | null {
  if (!header) return null;
  for (const part of header.split(/,(?=\s*<)/)) {
    const m = /^\s*<([^>]*)>\s*;(.*)$/.exec(part);
    if (m && /(^|;)\s*rel\s*=\s*"?([^";]*\s)?next(\s[^";]*)?"?\s*(;|$)/i.test(m[2] ?? ''))
      return m[1] ?? null;
  }
  return null;
}

/** The cursor after `cursor` when it can be known before the page arrives (offset, page), for fetching ahead. */
export function predictableNext(cursor: Cursor, spec: HttpSpec): Cursor | null {
  const p = spec.pagination;
  if (p.type === 'offset' && cursor.kind === 'offset')
    return { kind: 'offset', offset: cursor.offset + p.limit };
  if (p.type === 'page' && cursor.kind === 'page') return { kind: 'page', page: cursor.page + 1 };
  return null;
}
