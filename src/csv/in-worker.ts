import { siblingModule } from '../paths.js';
import { startWorker } from '../threads.js';
import { AppError } from '../errors.js';
import type { ImportRowInput } from './import.js';
import type { NextRows, ReadReply, ReadRequest } from './worker.js';

/** The reading thread's heap: a 5 MB file's rows and cells with room to spare. */
const WORKER_HEAP = { maxOldGenerationSizeMb: 256, maxYoungGenerationSizeMb: 16 };

/**
 * Reads an import file in a worker thread of its own (worker.ts), started for the file and stopped
 * once it has answered: imports are rare, and a thread per file keeps none of its memory between
 * them. The server's event loop only waits for the answer; a file the reading refuses rejects with
 * its AppError (csv_unreadable), as reading it here would.
 */
export async function readImportRows(content: Buffer, columns: Omit<ReadRequest, 'content'>): Promise<ImportRowInput[]> {
  const thread = startWorker(siblingModule(import.meta.url, './worker'), undefined, WORKER_HEAP);
  thread.ref();
  try {
    const rows: ImportRowInput[] = [];
    const reply = await new Promise<Exclude<ReadReply, { rows: unknown }> | null>((resolve, reject) => {
      thread.on('message', (msg: ReadReply) => {
        if (!('rows' in msg)) return resolve(msg);
        rows.push(...msg.rows);
        // The next message only now, so that each is taken in a turn of the event loop of its own.
        if (msg.done) resolve(null);
        else thread.postMessage('next' satisfies NextRows);
      });
      thread.once('error', reject);
      thread.once('exit', (code) => reject(new Error(`The CSV reading thread stopped (exit code ${code}).`)));
      thread.postMessage({ content: new Uint8Array(content), ...columns } satisfies ReadRequest);
    });
    if (reply === null) return rows;
    if ('refused' in reply) throw new AppError(reply.refused.code, reply.refused.key, reply.refused.params);
    throw new Error(`Reading the CSV file failed: ${reply.error}`);
  } finally {
    await thread.terminate();
  }
}
