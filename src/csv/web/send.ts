import type { Response } from 'express';
import type { Logger } from '../../log.js';
import { contentDispositionOf } from '../../web/download.js';

/**
 * Sends a streamed CSV file as a download. Once the first bytes are out, a failure can only cut
 * the response short (the client sees a broken download, never half a file passed off as whole);
 * a client that went away is not an error.
 */
export async function sendCsv(res: Response, fileName: string, log: Logger, write: (res: Response) => Promise<void>): Promise<void> {
  res.setHeader('Content-Type', 'text/csv; charset=utf-8');
  res.setHeader('Content-Disposition', contentDispositionOf(fileName, 'attachment'));
  res.setHeader('Cache-Control', 'no-store');
  try {
    await write(res);
  } catch (err) {
    if (!res.headersSent) throw err;
    if (!res.destroyed) log.error('csv export cut short', { file: fileName, error: err instanceof Error ? err.message : String(err) });
    res.destroy();
  }
}
