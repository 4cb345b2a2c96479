import { Worker } from 'node:worker_threads';
import { AppError } from '../web/errors.js';
import type { RenderJob } from './model.js';

type Reply = { id: number; pdf?: Uint8Array; error?: { message: string; fontMissing?: boolean; file?: string } };

/**
 * Renders documents in a worker thread, so that a PDF of 500 pick slips does not stop the server
 * from answering scans and page views meanwhile. One worker, started on first use; jobs are
 * answered by id. A worker that dies fails the jobs it held and is started again on the next job.
 */
export class DocumentRenderer {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (pdf: Uint8Array) => void; reject: (err: Error) => void }>();

  constructor(private readonly fontDir: string) {}

  render(job: RenderJob): Promise<Uint8Array> {
    const worker = this.worker ?? this.start();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.ref();
      worker.postMessage({ id, job });
    });
  }

  private start(): Worker {
    const worker = new Worker(new URL('./worker-entry.mjs', import.meta.url), { workerData: { fontDir: this.fontDir } });
    worker.on('message', (reply: Reply) => {
      const waiting = this.pending.get(reply.id);
      if (!waiting) return;
      this.pending.delete(reply.id);
      if (this.pending.size === 0) worker.unref();
      if (reply.pdf) waiting.resolve(reply.pdf);
      else if (reply.error?.fontMissing) waiting.reject(new AppError('document_font_missing', 'errors.documentFontMissing', { file: reply.error.file }));
      else waiting.reject(new Error(`Rendering failed: ${reply.error?.message}`));
    });
    const fail = (err: Error) => {
      if (this.worker === worker) this.worker = null;
      for (const [id, waiting] of this.pending) {
        this.pending.delete(id);
        waiting.reject(err);
      }
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`The documents worker stopped (exit code ${code}).`)));
    worker.unref();
    this.worker = worker;
    return worker;
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    if (worker) await worker.terminate();
  }
}
