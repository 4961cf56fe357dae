import { describe, expect, it } from 'vitest';
import { parseInline, parseMarkdown, safeHref } from './markdown-parse.js';

describe('markdown subset', () => {
  it('parses headings, paragraphs and lists', () => {
    const blocks = parseMarkdown('# Title\n\nFirst line\nsecond line.\n\n- one\n- two\n\n1. a\n2. b');
    expect(blocks).toEqual([
      { kind: 'heading', level: 1, children: [{ kind: 'text', text: 'Title' }] },
      { kind: 'paragraph', children: [{ kind: 'text', text: 'First line second line.' }] },
      {
        kind: 'list',
        ordered: false,
        items: [[{ kind: 'text', text: 'one' }], [{ kind: 'text', text: 'two' }]],
      },
      { kind: 'list', ordered: true, items: [[{ kind: 'text', text: 'a' }], [{ kind: 'text', text: 'b' }]] },
    ]);
  });

  it('parses bold, italic, code and links', () => {
    expect(parseInline('**bold** and *it* and _it2_ and `x*y` and [site](https://example.org)')).toEqual([
      { kind: 'strong', children: [{ kind: 'text', text: 'bold' }] },
      { kind: 'text', text: ' and ' },
      { kind: 'em', children: [{ kind: 'text', text: 'it' }] },
      { kind: 'text', text: ' and ' },
      { kind: 'em', children: [{ kind: 'text', text: 'it2' }] },
      { kind: 'text', text: ' and ' },
      { kind: 'code', text: 'x*y' },
      { kind: 'text', text: ' and ' },
      { kind: 'link', href: 'https://example.org', children: [{ kind: 'text', text: 'site' }] },
    ]);
  });

  it('keeps HTML as text and never produces markup', () => {
    expect(parseInline('<img src=x onerror=alert(1)> <b>hi</b>')).toEqual([
      { kind: 'text', text: '<img src=x onerror=alert(1)> <b>hi</b>' },
    ]);
  });

  it('drops links to javascript:, data: and protocol-relative addresses but keeps their text', () => {
    expect(parseInline('[click](javascript:alert%281%29) now')).toEqual([
      { kind: 'text', text: 'click' },
      { kind: 'text', text: ' now' },
    ]);
    expect(safeHref('data:text/html,x')).toBeUndefined();
    expect(safeHref('//evil.example')).toBeUndefined();
    expect(safeHref('JaVaScRiPt:alert(1)')).toBeUndefined();
    expect(safeHref('/d/overview')).toBe('/d/overview');
    expect(safeHref('mailto:a@b.c')).toBe('mailto:a@b.c');
  });

  it('leaves snake_case words and unmatched markers alone', () => {
    expect(parseInline('use overall_status_code and 2 * 3')).toEqual([
      { kind: 'text', text: 'use overall_status_code and 2 * 3' },
    ]);
    expect(parseInline('a `lonely backtick')).toEqual([{ kind: 'text', text: 'a `lonely backtick' }]);
  });

  it('honours backslash escapes', () => {
    expect(parseInline('\\*not italic\\*')).toEqual([{ kind: 'text', text: '*not italic*' }]);
  });

  it('renders the Overview "About this data" text', () => {
    const blocks = parseMarkdown(
      'Studies follow the **ClinicalTrials.gov API v2** record shape (`protocolSection`: status,\ndesign).',
    );
    expect(blocks).toHaveLength(1);
    expect(blocks[0]).toMatchObject({
      kind: 'paragraph',
      children: [
        { kind: 'text', text: 'Studies follow the ' },
        { kind: 'strong' },
        { kind: 'text', text: ' record shape (' },
        { kind: 'code', text: 'protocolSection' },
        { kind: 'text', text: ': status, design).' },
      ],
    });
  });
});
