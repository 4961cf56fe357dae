import { micromark } from 'micromark';

/**
 * Markdown (CommonMark, by micromark) → a plain tree that React renders element by element.
 *
 * Three layers keep a text widget inert:
 * 1. micromark with its safe defaults: raw HTML in the source is escaped ("<b>" stays the four
 *    characters), and link/image addresses with a protocol other than http(s), mailto, irc(s) or
 *    xmpp become empty (`allowDangerousHtml` and `allowDangerousProtocol` are never set here).
 * 2. Its HTML is parsed with DOMParser, which builds an inert document: no script runs, nothing loads.
 * 3. That document is walked with an allow-list: only the elements below survive, with only `href`
 *    (again checked by safeHref: no protocol-relative or unknown-scheme addresses), `title` and an
 *    ordered list's `start`. Anything else is dropped, its text kept. Images become their alt text:
 *    the CSP allows only same-site images, and a dashboard's text should not fetch anything.
 * No HTML string ever reaches the live DOM.
 */
export type MdNode = string | MdElement;

export interface MdElement {
  readonly tag: MdTag;
  readonly href?: string;
  readonly title?: string;
  readonly start?: number;
  readonly children: readonly MdNode[];
}

const TAGS = [
  'p',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'ul',
  'ol',
  'li',
  'blockquote',
  'pre',
  'code',
  'em',
  'strong',
  'a',
  'hr',
  'br',
] as const;
export type MdTag = (typeof TAGS)[number];
const ALLOWED = new Set<string>(TAGS);
/** Containers of blocks: the newlines micromark writes between their children are not content. */
const BLOCK_CONTAINERS = new Set(['ul', 'ol', 'blockquote']);
const BLOCKS = new Set([
  'p',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'ul',
  'ol',
  'li',
  'blockquote',
  'pre',
  'hr',
]);

/** A text widget's source is a project file; a bound keeps a runaway file from stalling the page. */
export const MARKDOWN_MAX_CHARS = 100_000;

export function markdownTree(source: string): MdNode[] {
  const clipped =
    source.length > MARKDOWN_MAX_CHARS
      ? `${source.slice(0, MARKDOWN_MAX_CHARS)}\n\n*(Text cut at ${MARKDOWN_MAX_CHARS} characters.)*`
      : source;
  const html = micromark(clipped);
  const doc = new DOMParser().parseFromString(`<!doctype html><body>${html}`, 'text/html');
  // Escaped raw HTML blocks come out as bare text between blocks: give each run a paragraph.
  const out: MdNode[] = [];
  let run: MdNode[] = [];
  const endRun = () => {
    if (run.length) out.push({ tag: 'p', children: run });
    run = [];
  };
  for (const node of children(doc.body, true)) {
    if (typeof node !== 'string' && BLOCKS.has(node.tag)) {
      endRun();
      out.push(node);
    } else run.push(node);
  }
  endRun();
  return out;
}

function children(parent: Node, blockContainer: boolean): MdNode[] {
  const out: MdNode[] = [];
  for (const child of Array.from(parent.childNodes)) out.push(...convert(child, blockContainer));
  return out;
}

const isBlock = (node: Node | null) => !!node && BLOCKS.has(node.nodeName.toLowerCase());

/** Where micromark puts blocks (and escaped raw HTML between them, as bare text). */
const FLOW_PARENTS = new Set(['body', 'li', 'blockquote', 'ul', 'ol']);

function convert(node: Node, inBlockContainer: boolean): MdNode[] {
  if (node.nodeType === Node.TEXT_NODE) {
    let text = node.textContent ?? '';
    // The newlines micromark writes around blocks (also inside a loose list's item, and around an
    // escaped HTML block) are layout, not text.
    if (FLOW_PARENTS.has(node.parentNode?.nodeName.toLowerCase() ?? '')) {
      const prev = node.previousSibling;
      const next = node.nextSibling;
      if (!prev || isBlock(prev)) text = text.replace(/^\n+/, '');
      if (!next || isBlock(next)) text = text.replace(/\n+$/, '');
    }
    const between = inBlockContainer || isBlock(node.previousSibling) || isBlock(node.nextSibling);
    return text === '' || (between && text.trim() === '') ? [] : [text];
  }
  if (node.nodeType !== Node.ELEMENT_NODE) return [];
  const el = node as Element;
  const tag = el.tagName.toLowerCase();
  if (tag === 'img') return [el.getAttribute('alt') ?? ''];
  if (!ALLOWED.has(tag)) return children(el, inBlockContainer);
  const kids = children(el, BLOCK_CONTAINERS.has(tag));
  const out: { -readonly [K in keyof MdElement]: MdElement[K] } = { tag: tag as MdTag, children: kids };
  if (tag === 'a') {
    const href = safeHref(el.getAttribute('href') ?? '');
    // A link whose address was refused keeps its words, unclickable.
    if (!href) return kids;
    out.href = href;
    const title = el.getAttribute('title');
    if (title) out.title = title;
  }
  const start = el.getAttribute('start');
  if (tag === 'ol' && start !== null && /^\d{1,9}$/.test(start)) out.start = Number(start);
  return [out];
}

/**
 * Absolute http(s) and mailto links, and paths on this site; everything else is dropped, including
 * "//host" and "/\host", which browsers read as another site.
 */
export function safeHref(href: string): string | undefined {
  if (/^(https?:|mailto:)/i.test(href)) return href;
  if (/^\/(?![/\\])/.test(href) || href.startsWith('#')) return href;
  return undefined;
}
