import { AppError } from '../errors.js';
import type { RenderJob } from './model.js';
import { readFonts, type FontFiles } from './pdf.js';
import { renderDocument } from './render.js';

/** Rendering gives way to other requests after this long (ms). */
const SLICE_MS = 12;

const giveWay = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Makes the PDFs. A job is rendered order by order, giving way to the server's other requests
 * every few milliseconds, so that a PDF of 500 pick slips does not stop scans and page views; jobs
 * run one at a time, which bounds the memory a burst of print requests can take. (A worker thread
 * was measured too: it doubled the process's memory for a gain the time slices make unnecessary;
 * docs/decisions.md.)
 */
export class DocumentRenderer {
  private fonts: FontFiles | null = null;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly fontDir: string) {}

  private loadFonts(): FontFiles {
    if (!this.fonts) {
      try {
        this.fonts = readFonts(this.fontDir);
      } catch (err) {
        throw new AppError('document_font_missing', 'errors.documentFontMissing', { file: (err as NodeJS.ErrnoException).path ?? this.fontDir });
      }
    }
    return this.fonts;
  }

  render(job: RenderJob): Promise<Uint8Array> {
    const run = this.queue.then(async () => {
      const fonts = this.loadFonts();
      let since = performance.now();
      return renderDocument(job, fonts, async () => {
        if (performance.now() - since < SLICE_MS) return;
        await giveWay();
        since = performance.now();
      });
    });
    this.queue = run.catch(() => undefined);
    return run;
  }
}
