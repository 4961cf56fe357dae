/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// (DOM types: the callbacks passed to page.evaluate run in the browser.)
import { appendFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'vitest';
import { useBrowserSuite } from './browser-suite.js';
import { check, waitForDashboard } from './dashboard-page.js';
import { chromiumAvailable, resultsDir } from './e2e-harness.js';

/**
 * A text widget in Chromium: Markdown renders (headings below the widget title, lists, links,
 * quotes, code), and script in every shape an author could paste stays inert text: no dialog, no
 * handler run, no request to another site, no dangerous element or attribute in the page.
 */
const available = chromiumAvailable();

const NOTES = `# Notes for *reviewers*

1. First **point**
2. Second, with a [registry link](https://clinicaltrials.gov/ "ClinicalTrials.gov") and [a dashboard](/d/search)

- <script>window.__xss = 1; alert(1)</script>
- <img src=x onerror="window.__xss = 2; alert(2)">
- [javascript link](javascript:window.__xss=3)
- [protocol-relative](//evil.example/x)
- ![tracker](https://evil.example/pixel.png)

> Quoted \`code\` and <b>a bold tag</b>

\`\`\`sql
SELECT '<script>' AS x;
\`\`\`

---

<iframe src="javascript:window.__xss=4"></iframe>

<svg onload="window.__xss=5"></svg>
`;

/** One more text widget on the Overview of the example copy at `dir`, holding NOTES. */
function addNotesWidget(dir: string): void {
  const indented = NOTES.split('\n')
    .map((l) => (l ? `      ${l}` : ''))
    .join('\n');
  appendFileSync(
    path.join(dir, 'dashboards', 'overview.yaml'),
    `  - id: notes\n    type: text\n    title: Reviewer notes\n    width: 12\n    markdown: |\n${indented}\n`,
  );
}

describe.skipIf(!available)('a Markdown text widget in Chromium', () => {
  const suite = useBrowserSuite('markdown', 'clinical-trials', { editCopy: addNotesWidget });

  it('renders the Markdown and leaves every script payload inert', async () => {
    const { server, browser } = suite;
    const page = await browser.context.newPage();
    const dialogs: string[] = [];
    const elsewhere: string[] = [];
    const { pageErrors } = suite;
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    page.on('request', (r) => {
      if (!r.url().startsWith(server.baseUrl)) elsewhere.push(r.url());
    });
    page.on('pageerror', (err) => pageErrors.push(err.message));

    await page.goto(`${server.baseUrl}/d/overview`);
    await waitForDashboard(page);
    const widget = page.locator('[data-widget-id="notes"]');
    // Hover everything in it: a smuggled mouse handler would run now.
    await widget.evaluate((el) => {
      for (const node of el.querySelectorAll('*')) node.dispatchEvent(new MouseEvent('mouseover'));
    });
    await widget.scrollIntoViewIfNeeded();
    await widget.screenshot({ path: path.join(resultsDir, 'markdown-widget.png') });

    const body = widget.locator('.markdown');
    check(await body.locator('h3').textContent()).toBe('Notes for reviewers');
    check(await body.locator('h3 em').textContent()).toBe('reviewers');
    check(await body.locator('ol > li').allTextContents()).toEqual([
      'First point',
      'Second, with a registry link and a dashboard',
    ]);
    check(await body.locator('ul > li').allTextContents()).toEqual([
      '<script>window.__xss = 1; alert(1)</script>',
      '<img src=x onerror="window.__xss = 2; alert(2)">',
      'javascript link',
      'protocol-relative',
      'tracker',
    ]);
    check(await body.locator('blockquote').textContent()).toBe('Quoted code and <b>a bold tag</b>');
    check(await body.locator('pre > code').textContent()).toBe("SELECT '<script>' AS x;\n");
    const links = await body
      .locator('a')
      .evaluateAll((as) => as.map((a) => [a.textContent, a.getAttribute('href'), a.getAttribute('rel')]));
    check(links).toEqual([
      ['registry link', 'https://clinicaltrials.gov/', 'noopener noreferrer'],
      ['a dashboard', '/d/search', null],
    ]);
    const elements = await body.evaluate((el) =>
      [...el.querySelectorAll('*')].map((n) => [n.tagName.toLowerCase(), ...n.getAttributeNames()].join(' ')),
    );
    for (const e of elements) check(e).toMatch(/^(h3|ol|ul|li|p|em|strong|code|pre|hr|blockquote|a( \w+)*)$/);
    check(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    check(dialogs).toEqual([]);
    check(elsewhere).toEqual([]);
    check(pageErrors).toEqual([]);

    // The dashboard list never loads the Markdown renderer; the first text widget does.
    const first = await browser.context.newPage();
    const scripts: string[] = [];
    first.on('request', (r) => {
      if (r.resourceType() === 'script') scripts.push(new URL(r.url()).pathname);
    });
    await first.goto(`${server.baseUrl}/`);
    await first.locator('[data-dashboard-id]').first().waitFor();
    check(scripts.some((s) => s.includes('MarkdownContent'))).toBe(false);
    await first.locator('[data-dashboard-id="overview"] a').click();
    await waitForDashboard(first);
    check(scripts.filter((s) => s.includes('MarkdownContent'))).toHaveLength(1);
    await page.screenshot({ path: path.join(resultsDir, 'markdown-overview.png'), fullPage: true });
    await first.close();
    await page.close();
  });
});
