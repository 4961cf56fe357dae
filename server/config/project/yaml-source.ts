import { LineCounter, isMap, isSeq, parseDocument, type Document } from 'yaml';

export type YamlPath = readonly (string | number)[];

/** One parsed YAML file that can say on which line any key of it sits, for `file:line: message` reports. */
export class YamlSource {
  readonly data: unknown;
  readonly syntaxErrors: { line: number; message: string }[];
  private readonly doc: Document;
  private readonly lines = new LineCounter();

  constructor(
    readonly file: string,
    text: string,
  ) {
    this.doc = parseDocument(text, { lineCounter: this.lines, prettyErrors: false, uniqueKeys: true });
    this.syntaxErrors = this.doc.errors.map((e) => ({
      line: this.lines.linePos(e.pos[0]).line,
      message: e.message.split('\n')[0] ?? e.message,
    }));
    this.data = this.syntaxErrors.length ? undefined : this.doc.toJS({ maxAliasCount: 50 });
  }

  /** The line of the deepest node along `path` that exists (the key itself when present). */
  lineOf(path: YamlPath): number {
    let node: unknown = this.doc.contents;
    let line = 1;
    for (const segment of path) {
      if (isMap(node)) {
        const pair = node.items.find(
          (p) => String((p.key as { value?: unknown } | null)?.value) === String(segment),
        );
        if (!pair) break;
        line = this.rangeLine(pair.key) ?? line;
        node = pair.value;
      } else if (isSeq(node) && typeof segment === 'number') {
        const item = node.items[segment];
        if (item === undefined) break;
        line = this.rangeLine(item) ?? line;
        node = item;
      } else break;
    }
    return line;
  }

  private rangeLine(node: unknown): number | undefined {
    const range = (node as { range?: [number, number, number] } | null)?.range;
    return range ? this.lines.linePos(range[0]).line : undefined;
  }
}
