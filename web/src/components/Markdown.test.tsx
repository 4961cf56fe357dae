import { render, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { Markdown } from './Markdown.js';
import { MARKDOWN_MAX_CHARS, safeHref } from './markdown-tree.js';

/** Renders through the real component (the renderer loads on demand) and returns its element. */
async function rendered(source: string): Promise<HTMLElement> {
  const { container } = render(<Markdown source={source} />);
  await waitFor(() => expect(container.querySelector('.markdown:not(.markdown-plain)')).not.toBeNull());
  return container.querySelector<HTMLElement>('.markdown')!;
}

/** Every element and its attribute names in the output: anything executable would show up here. */
function inventory(root: HTMLElement): string[] {
  return Array.from(root.querySelectorAll('*')).map((el) =>
    [el.tagName.toLowerCase(), ...Array.from(el.attributes, (a) => a.name)].join(' '),
  );
}

describe('markdown in a text widget', () => {
  it('renders headings (one level below the widget title), paragraphs and lists', async () => {
    const md = await rendered(
      '# Title\n\nFirst line\nsecond line.\n\n- one\n- two\n\n1. a\n2. b\n\nthen\n\n3. c',
    );
    expect(md.innerHTML).toBe(
      '<h3>Title</h3><p>First line\nsecond line.</p><ul><li>one</li><li>two</li></ul>' +
        '<ol><li>a</li><li>b</li></ol><p>then</p><ol start="3"><li>c</li></ol>',
    );
  });

  it('shows raw HTML in a list item as the item’s text, without stray newlines', async () => {
    const md = await rendered('- <script>alert(1)</script>\n- <b>x</b>');
    expect(md.innerHTML).toBe(
      '<ul><li>&lt;script&gt;alert(1)&lt;/script&gt;</li><li>&lt;b&gt;x&lt;/b&gt;</li></ul>',
    );
  });

  it('renders loose lists and nested emphasis without stray spaces or lost ones', async () => {
    const md = await rendered('- *a*\n  *b*\n- c\n\n  more\n\n> quoted **text**');
    expect(md.innerHTML).toBe(
      '<ul><li><p><em>a</em>\n<em>b</em></p></li><li><p>c</p><p>more</p></li></ul>' +
        '<blockquote><p>quoted <strong>text</strong></p></blockquote>',
    );
  });

  it('renders bold, italic, code and links; external links open apart, without the opener', async () => {
    const md = await rendered(
      '**bold** and *it* and _it2_ and `x*y` and [site](https://example.org "Ex") and [here](/d/overview)',
    );
    expect(md.innerHTML).toBe(
      '<p><strong>bold</strong> and <em>it</em> and <em>it2</em> and <code>x*y</code> and ' +
        '<a href="https://example.org" title="Ex" rel="noopener noreferrer" target="_blank">site</a> and ' +
        '<a href="/d/overview">here</a></p>',
    );
  });

  it('keeps HTML as text and never produces markup from it', async () => {
    const md = await rendered('<img src=x onerror=alert(1)> <b>hi</b>\n\n<script>alert(1)</script>');
    expect(inventory(md)).toEqual(['p', 'p']);
    expect(Array.from(md.children, (p) => p.textContent)).toEqual([
      '<img src=x onerror=alert(1)> <b>hi</b>',
      '<script>alert(1)</script>',
    ]);
  });

  it('renders XSS payloads inert: no script, no event handler, no dangerous address anywhere', async () => {
    const payloads = [
      '[x](javascript:alert(1))',
      '[x](JaVaScRiPt:alert(1))',
      '[x](&#106;avascript:alert(1))',
      '[x](java%0ascript:alert(1))',
      '[x](data:text/html,<script>alert(1)</script>)',
      '[x](vbscript:msgbox(1))',
      '[x](//evil.example)',
      '[x](/\\evil.example)',
      '[x][ref]\n\n[ref]: javascript:alert(1)',
      '<javascript:alert(1)>',
      '![x](javascript:alert(1))',
      '![tracker](https://evil.example/pixel.png)',
      '<a href="javascript:alert(1)">x</a>',
      '<svg onload=alert(1)>',
      '<iframe src="javascript:alert(1)"></iframe>',
      '<style>body{display:none}</style>',
      '[x](https://ok.example "\\" onmouseover=\\"alert(1)")',
      '`<script>alert(1)</script>`',
      '```\n<script>alert(1)</script>\n```',
    ];
    for (const payload of payloads) {
      const md = await rendered(payload);
      for (const entry of inventory(md))
        expect(entry, payload).toMatch(/^(p|code|pre|em|strong|a( href| title| rel| target)*)$/);
      for (const a of md.querySelectorAll('a')) {
        const href = a.getAttribute('href') ?? '';
        expect(safeHref(href), `${payload} → ${href}`).toBe(href);
      }
      expect(md.querySelector('script, img, iframe, svg, style'), payload).toBeNull();
    }
  });

  it('keeps the words of a refused link, unclickable, and an image’s alt text', async () => {
    const md = await rendered('[click](javascript:alert%281%29) now ![a chart](/chart.png)');
    expect(md.innerHTML).toBe('<p>click now a chart</p>');
  });

  it('allows http(s), mailto and same-site addresses only', () => {
    expect(safeHref('data:text/html,x')).toBeUndefined();
    expect(safeHref('//evil.example')).toBeUndefined();
    expect(safeHref('/\\evil.example')).toBeUndefined();
    expect(safeHref('JaVaScRiPt:alert(1)')).toBeUndefined();
    expect(safeHref('relative/path')).toBeUndefined();
    expect(safeHref('/d/overview')).toBe('/d/overview');
    expect(safeHref('#notes')).toBe('#notes');
    expect(safeHref('mailto:a@b.c')).toBe('mailto:a@b.c');
    expect(safeHref('HTTPS://example.org')).toBe('HTTPS://example.org');
  });

  it('leaves snake_case words and unmatched markers alone', async () => {
    expect((await rendered('use overall_status_code and 2 * 3')).innerHTML).toBe(
      '<p>use overall_status_code and 2 * 3</p>',
    );
    expect((await rendered('a `lonely backtick')).innerHTML).toBe('<p>a `lonely backtick</p>');
  });

  it('honours backslash escapes', async () => {
    expect((await rendered('\\*not italic\\*')).innerHTML).toBe('<p>*not italic*</p>');
  });

  it('renders the Overview "About this data" text', async () => {
    const md = await rendered(
      'Studies follow the **ClinicalTrials.gov API v2** record shape (`protocolSection`: status,\ndesign).',
    );
    expect(md.innerHTML).toBe(
      '<p>Studies follow the <strong>ClinicalTrials.gov API v2</strong> record shape ' +
        '(<code>protocolSection</code>: status,\ndesign).</p>',
    );
  });

  it('says so when a text is cut at the size bound', async () => {
    const md = await rendered('word '.repeat(MARKDOWN_MAX_CHARS / 5 + 10));
    expect(md.querySelectorAll('p')).toHaveLength(2);
    expect(md.lastElementChild?.textContent).toBe(`(Text cut at ${MARKDOWN_MAX_CHARS} characters.)`);
  });
});
