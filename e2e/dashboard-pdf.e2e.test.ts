import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExportFile, SessionInfo, WidgetDataResponse } from '../contract/index.js';
import { RENDER_HEADER, mintRenderCredential } from '../server/auth/render-credential.js';
import { defaultConfig } from '../server/config/env.js';
import {
  PNG_MAX_HEIGHT_PX,
  PNG_PIXEL_RATIO,
  PNG_WIDTH_PX,
  PRINT_READY_SELECTOR,
  PdfRenderer,
} from '../server/exports/dashboard-pdf.js';
import {
  CHROMIUM_PATH,
  chromiumAvailable,
  ensureWebBuild,
  resultsDir,
  launchBrowser,
  startServer,
  type RunningServer,
} from './e2e-harness.js';
import { waitForDashboard } from './dashboard-page.js';

/**
 * Dashboard PDFs on the server: a PDF job of the filtered Overview dashboard runs on the worker in
 * headless Chromium and gives a PDF (its pages counted, its title read back); the print page Chromium
 * printed held the title, the filter and the filtered KPI's number; a render past its timeout is killed
 * with PDF_RENDER_TIMEOUT. Screenshot of the print page as printed.
 */
const available = chromiumAvailable();
const SECRET = 'pdf-e2e-secret-0b7d2f9a41c3e8d6a5';
const QUERY = '?status=COMPLETED';

describe.skipIf(!available)('dashboard PDF in headless Chromium', () => {
  let server: RunningServer;
  let dir: string;
  let me: SessionInfo;
  let completed: number;

  beforeAll(async () => {
    mkdirSync(resultsDir, { recursive: true });
    ensureWebBuild();
    dir = mkdtempSync(path.join(tmpdir(), 'trellis-e2e-pdf-'));
    server = await startServer('clinical-trials', {
      jobs: true,
      config: {
        exports: { dir, jobRows: 100_000, keepMs: 3_600_000 },
        sessions: { ...defaultConfig().sessions, secret: SECRET },
        pdf: { chromium: CHROMIUM_PATH, pool: 1, timeoutMs: 60_000, baseUrl: undefined },
      },
    });
    me = (await (await server.fetch('/api/v1/session')).json()) as SessionInfo;
    const kpi = await server.fetch('/api/v1/dashboards/overview/widgets/studies/data', {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: server.baseUrl },
      body: JSON.stringify({ filters: { status: ['COMPLETED'] } }),
    });
    completed = Number(((await kpi.json()) as WidgetDataResponse).rows[0]?.[0]);
    expect(completed).toBeGreaterThan(0);
  }, 120_000);
  afterAll(async () => {
    await server?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const credential = () =>
    mintRenderCredential(
      SECRET,
      { user: me.user, organisation: me.organisation, role: me.role, dashboard: 'overview' },
      Date.now(),
    );

  it('a PDF job: queued, then ready, and the download is a PDF of the dashboard', async () => {
    const started = await server.fetch('/api/v1/exports/pdf', {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: server.baseUrl },
      body: JSON.stringify({ dashboard: 'overview', paper: 'A4', orientation: 'landscape', query: QUERY }),
    });
    expect(started.status).toBe(202);
    const job = (await started.json()) as ExportFile;
    expect(job).toMatchObject({ format: 'pdf', dashboard: 'overview', status: 'queued' });
    const seen = new Set<string>([job.status]);
    let file = job;
    for (let i = 0; i < 240 && !['ready', 'failed', 'cancelled'].includes(file.status); i++) {
      await new Promise((r) => setTimeout(r, 250));
      file = (await (await server.fetch(`/api/v1/exports/${job.id}`)).json()) as ExportFile;
      seen.add(file.status);
    }
    expect(file.error).toBeNull();
    expect(file.status).toBe('ready');
    const listed = (await (await server.fetch('/api/v1/exports')).json()) as { exports: ExportFile[] };
    expect(listed.exports.map((e) => e.id)).toContain(job.id);

    const download = await server.fetch(`/api/v1/exports/${job.id}/download`);
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('application/pdf');
    expect(download.headers.get('content-disposition')).toMatch(/overview-\d{4}-\d{2}-\d{2}\.pdf/);
    const pdf = Buffer.from(await download.arrayBuffer());
    expect(file.bytes).toBe(pdf.length);
    writeFileSync(path.join(resultsDir, 'dashboard-pdf.pdf'), pdf);
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const raw = pdf.toString('latin1');
    const pages = raw.match(/\/Type\s*\/Page(?!s)/g)?.length ?? 0;
    expect(pages).toBeGreaterThanOrEqual(1);
    // The document's title is the dashboard's (Chromium writes it as a UTF-16 hex or literal string).
    expect(pdfTitle(raw)).toBe('Overview');
    // Landscape A4: the first page's MediaBox is 842 × 595 points.
    const box = /\/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]/.exec(raw);
    expect(Math.abs(Number(box?.[1]) - 842)).toBeLessThan(2);
    expect(Math.abs(Number(box?.[2]) - 595)).toBeLessThan(2);
  }, 90_000);

  it('a full-page PNG job: ready, downloadable as a PNG of the whole dashboard, not blank', async () => {
    const started = await server.fetch('/api/v1/exports/pdf', {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: server.baseUrl },
      body: JSON.stringify({ dashboard: 'overview', format: 'png', query: QUERY }),
    });
    expect(started.status).toBe(202);
    const job = (await started.json()) as ExportFile;
    expect(job).toMatchObject({ format: 'png', status: 'queued' });
    expect(job.fileName).toMatch(/^overview-\d{4}-\d{2}-\d{2}\.png$/);
    let file = job;
    for (let i = 0; i < 240 && !['ready', 'failed', 'cancelled'].includes(file.status); i++) {
      await new Promise((r) => setTimeout(r, 250));
      file = (await (await server.fetch(`/api/v1/exports/${job.id}`)).json()) as ExportFile;
    }
    expect(file.error).toBeNull();
    expect(file.status).toBe('ready');
    const download = await server.fetch(`/api/v1/exports/${job.id}/download`);
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('image/png');
    const png = Buffer.from(await download.arrayBuffer());
    expect(file.bytes).toBe(png.length);
    writeFileSync(path.join(resultsDir, 'dashboard-full-page.png'), png);
    // The PNG signature, then IHDR's width and height (big-endian): the page's width at 2×, and
    // taller than one screen (the whole dashboard, not the viewport), within the cap.
    expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
    const width = png.readUInt32BE(16);
    const height = png.readUInt32BE(20);
    expect(width).toBe(PNG_WIDTH_PX * PNG_PIXEL_RATIO);
    expect(height).toBeGreaterThan(900 * PNG_PIXEL_RATIO);
    expect(height).toBeLessThanOrEqual(PNG_MAX_HEIGHT_PX * PNG_PIXEL_RATIO);
    // Not blank: decoded by Chromium, a good share of its pixels differ from the page's background,
    // of many colours; and the charts are drawn — text, tables and cards are grey, only chart series
    // are saturated colours (an earlier capture had every chart card empty, text intact).
    const browser = await chromium.launch({
      executablePath: CHROMIUM_PATH,
      chromiumSandbox: process.getuid?.() !== 0,
    });
    try {
      const page = await browser.newPage();
      const stats = await page.evaluate(async (b64) => {
        const bitmap = await createImageBitmap(await (await fetch(`data:image/png;base64,${b64}`)).blob());
        const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
        const ctx = canvas.getContext('2d') as OffscreenCanvasRenderingContext2D;
        ctx.drawImage(bitmap, 0, 0);
        const { data } = ctx.getImageData(0, 0, bitmap.width, bitmap.height);
        const key = (i: number) => (data[i]! << 16) | (data[i + 1]! << 8) | data[i + 2]!;
        const background = key(0);
        const colours = new Set<number>();
        let differing = 0;
        let saturated = 0;
        for (let i = 0; i < data.length; i += 4 * 7) {
          const k = key(i);
          if (k !== background) differing++;
          if (colours.size < 5_000) colours.add(k);
          const [r, g, b] = [data[i]!, data[i + 1]!, data[i + 2]!];
          if (Math.max(r, g, b) - Math.min(r, g, b) > 80) saturated++;
        }
        const sampled = data.length / (4 * 7);
        return { share: differing / sampled, colours: colours.size, saturated: saturated / sampled };
      }, png.toString('base64'));
      expect(stats.share).toBeGreaterThan(0.02);
      expect(stats.colours).toBeGreaterThan(50);
      expect(stats.saturated, JSON.stringify(stats)).toBeGreaterThan(0.01);
    } finally {
      await browser.close();
    }
  }, 120_000);

  it('the page Chromium printed held the title, the filter and the filtered number', async () => {
    const renderer = new PdfRenderer({ executablePath: CHROMIUM_PATH, pool: 1, timeoutMs: 60_000 });
    const { pdf, text } = await renderer.render({
      url: `${server.baseUrl}/print/d/overview${QUERY}`,
      headers: { [RENDER_HEADER]: credential() },
      paper: 'Letter',
      orientation: 'portrait',
    });
    expect(text).toContain('Overview');
    expect(text).toContain('status = COMPLETED');
    expect(text).toMatch(/Data as of \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC/);
    // The KPI as the page formats it (thousands separated) or plain.
    const formatted = completed.toLocaleString('en-US');
    expect(text.includes(formatted) || text.includes(String(completed)), `${completed} in:\n${text}`).toBe(
      true,
    );
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    // Letter portrait: 612 × 792 points.
    expect(pdf.toString('latin1')).toMatch(/\/MediaBox\s*\[\s*0\s+0\s+612\s+792\s*\]/);
  }, 90_000);

  it('the pool holds one render at a time; a render past its timeout is killed with PDF_RENDER_TIMEOUT', async () => {
    // A page that loads but never says it is ready (a stalled widget): only the timeout ends it.
    const stall = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<!doctype html><main>waiting for data…</main>');
    });
    await new Promise<void>((r) => stall.listen(0, '127.0.0.1', r));
    const port = (stall.address() as AddressInfo).port;
    try {
      const renderer = new PdfRenderer({ executablePath: CHROMIUM_PATH, pool: 1, timeoutMs: 1_500 });
      const request = { headers: {}, paper: 'A4', orientation: 'portrait' } as const;
      const stalled = () =>
        renderer.render({ ...request, url: `http://127.0.0.1:${port}/` }).then(
          () => undefined,
          (e: unknown) => e,
        );
      // Two at once on a pool of one: the second waits for the first to be killed, then is killed too.
      const first = stalled();
      const second = stalled();
      expect(renderer.active).toBe(1);
      expect(await first).toMatchObject({ code: 'PDF_RENDER_TIMEOUT' });
      expect(renderer.active).toBe(1); // the second has started in the freed place
      expect(await second).toMatchObject({ code: 'PDF_RENDER_TIMEOUT' });
      expect(renderer.active).toBe(0);
      // Without the render credential the print page's data is refused: it fails at once, not by timeout.
      const patient = new PdfRenderer({ executablePath: CHROMIUM_PATH, pool: 1, timeoutMs: 30_000 });
      const refused = await patient.render({ ...request, url: `${server.baseUrl}/print/d/overview` }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(refused).toMatchObject({ code: 'PDF_RENDER_FAILED' });
    } finally {
      stall.close();
    }
  }, 60_000);

  it('from the dashboard: the PDF menu (keyboard), a toast, the job ready on the Exports page, downloadable', async () => {
    const browser = await launchBrowser(server);
    try {
      const page = await browser.context.newPage();
      await page.goto(`${server.baseUrl}/d/overview${QUERY}`);
      await waitForDashboard(page);
      const menu = page.getByTestId('pdf-menu');
      await menu.locator('summary').focus();
      await page.keyboard.press('Enter');
      await page.getByLabel('Landscape').check();
      await page.screenshot({ path: path.join(resultsDir, 'dashboard-pdf-menu.png') });
      // The same open menu in the dark scheme, to look at (its PDF and PNG buttons).
      await page.emulateMedia({ colorScheme: 'dark' });
      await page.screenshot({ path: path.join(resultsDir, 'dashboard-pdf-menu-dark.png') });
      await page.emulateMedia({ colorScheme: 'light' });
      const asked = page.waitForRequest((r) => r.url().endsWith('/api/v1/exports/pdf'));
      await page.getByRole('button', { name: 'Create PDF' }).click();
      const body = (await asked).postDataJSON() as Record<string, unknown>;
      expect(body).toEqual({
        dashboard: 'overview',
        format: 'pdf',
        paper: 'A4',
        orientation: 'landscape',
        query: QUERY,
      });
      await page.getByText('PDF started').waitFor({ timeout: 15_000 });
      await page.goto(`${server.baseUrl}/exports`);
      const row = page.locator('tr[data-status="ready"]', { hasText: '.pdf' }).first();
      await row.waitFor({ timeout: 60_000 });
      await page.screenshot({
        path: path.join(resultsDir, 'dashboard-pdf-exports-page.png'),
        fullPage: true,
      });
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        row.getByRole('link', { name: /Download/ }).click(),
      ]);
      const saved = path.join(dir, 'downloaded.pdf');
      await download.saveAs(saved);
      expect(readFileSync(saved).subarray(0, 5).toString('latin1')).toBe('%PDF-');
    } finally {
      await browser.close();
    }
  }, 120_000);

  it('screenshot of the print page as Chromium prints it', async () => {
    const browser = await chromium.launch({
      executablePath: CHROMIUM_PATH,
      chromiumSandbox: process.getuid?.() !== 0,
    });
    try {
      const context = await browser.newContext({
        extraHTTPHeaders: { [RENDER_HEADER]: credential() },
        reducedMotion: 'reduce',
        viewport: { width: 1100, height: 1400 },
      });
      const page = await context.newPage();
      await page.emulateMedia({ media: 'print' });
      await page.goto(`${server.baseUrl}/print/d/overview${QUERY}`);
      await page.waitForSelector(PRINT_READY_SELECTOR, { timeout: 30_000 });
      expect(await page.locator('.app-bar').count()).toBe(0); // no app chrome
      await page.screenshot({ path: path.join(resultsDir, 'dashboard-pdf-print-page.png'), fullPage: true });
    } finally {
      await browser.close();
    }
  }, 60_000);
});

/** The document information dictionary's /Title, decoded from a literal or a UTF-16BE hex string. */
function pdfTitle(raw: string): string | undefined {
  const hex = /\/Title\s*<([0-9A-Fa-f]+)>/.exec(raw);
  if (hex?.[1]) {
    const bytes = Buffer.from(hex[1], 'hex');
    const body = bytes[0] === 0xfe && bytes[1] === 0xff ? bytes.subarray(2) : bytes;
    return body.swap16().toString('utf16le');
  }
  return /\/Title\s*\(([^)]*)\)/.exec(raw)?.[1];
}
