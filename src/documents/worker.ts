import { parentPort, workerData } from 'node:worker_threads';
import type { RenderJob } from './model.js';
import { readFonts, type FontFiles } from './pdf.js';
import { renderDocument } from './render.js';

/** The documents worker: renders jobs off the server's thread and sends the PDF bytes back. */
let fonts: FontFiles | Error;
try {
  fonts = readFonts((workerData as { fontDir: string }).fontDir);
} catch (err) {
  fonts = err as Error;
}

parentPort!.on('message', async ({ id, job }: { id: number; job: RenderJob }) => {
  if (fonts instanceof Error) {
    parentPort!.postMessage({ id, error: { message: fonts.message, fontMissing: true, file: (fonts as NodeJS.ErrnoException).path ?? '' } });
    return;
  }
  try {
    const pdf = await renderDocument(job, fonts);
    parentPort!.postMessage({ id, pdf }, [pdf.buffer as ArrayBuffer]);
  } catch (err) {
    parentPort!.postMessage({ id, error: { message: err instanceof Error ? (err.stack ?? err.message) : String(err) } });
  }
});
