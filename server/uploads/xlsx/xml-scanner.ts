import { StringDecoder } from 'node:string_decoder';
import { unreadable } from './zip-entries.js';

/**
 * A small incremental XML tokenizer for the parts of an XLSX file: fed inflated chunks as they
 * come, it calls its handler for each start tag (local name, attributes), end tag and — only while
 * the handler asks for it — the raw text between tags. Nothing but an unfinished tag is kept
 * between chunks, so memory is one chunk whatever the part's size.
 *
 * Not a validating parser: it reads well-formed SpreadsheetML. Namespace prefixes are dropped
 * (`x:c` is `c`); comments, processing instructions and a DOCTYPE are skipped; a DTD's entities are
 * never expanded (no billion laughs); CDATA is handed over as text. Text is raw: the handler decodes
 * what it keeps with `decodeXmlText`, once the whole text is in hand (an entity can straddle chunks).
 */
export interface XmlHandler {
  /** Whether `text` is wanted now; checked before every run of text. */
  readonly wantText: boolean;
  /** A start tag; `attrs` holds name, value, name, value… (values raw), valid only during the call. */
  open(name: string, attrs: readonly string[], attrCount: number): void;
  /** An end tag; an empty element `<x/>` gets `open` then `close`. */
  close(name: string): void;
  text(raw: string): void;
}

/** A tag, comment or text run left unfinished at a chunk's end longer than this is not SpreadsheetML. */
const MAX_CARRY_CHARS = 4 * 1024 * 1024;

export class XmlScanner {
  private carry = '';
  private readonly decoder = new StringDecoder('utf8');
  private readonly attrs: string[] = [];
  private stopped = false;

  constructor(private readonly handler: XmlHandler) {}

  /** Stops scanning: the rest of the current chunk and every later one are ignored. */
  stop(): void {
    this.stopped = true;
  }

  get done(): boolean {
    return this.stopped;
  }

  write(chunk: Buffer): void {
    if (this.stopped) return;
    const s = this.carry === '' ? this.decoder.write(chunk) : this.carry + this.decoder.write(chunk);
    this.carry = '';
    this.scan(s);
  }

  /** The part's end: an unfinished tag means a cut-off part. */
  end(): void {
    if (this.stopped) return;
    const rest = this.carry + this.decoder.end();
    this.carry = '';
    if (rest.includes('<')) throw unreadable('an XML part ends inside a tag');
    if (rest !== '' && this.handler.wantText) this.handler.text(rest);
  }

  private scan(s: string): void {
    const h = this.handler;
    const n = s.length;
    let p = 0;
    while (p < n && !this.stopped) {
      const lt = s.indexOf('<', p);
      if (lt < 0) {
        if (h.wantText) h.text(p === 0 ? s : s.slice(p));
        return;
      }
      if (lt > p && h.wantText) h.text(s.slice(p, lt));
      const next = this.markup(s, lt);
      if (next < 0) {
        this.carry = s.slice(lt);
        if (this.carry.length > MAX_CARRY_CHARS) throw unreadable('an XML tag longer than 4 MB');
        return;
      }
      p = next;
    }
  }

  /** Handles the markup at `lt`; returns the index after it, or -1 when the chunk ends inside it. */
  private markup(s: string, lt: number): number {
    const h = this.handler;
    const n = s.length;
    if (lt + 1 >= n) return -1;
    const first = s.charCodeAt(lt + 1);
    if (first === 47 /* / */) {
      const gt = s.indexOf('>', lt + 2);
      if (gt < 0) return -1;
      h.close(localName(s.slice(lt + 2, gt).trim()));
      return gt + 1;
    }
    if (first === 63 /* ? */) {
      const end = s.indexOf('?>', lt + 2);
      return end < 0 ? -1 : end + 2;
    }
    if (first === 33 /* ! */) {
      if (lt + 9 > n) return -1;
      if (s.startsWith('!--', lt + 1)) {
        const end = s.indexOf('-->', lt + 4);
        return end < 0 ? -1 : end + 3;
      }
      if (s.startsWith('![CDATA[', lt + 1)) {
        const end = s.indexOf(']]>', lt + 9);
        if (end < 0) return -1;
        // Escaped so that the handler's one decoding gives the CDATA text back as it is.
        if (h.wantText)
          h.text(
            s
              .slice(lt + 9, end)
              .replace(/&/g, '&amp;')
              .replace(/\r/g, '&#13;'),
          );
        return end + 3;
      }
      // <!DOCTYPE …> with or without an internal subset: skipped, its entities never defined.
      const gt = s.indexOf('>', lt + 2);
      if (gt < 0) return -1;
      const bracket = s.indexOf('[', lt + 2);
      if (bracket < 0 || bracket > gt) return gt + 1;
      const end = s.indexOf(']>', bracket);
      return end < 0 ? -1 : end + 2;
    }
    // A start tag: its name, then attributes up to > or />; quoted values may hold > themselves.
    let i = lt + 1;
    for (; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c === 62 || c === 47 || c <= 32) break;
    }
    if (i >= n) return -1;
    const name = localName(s.slice(lt + 1, i));
    const attrs = this.attrs;
    let count = 0;
    for (;;) {
      while (i < n && s.charCodeAt(i) <= 32) i++;
      if (i >= n) return -1;
      const c = s.charCodeAt(i);
      if (c === 62 /* > */) {
        h.open(name, attrs, count);
        return i + 1;
      }
      if (c === 47 /* / */) {
        if (i + 1 >= n) return -1;
        if (s.charCodeAt(i + 1) !== 62) throw unreadable(`a malformed <${name}> tag`);
        h.open(name, attrs, count);
        h.close(name);
        return i + 2;
      }
      const eq = s.indexOf('=', i);
      if (eq < 0) return -1;
      let j = eq + 1;
      while (j < n && s.charCodeAt(j) <= 32) j++;
      if (j >= n) return -1;
      const quote = s.charCodeAt(j);
      if (quote !== 34 && quote !== 39) throw unreadable(`an unquoted attribute in <${name}>`);
      const close = s.indexOf(quote === 34 ? '"' : "'", j + 1);
      if (close < 0) return -1;
      attrs[count++] = localName(s.slice(i, eq).trim());
      attrs[count++] = s.slice(j + 1, close);
      i = close + 1;
    }
  }
}

/** `x:row` → `row`; attribute names too (`r:id` → `id`). */
function localName(qname: string): string {
  const colon = qname.indexOf(':');
  return colon < 0 ? qname : qname.slice(colon + 1);
}

/** The value of attribute `name` among a tag's attributes, raw (see `decodeXmlText`). */
export function attr(attrs: readonly string[], count: number, name: string): string | undefined {
  for (let i = 0; i < count; i += 2) if (attrs[i] === name) return attrs[i + 1];
  return undefined;
}

const ENTITY = /&(?:#x([0-9a-fA-F]{1,6})|#([0-9]{1,7})|(amp|lt|gt|quot|apos));/g;
const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/**
 * Raw XML text as its characters: line ends normalised as XML does (CR LF and CR → LF, while a
 * `&#13;` stays a CR), then the five named entities and numeric references. An unknown or
 * out-of-range reference is left as written.
 */
export function decodeXmlText(raw: string): string {
  let s = raw;
  if (s.includes('\r')) s = s.replace(/\r\n?/g, '\n');
  if (!s.includes('&')) return s;
  return s.replace(
    ENTITY,
    (whole, hex: string | undefined, dec: string | undefined, named: string | undefined) => {
      if (named) return NAMED[named] ?? whole;
      const code = hex ? Number.parseInt(hex, 16) : Number(dec);
      return code > 0x10ffff ? whole : String.fromCodePoint(code);
    },
  );
}

/**
 * Where `<!…` markup that starts at `lt` in `b` ends (the index after it), or -1 when it does not end
 * within `b` yet: a comment, a CDATA section, or a declaration such as `<!DOCTYPE …[ … ]>` (skipped;
 * its entities are never defined). A CDATA section's text goes to `cdata` when given, escaped so that
 * the one decoding of the text it joins gives it back as it is. The byte readers of the sheet and of
 * the shared strings both use it.
 */
export function bangMarkupEnd(b: Buffer, lt: number, cdata: ((escaped: Buffer) => void) | null): number {
  if (lt + 9 > b.length) return -1;
  if (b.toString('latin1', lt + 1, lt + 4) === '!--') {
    const end = b.indexOf('-->', lt + 4, 'latin1');
    return end < 0 ? -1 : end + 3;
  }
  if (b.toString('latin1', lt + 1, lt + 9) === '![CDATA[') {
    const end = b.indexOf(']]>', lt + 9, 'latin1');
    if (end < 0) return -1;
    if (cdata)
      cdata(
        Buffer.from(
          b
            .toString('utf8', lt + 9, end)
            .replace(/&/g, '&amp;')
            .replace(/\r/g, '&#13;'),
          'utf8',
        ),
      );
    return end + 3;
  }
  const gt = b.indexOf(0x3e /* > */, lt + 2);
  if (gt < 0) return -1;
  const bracket = b.indexOf(0x5b /* [ */, lt + 2);
  if (bracket < 0 || bracket > gt) return gt + 1;
  const end = b.indexOf(']>', bracket, 'latin1');
  return end < 0 ? -1 : end + 2;
}
