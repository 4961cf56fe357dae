import type { Browser, Page } from 'playwright-core';
import { TrellisError } from '../errors.js';

/**
 * Dashboard PDFs (docs/exports.md, "Dashboard PDF"): headless Chromium (playwright-core driving the
 * system's Chromium, as the browser tests do) opens the dashboard's print page with a render
 * credential, waits until every widget has drawn, and prints it. At most `pool` renders run at once
 * in a process (each is a Chromium of its own, ~150 MB); each is killed when it outlasts `timeoutMs`.
 */
export interface PdfRendererOptions {
  /** The Chromium binary (TRELLIS_CHROMIUM; Debian's /usr/bin/chromium by default). */
  readonly executablePath: string;
  readonly pool: number;
  readonly timeoutMs: number;
}

export type PaperSize = 'A4' | 'Letter';
export type Orientation = 'portrait' | 'landscape';

export interface PdfRenderRequest {
  /** The print page's full URL (built by the caller from ids it checked, never from raw input). */
  readonly url: string;
  /** Sent as a header on every request of the page: the render credential. */
  readonly headers: Readonly<Record<string, string>>;
  readonly paper: PaperSize;
  readonly orientation: Orientation;
  readonly signal?: AbortSignal;
}

export interface PdfRenderResult {
  readonly pdf: Buffer;
  /** The print page's text when it was printed (what the PDF shows; logged and tested). */
  readonly text: string;
}

/** A full-page PNG of the dashboard (docs/exports.md, "Dashboard PNG"). */
export interface PngRenderRequest {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly signal?: AbortSignal;
}

export interface PngRenderResult {
  readonly png: Buffer;
  readonly text: string;
}

/** A PNG's page width in CSS pixels (a desktop window) and its pixel ratio (sharp on high-density screens). */
export const PNG_WIDTH_PX = 1280;
export const PNG_PIXEL_RATIO = 2;
/**
 * The tallest page a PNG holds, in CSS pixels: Chromium cannot capture a surface past 16,384 device
 * pixels, which at 2× is 8,192 CSS pixels; a longer dashboard is cut there (docs/exports.md says so;
 * its PDF holds every page).
 */
export const PNG_MAX_HEIGHT_PX = 8_192;

/** The DOM flag the print page sets once every widget's data has loaded and drawn (PrintDashboardPage). */
export const PRINT_READY_SELECTOR = 'main[data-print-ready="true"]';

/** Paper sizes in millimetres (width × height, portrait) and the left + right margins page.pdf() uses. */
const PAPER_MM: Record<PaperSize, readonly [number, number]> = { A4: [210, 297], Letter: [215.9, 279.4] };
const SIDE_MARGINS_MM = 20;

/** The width in CSS pixels (96 per inch) between the page's side margins. */
export function printableWidthPx(paper: PaperSize, orientation: Orientation): number {
  const [w, h] = PAPER_MM[paper];
  const across = orientation === 'landscape' ? h : w;
  return Math.floor(((across - SIDE_MARGINS_MM) * 96) / 25.4);
}

/** How the page is opened: its viewport, media type and pixel ratio. */
interface PageView {
  readonly viewport: { readonly width: number; readonly height: number };
  readonly media: 'print' | 'screen';
  readonly scale: number;
}

export class PdfRenderer {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly options: PdfRendererOptions) {}

  async render(request: PdfRenderRequest): Promise<PdfRenderResult> {
    const viewport = { width: printableWidthPx(request.paper, request.orientation), height: 1400 };
    return this.pooled(request, { viewport, media: 'print', scale: 1 }, async (page) => {
      const text = await page.innerText('main');
      const pdf = await page.pdf({
        format: request.paper,
        landscape: request.orientation === 'landscape',
        printBackground: true,
        margin: {
          top: '14mm',
          bottom: '16mm',
          left: `${SIDE_MARGINS_MM / 2}mm`,
          right: `${SIDE_MARGINS_MM / 2}mm`,
        },
        displayHeaderFooter: true,
        headerTemplate: '<span></span>',
        footerTemplate:
          '<div style="font-size:8px;width:100%;text-align:center;color:#555">' +
          'Page <span class="pageNumber"></span> of <span class="totalPages"></span></div>',
      });
      return { pdf, text };
    });
  }

  /**
   * The same print page (print media, as the PDF) as one PNG, PNG_WIDTH_PX wide at PNG_PIXEL_RATIO,
   * at most PNG_MAX_HEIGHT_PX tall; the same pool, credential and timeout as a PDF.
   */
  async screenshot(request: PngRenderRequest): Promise<PngRenderResult> {
    const viewport = { width: PNG_WIDTH_PX, height: 900 };
    return this.pooled(request, { viewport, media: 'print', scale: PNG_PIXEL_RATIO }, async (page) => {
      const text = await page.innerText('main');
      // The whole page in one viewport (charts resize to it and redraw), not Playwright's full-page
      // capture, which stretches the viewport while it shoots: charts caught mid-resize came out blank.
      // Strings: the server is compiled without the DOM's types; these run in the page.
      const height = Number(await page.evaluate('document.documentElement.scrollHeight'));
      await page.setViewportSize({ width: PNG_WIDTH_PX, height: Math.min(height, PNG_MAX_HEIGHT_PX) });
      await page.evaluate(
        'new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(done, 300))))',
      );
      const png = await page.screenshot({ type: 'png', animations: 'disabled' });
      return { png, text };
    });
  }

  private async pooled<T>(
    request: PngRenderRequest,
    view: PageView,
    capture: (page: Page) => Promise<T>,
  ): Promise<T> {
    await this.acquire(request.signal);
    try {
      return await this.renderOne(request, view, capture);
    } finally {
      this.release();
    }
  }

  private async renderOne<T>(
    request: PngRenderRequest,
    view: PageView,
    capture: (page: Page) => Promise<T>,
  ): Promise<T> {
    let browser: Browser | undefined;
    let timedOut = false;
    // Closing the browser ends every wait below at once (they reject): the kill on timeout or abort.
    const kill = () => void browser?.close().catch(() => undefined);
    const timer = setTimeout(() => {
      timedOut = true;
      kill();
    }, this.options.timeoutMs);
    const onAbort = () => kill();
    request.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      // Loaded on the first render, not at start: playwright-core is ~28 MB of V8 heap that a web
      // process, or a worker that renders nothing, never needs.
      const { chromium } = await import('playwright-core');
      browser = await chromium.launch({
        executablePath: this.options.executablePath,
        headless: true,
        timeout: this.options.timeoutMs,
        // Chromium's own sandbox refuses to start as root (containers); elsewhere it stays on.
        chromiumSandbox: process.getuid?.() !== 0,
        args: [
          '--disable-gpu',
          '--disable-quic',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
        ],
      });
      if (timedOut) throw new Error('timed out while starting');
      const context = await browser.newContext({
        extraHTTPHeaders: request.headers,
        reducedMotion: 'reduce', // charts draw at once, without their entry animation
        // A PDF: as wide as the paper's printable width, so charts are drawn at the width they are printed.
        viewport: view.viewport,
        deviceScaleFactor: view.scale,
      });
      const page = await context.newPage();
      await page.emulateMedia({ media: view.media });
      const response = await page.goto(request.url, { waitUntil: 'load', timeout: this.options.timeoutMs });
      if (!response?.ok())
        throw new TrellisError('PDF_RENDER_FAILED', { detail: { status: response?.status() ?? null } });
      await page.waitForSelector(`${PRINT_READY_SELECTOR}, main[data-print-ready="error"]`, {
        timeout: this.options.timeoutMs,
      });
      if (await page.$('main[data-print-ready="error"]'))
        throw new TrellisError('PDF_RENDER_FAILED', { detail: { reason: 'a widget failed to load' } });
      return await capture(page);
    } catch (err) {
      if (timedOut)
        throw new TrellisError('PDF_RENDER_TIMEOUT', {
          detail: { timeoutMs: this.options.timeoutMs },
          cause: err,
        });
      throw err;
    } finally {
      clearTimeout(timer);
      request.signal?.removeEventListener('abort', onAbort);
      await browser?.close().catch(() => undefined);
    }
  }

  private acquire(signal: AbortSignal | undefined): Promise<void> {
    if (this.running < this.options.pool) {
      this.running++;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const go = () => {
        signal?.removeEventListener('abort', stop);
        this.running++;
        resolve();
      };
      const stop = () => {
        const i = this.waiting.indexOf(go);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
      };
      signal?.addEventListener('abort', stop, { once: true });
      this.waiting.push(go);
    });
  }

  private release(): void {
    this.running--;
    this.waiting.shift()?.();
  }

  /** Renders running now (tests check the pool's bound with it). */
  get active(): number {
    return this.running;
  }
}
