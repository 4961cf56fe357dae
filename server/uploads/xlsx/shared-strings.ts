import { Bytes } from './sheet-csv.js';
import { bangMarkupEnd, decodeXmlText } from './xml-scanner.js';
import { unreadable, type InflateBudget, type ZipArchive } from './zip-entries.js';

/**
 * The shared strings part (`<sst><si>…</si>…</sst>`) as an array, read as bytes: each `<si>`'s text
 * runs (`<t>`, plain or in rich-text `<r>` runs; phonetic `<rPh>` runs left out) gather in one reused
 * byte buffer and become one fresh string when the item ends. No chunk is ever decoded whole and
 * no string keeps a chunk alive, so memory is the strings themselves (capped by the part's
 * inflated size) plus one chunk.
 */
const MAX_CARRY = 4 * 1024 * 1024;

export async function readSharedStrings(
  zip: ZipArchive,
  part: string | null,
  budget: InflateBudget,
  maxBytes: number,
): Promise<string[]> {
  const entry = part ? zip.entry(part) : undefined;
  if (!entry) return [];
  const strings: string[] = [];
  const text = new Bytes();
  let capturing = false;
  let phonetic = 0;
  let carry: Buffer | null = null;

  const endItem = () => {
    const raw = text.text();
    text.len = 0;
    strings.push(raw.includes('&') || raw.includes('\r') ? decodeXmlText(raw) : raw);
  };

  /** The markup at `lt`: the index after it, or -1 when the chunk ends inside it. */
  const markup = (b: Buffer, lt: number): number => {
    const n = b.length;
    if (lt + 1 >= n) return -1;
    const first = b[lt + 1];
    if (first === 0x2f /* / */) {
      const gt = b.indexOf(0x3e, lt + 2);
      if (gt < 0) return -1;
      const name = localName(b, lt + 2, gt);
      if (name === 't') capturing = false;
      else if (name === 'rPh') phonetic--;
      else if (name === 'si') endItem();
      return gt + 1;
    }
    if (first === 0x3f /* ? */) {
      const end = b.indexOf('?>', lt + 2, 'latin1');
      return end < 0 ? -1 : end + 2;
    }
    if (first === 0x21 /* ! */)
      return bangMarkupEnd(b, lt, capturing ? (escaped) => text.append(escaped, 0, escaped.length) : null);
    // A start tag: up to its > outside quoted attribute values.
    let i = lt + 1;
    while (i < n) {
      const c = b[i] as number;
      if (c === 0x3e || c === 0x2f || c <= 32) break;
      i++;
    }
    const nameEnd = i;
    let quote = 0;
    for (; i < n; i++) {
      const c = b[i] as number;
      if (quote) {
        if (c === quote) quote = 0;
      } else if (c === 0x22 || c === 0x27) quote = c;
      else if (c === 0x3e) break;
    }
    if (i >= n) return -1;
    const empty = b[i - 1] === 0x2f;
    const name = localName(b, lt + 1, nameEnd);
    if (name === 'si') {
      text.len = 0;
      if (empty) endItem();
    } else if (!empty && name === 't' && phonetic === 0) capturing = true;
    else if (!empty && name === 'rPh') phonetic++;
    return i + 1;
  };

  for await (const chunk of zip.chunks(entry, budget, maxBytes, 'Its shared strings unpack')) {
    const b: Buffer = carry ? Buffer.concat([carry, chunk]) : chunk;
    carry = null;
    const n = b.length;
    let p = 0;
    while (p < n) {
      let lt = b.indexOf(0x3c, p);
      if (lt < 0) lt = n;
      if (capturing && lt > p) text.append(b, p, lt);
      if (lt >= n) break;
      const next = markup(b, lt);
      if (next < 0) {
        if (n - lt > MAX_CARRY) throw unreadable('an XML tag longer than 4 MB in the shared strings');
        carry = Buffer.from(b.subarray(lt));
        break;
      }
      p = next;
    }
  }
  if (carry) throw unreadable('the shared strings end inside a tag');
  return strings;
}

/** A tag's name without its prefix, for the few names compared here. */
function localName(b: Buffer, start: number, end: number): string {
  let s = start;
  let e = end;
  while (e > s && (b[e - 1] as number) <= 32) e--;
  for (let i = e - 1; i >= s; i--)
    if (b[i] === 0x3a /* : */) {
      s = i + 1;
      break;
    }
  return e - s > 3 ? '' : b.toString('latin1', s, e);
}
