import type { Worker } from 'node:worker_threads';
import { AppError } from '../errors.js';
import { siblingModule } from '../paths.js';
import { startWorker } from '../threads.js';
import type { RenderJob } from './model.js';
import { readFonts, type FontFiles } from './pdf.js';
import { renderDocument } from './render-job.js';
import type { RenderReply, RenderRequest } from './worker.js';

/** Rendering on the server thread gives way to other requests after this long (ms). */
const SLICE_MS = 12;
/**
 * Jobs of at least this many orders render in the worker thread; smaller ones on the server thread,
 * where a label or one order's slip is done in a few milliseconds without a message round trip
 * (docs/decisions.md § Outbound documents).
 */
export const WORKER_MIN_ORDERS = 20;
/** The worker stops after this long without work and gives its memory back; the next large job starts it again. */
const WORKER_IDLE_MS = 5 * 60_000;
/**
 * The worker's heap. V8 sizes a thread's young generation for throughput (tens of MB), and a batch
 * of pick slips makes a great deal of short-lived garbage: with V8's defaults the server's peak
 * memory while 500 pick slips rendered was 455 MB, with these 371 MB (npm run bench). The old
 * generation's ceiling is far above what the largest batch needs (1,000 orders of 20 lines each,
 * pick slip and receipt, render within 128 MB); a job beyond it fails alone, not the process.
 */
export const WORKER_HEAP = { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: 256 };

const giveWay = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * One worker thread and the jobs sent to it. Each thread keeps its own: a thread being stopped may
 * still answer or exit after the next one has started, and its replies and its exit settle its own
 * jobs only.
 */
interface RenderWorker {
  thread: Worker;
  pending: Map<number, { resolve: (pdf: Uint8Array) => void; reject: (err: Error) => void }>;
  idle: NodeJS.Timeout | null;
}

/**
 * Makes the PDFs. Large jobs (batches of pick slips) render in a worker thread, one at a time, so
 * that scans and page views are answered meanwhile; small ones on the server thread in time slices,
 * also one at a time. One-at-a-time bounds the memory a burst of print requests can take.
 */
export class DocumentRenderer {
  private fonts: FontFiles | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private workerQueue: Promise<unknown> = Promise.resolve();
  /** The thread new jobs go to; null until the first large job, and from the moment it is asked to stop. */
  private worker: RenderWorker | null = null;
  private nextId = 1;

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
    const inWorker = job.orders.length >= WORKER_MIN_ORDERS;
    const run = (inWorker ? this.workerQueue : this.queue).then(() => (inWorker ? this.renderInWorker(job) : this.renderHere(job)));
    if (inWorker) this.workerQueue = run.catch(() => undefined);
    else this.queue = run.catch(() => undefined);
    return run;
  }

  private renderHere(job: RenderJob): Promise<Uint8Array> {
    const fonts = this.loadFonts();
    let since = performance.now();
    return renderDocument(job, fonts, async () => {
      if (performance.now() - since < SLICE_MS) return;
      await giveWay();
      since = performance.now();
    });
  }

  private renderInWorker(job: RenderJob): Promise<Uint8Array> {
    // Read here: a missing font is the same clear error on either path.
    const w = this.worker ?? this.start(this.loadFonts());
    if (w.idle) clearTimeout(w.idle);
    w.idle = null;
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      w.pending.set(id, { resolve, reject });
      w.thread.ref();
      w.thread.postMessage({ id, job } satisfies RenderRequest);
    });
  }

  private start(fonts: FontFiles): RenderWorker {
    const w: RenderWorker = { thread: startWorker(siblingModule(import.meta.url, './worker'), fonts, WORKER_HEAP), pending: new Map(), idle: null };
    w.thread.on('message', (reply: RenderReply) => {
      const waiting = w.pending.get(reply.id);
      if (!waiting) return;
      w.pending.delete(reply.id);
      if (w.pending.size === 0) {
        w.thread.unref();
        w.idle = setTimeout(() => void this.stop(w), WORKER_IDLE_MS).unref();
      }
      if ('pdf' in reply) waiting.resolve(reply.pdf);
      else waiting.reject(new Error(`Rendering failed: ${reply.error}`));
    });
    const fail = (err: Error) => {
      if (this.worker === w) this.worker = null;
      if (w.idle) clearTimeout(w.idle);
      for (const [id, waiting] of w.pending) {
        w.pending.delete(id);
        waiting.reject(err);
      }
    };
    w.thread.on('error', fail);
    w.thread.on('exit', (code) => fail(new Error(`The documents worker stopped (exit code ${code}).`)));
    this.worker = w;
    return w;
  }

  /** Stops one thread: it stops taking jobs before it is terminated; a job it held fails. */
  private async stop(w: RenderWorker): Promise<void> {
    if (this.worker === w) this.worker = null;
    if (w.idle) clearTimeout(w.idle);
    await w.thread.terminate();
  }

  /** Stops the worker thread, if one runs; a job it held fails. */
  async close(): Promise<void> {
    if (this.worker) await this.stop(this.worker);
  }
}
