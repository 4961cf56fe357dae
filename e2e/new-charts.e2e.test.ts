/// <reference lib="dom" />
// (DOM types: the callbacks passed to page.evaluate run in the browser.)
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { check, checks, eventually, waitForDashboard } from './dashboard-page.js';
import {
  chromiumAvailable,
  ensureWebBuild,
  launchBrowser,
  resultsDir,
  startServer,
  type Browser,
  type RunningServer,
} from './e2e-harness.js';

/**
 * The newer chart types (issue 14) in a real browser, in the examples' dashboards: each draws (its SVG
 * has marks), carries its text description (aria-label, with its kind), and "View as table" shows the
 * rows the server sent. Screenshots, light and dark: test-results/new-charts-<dashboard>-{light,dark}.png
 * and one per chart.
 */
const available = chromiumAvailable();

const KINDS: Record<string, string> = {
  boxplot: 'Box plot',
  funnel: 'Funnel',
  gauge: 'Gauge',
  calendar: 'Calendar heatmap',
  sankey: 'Sankey diagram',
  graph: 'Network graph',
  map: 'Map',
  floorplan: 'Floor plan',
};

/** Drawn marks inside a chart's SVG (paths, rects, polygons), besides its background. */
const marksOf = (page: Page, widget: string) =>
  page
    .locator(`[data-widget-id="${widget}"] .chart svg`)
    .evaluate((svg) => svg.querySelectorAll('path, rect, polygon, polyline, circle').length);

async function checkChart(page: Page, widget: string, type: string, minMarks: number) {
  const card = page.locator(`[data-widget-id="${widget}"]`);
  check(await card.getAttribute('data-widget-type'), widget).toBe(type);
  check(await marksOf(page, widget), `${widget}: marks drawn`).toBeGreaterThanOrEqual(minMarks);
  const label = (await card.locator('.chart').getAttribute('aria-label')) ?? '';
  check(label, `${widget}: description`).toContain(`. ${KINDS[type]}, `);
  const rowsSaid = Number(/, (\d+) rows?/.exec(label)?.[1] ?? -1);
  await card.screenshot({ path: path.join(resultsDir, `new-charts-${widget}.png`) });
  await card.getByRole('button', { name: 'View as table' }).click();
  check(await card.locator('table tbody tr').count(), `${widget}: table rows`).toBe(rowsSaid);
  await card.getByRole('button', { name: 'Show chart' }).click();
  await card.locator('.chart[data-rendered="true"]').waitFor();
}

async function bothSchemes(page: Page, name: string) {
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    // Charts redraw in the scheme's colours; wait for them to settle.
    await page.waitForTimeout(400);
    await page.screenshot({
      path: path.join(resultsDir, `new-charts-${name}-${scheme}.png`),
      fullPage: true,
    });
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

/**
 * The floor plan's zones drawn with a frame: a line in the scheme's text colour (#1F2933 light,
 * #E4E7EB dark), with its box and width, and the thinnest zone line for comparison.
 */
async function framedZones(page: Page, scheme: 'light' | 'dark') {
  const colour = scheme === 'light' ? [31, 41, 51] : [228, 231, 235];
  return page.locator('[data-widget-id="hall"] .chart svg path').evaluateAll((els, rgb) => {
    const hex = `#${rgb.map((c) => c.toString(16).padStart(2, '0')).join('')}`;
    const lines = els.map((e) => ({
      stroke: (e.getAttribute('stroke') ?? '').replace(/\s/g, '').toLowerCase(),
      width: Number(e.getAttribute('stroke-width') ?? 0),
      box: e.getBoundingClientRect(),
    }));
    const hairline = Math.min(...lines.filter((l) => l.width > 0).map((l) => l.width));
    return lines
      .filter((l) => l.stroke === hex || l.stroke === `rgb(${rgb.join(',')})`)
      .map((l) => ({ ...(l.box.toJSON() as DOMRect), lineWidth: l.width, hairline }));
  }, colour);
}

describe.skipIf(!available)('newer chart types in Chromium', () => {
  const pageErrors: string[] = [];
  const external: string[] = [];
  let browser: Browser | undefined;
  let server: RunningServer | undefined;

  beforeAll(() => {
    mkdirSync(resultsDir, { recursive: true });
    ensureWebBuild();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    console.log(`\nnew chart browser checks run: ${checks.count}\n`);
  });

  const open = async (example: string, dashboard: string) => {
    await browser?.close();
    await server?.close();
    server = await startServer(example);
    browser = await launchBrowser(server);
    const page = await browser.context.newPage();
    page.on('pageerror', (err) => pageErrors.push(err.message));
    page.on(
      'console',
      (msg) => msg.type() === 'error' && pageErrors.push(`${msg.text()} @ ${JSON.stringify(msg.location())}`),
    );
    // No map tiles, fonts or anything else from the internet: every request goes to this server.
    const origin = server.baseUrl;
    page.on('request', (r) => {
      const url = r.url();
      if (!url.startsWith(origin) && !url.startsWith('data:') && !url.startsWith('blob:')) external.push(url);
    });
    await page.goto(`${server.baseUrl}/d/${dashboard}`);
    await waitForDashboard(page);
    return page;
  };

  it('clinical-trials "Shapes of the portfolio": gauge, box plot, funnel, world map, calendar, network graph', async () => {
    const page = await open('clinical-trials', 'shapes');
    await checkChart(page, 'completed_gauge', 'gauge', 2);
    await checkChart(page, 'enrollment_box', 'boxplot', 4);
    await checkChart(page, 'status_funnel', 'funnel', 3);
    // Countries of the bundled outlines: well over a hundred paths, no tiles fetched.
    await checkChart(page, 'sites_map', 'map', 100);
    await checkChart(page, 'starts_calendar', 'calendar', 300);
    await checkChart(page, 'condition_graph', 'graph', 10);
    check(await page.locator('[data-widget-id="condition_graph"] .chart-notice').textContent()).toMatch(
      /strongest links|nodes/,
    );
    await bothSchemes(page, 'shapes');
    await page.close();
  });

  it('vm-inventory "Data hall": the floor plan coloured by zone, funnel, sankey', async () => {
    const page = await open('vm-inventory', 'datacentre-hall');
    await checkChart(page, 'hall', 'floorplan', 5);
    // The floor plan's zones carry the measure's colours (not all the drawing's grey).
    const fills = await page
      .locator('[data-widget-id="hall"] .chart svg')
      .evaluate(
        (svg) => new Set([...svg.querySelectorAll('path, rect')].map((e) => e.getAttribute('fill'))).size,
      );
    check(fills, 'distinct fills in the floor plan').toBeGreaterThanOrEqual(3);
    await checkChart(page, 'zone_funnel', 'funnel', 3);
    await checkChart(page, 'datacenter_zones', 'sankey', 5);
    await bothSchemes(page, 'data-hall');
    await page.close();
  });

  it('vm-inventory "Data hall": a click on a floor-plan zone, and Enter on a sankey node, cross-filter the rest', async () => {
    const page = await open('vm-inventory', 'datacentre-hall');
    const crossParams = async () => new URL(page.url()).searchParams.getAll('xf');
    const stages = () => page.locator('[data-widget-id="zone_funnel"] [role="option"]').allInnerTexts();
    const zones = await page.locator('[data-widget-id="hall"] [role="option"]').allInnerTexts();
    check(zones.length, 'zones offered as marks').toBeGreaterThanOrEqual(3);
    const allStages = await stages();
    check(allStages.length).toBeGreaterThanOrEqual(3);

    // The mouse: the zones' painted shapes, largest first; a click on one sets the zone filter.
    const shapes = await page.locator('[data-widget-id="hall"] .chart svg path').evaluateAll((els) =>
      els
        .map((e) => e.getBoundingClientRect())
        .filter((r) => r.width > 20 && r.height > 20)
        .sort((a, b) => b.width * b.height - a.width * a.height)
        .map((r) => ({ x: r.left + r.width / 2, y: r.top + r.height / 2 })),
    );
    check(await framedZones(page, 'light'), 'no zone framed before a choice').toEqual([]);
    let clicked: { x: number; y: number } | undefined;
    for (const p of shapes) {
      await page.mouse.click(p.x, p.y);
      await page.waitForTimeout(150);
      clicked = p;
      if ((await crossParams()).length) break;
    }
    const [param] = await crossParams();
    check(param, 'a click on a zone set a cross-filter').toMatch(/^zone:hall:/);
    const zone = decodeURIComponent(param!.split(':')[2]!);
    check(zones).toContain(zone);
    await waitForDashboard(page);
    check(await page.locator('[data-testid="cross-filter-chip"]').allInnerTexts()).toEqual([
      `Zone: ${zone}\n×`,
    ]);
    // The funnel now has the clicked zone's stage only; the floor plan keeps every zone, that one chosen.
    await eventually(stages, [zone]);
    check(
      await page.locator('[data-widget-id="hall"] [role="option"][aria-selected="true"]').allInnerTexts(),
    ).toEqual([zone]);
    // Away from the plan: a hovered zone lights its whole group (the SVG's <g id="zones">).
    await page.mouse.move(0, 0);
    // The chosen zone, and only it, has a frame in the text colour, as other charts frame their
    // selected marks; in both schemes (test-results/new-charts-data-hall-zone-{light,dark}.png).
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await eventually(async () => (await framedZones(page, scheme)).length, 1);
      const [frame] = await framedZones(page, scheme);
      check(
        frame!.left <= clicked!.x &&
          clicked!.x <= frame!.right &&
          frame!.top <= clicked!.y &&
          clicked!.y <= frame!.bottom,
        'the framed zone is the clicked one',
      ).toBe(true);
      check(frame!.lineWidth, 'a frame, not a hairline').toBeGreaterThanOrEqual(5 * frame!.hairline);
      await page.waitForTimeout(300);
      await page.screenshot({
        path: path.join(resultsDir, `new-charts-data-hall-zone-${scheme}.png`),
        fullPage: true,
      });
      await page
        .locator('[data-widget-id="hall"]')
        .screenshot({ path: path.join(resultsDir, `new-charts-hall-chosen-${scheme}.png`) });
    }
    await page.emulateMedia({ colorScheme: 'light' });

    // The keyboard does the same: Enter on the focused chosen zone lets it go (frame and filter),
    // Enter again chooses it once more.
    const plan = page.locator('[data-widget-id="hall"] [data-testid="chart-marks"]');
    await plan.focus();
    for (let i = 0; i < zones.indexOf(zone) + 1; i++) await page.keyboard.press('ArrowRight');
    check(await plan.locator('[data-active="true"]').innerText()).toBe(zone);
    await page.keyboard.press('Enter');
    await eventually(crossParams, []);
    await waitForDashboard(page);
    await plan.blur();
    await eventually(async () => (await framedZones(page, 'light')).length, 0);
    await plan.focus();
    await page.keyboard.press('Enter');
    await eventually(crossParams, [param]);
    await waitForDashboard(page);
    await plan.blur();
    await eventually(async () => (await framedZones(page, 'light')).length, 1);

    // Escape clears; then the keyboard: Enter on the sankey's first node (a datacenter) filters by it.
    await page.keyboard.press('Escape');
    await eventually(crossParams, []);
    await waitForDashboard(page);
    const nodes = page.locator('[data-widget-id="datacenter_zones"] [data-testid="chart-marks"]');
    await nodes.focus();
    await page.keyboard.press('ArrowRight');
    const node = await nodes.locator('[data-active="true"]').innerText();
    await page.keyboard.press('Enter');
    await eventually(crossParams, [`datacenter:datacenter_zones:${encodeURIComponent(node)}`]);
    await page.close();
  });

  it('loaded nothing from outside the server and raised no page errors', () => {
    check(pageErrors.join('\n')).toEqual('');
    check(external).toEqual([]);
  });
});
