/**
 * The CSV import's worker thread (started by in-worker.ts): decodes, parses and checks an uploaded
 * file (read.ts, rows.ts) off the server's event loop, so that a file of 20,000 rows or a header of
 * a million empty columns never holds other requests. One message per file, answered with its rows
 * or the error that refuses it; writing stays on the server's connection (import.ts).
 */
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import { AppError } from '../errors.js';
import type { ImportRowInput } from './import.js';
import { readCsvFile } from './read.js';
import { importRowFromRecord } from './rows.js';

export interface ReadRequest {
  content: Uint8Array;
  known: readonly string[];
  required: readonly string[];
  ignored: readonly string[];
}

/** Rows go back this many to a message: the server's thread takes each message in a moment, not 20,000 rows at once. */
const ROWS_PER_MESSAGE = 500;

export type ReadReply = { rows: ImportRowInput[]; done: boolean } | { refused: { code: 'csv_unreadable'; key: string; params: Record<string, unknown> } } | { error: string };

const port = parentPort!;

// On Linux the thread lowers its own priority (nice 10): on a busy machine the server's thread
// answering requests goes first. Elsewhere, or where refused, it runs at the process's priority.
try {
  setPriority(Number(readlinkSync('/proc/thread-self').split('/').pop()), 10);
} catch {
  // Not Linux, or not allowed: the reading is off the event loop all the same.
}

port.on('message', ({ content, known, required, ignored }: ReadRequest) => {
  let reply: ReadReply;
  try {
    const file = readCsvFile(content, known, required, ignored);
    const rows = file.records.map(importRowFromRecord);
    for (let i = ROWS_PER_MESSAGE; i < rows.length; i += ROWS_PER_MESSAGE) port.postMessage({ rows: rows.slice(i - ROWS_PER_MESSAGE, i), done: false } satisfies ReadReply);
    reply = { rows: rows.slice(Math.floor((rows.length - 1) / ROWS_PER_MESSAGE) * ROWS_PER_MESSAGE), done: true };
  } catch (err) {
    if (err instanceof AppError && err.code === 'csv_unreadable') reply = { refused: { code: err.code, key: err.key, params: err.params } };
    else reply = { error: err instanceof Error ? err.message : String(err) };
  }
  port.postMessage(reply);
});
