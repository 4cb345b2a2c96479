/**
 * The documents worker thread (started by render-queue.ts): renders large jobs with the same
 * renderDocument, so a PDF of hundreds of pick slips never takes the server's event loop. Fonts come
 * once, in workerData; each message is one job, answered with its PDF (the buffer is moved, not
 * copied) or the error it failed with.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { RenderJob } from './model.js';
import type { FontFiles } from './pdf.js';
import { renderDocument } from './render-job.js';

export interface RenderRequest {
  id: number;
  job: RenderJob;
}

export type RenderReply = { id: number; pdf: Uint8Array } | { id: number; error: string };

const fonts = (workerData as { data: FontFiles }).data;
const port = parentPort!;

port.on('message', ({ id, job }: RenderRequest) => {
  renderDocument(job, fonts).then(
    (pdf) => port.postMessage({ id, pdf } satisfies RenderReply, [pdf.buffer as ArrayBuffer]),
    (err: unknown) => port.postMessage({ id, error: err instanceof Error ? err.message : String(err) } satisfies RenderReply),
  );
});
