import { chromium, type Browser } from 'playwright-core';
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

export class PdfRenderer {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly options: PdfRendererOptions) {}

  async render(request: PdfRenderRequest): Promise<PdfRenderResult> {
    await this.acquire(request.signal);
    try {
      return await this.renderOne(request);
    } finally {
      this.release();
    }
  }

  private async renderOne(request: PdfRenderRequest): Promise<PdfRenderResult> {
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
        // As wide as the paper's printable width: charts are drawn at the width they are printed.
        viewport: { width: printableWidthPx(request.paper, request.orientation), height: 1400 },
      });
      const page = await context.newPage();
      await page.emulateMedia({ media: 'print' });
      const response = await page.goto(request.url, { waitUntil: 'load', timeout: this.options.timeoutMs });
      if (!response?.ok())
        throw new TrellisError('PDF_RENDER_FAILED', { detail: { status: response?.status() ?? null } });
      await page.waitForSelector(`${PRINT_READY_SELECTOR}, main[data-print-ready="error"]`, {
        timeout: this.options.timeoutMs,
      });
      if (await page.$('main[data-print-ready="error"]'))
        throw new TrellisError('PDF_RENDER_FAILED', { detail: { reason: 'a widget failed to load' } });
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
