/**
 * The CSV import's worker thread (started by in-worker.ts): decodes, parses and checks an uploaded
 * file (read.ts, rows.ts) off the server's event loop, so that a file of 20,000 rows or a header of
 * a million empty columns never holds other requests. One message per file, answered with its rows
 * (ROWS_PER_MESSAGE at a time, each after the server's thread asked for it) or the error that
 * refuses it; writing stays on the server's connection (import.ts).
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

/**
 * Rows go back this many to a message, the next message only when the server's thread asks for it
 * (`'next'`): a thread receives every message already queued in one go, so 40 messages sent at once
 * were 20,000 rows taken in one turn of the event loop (35–46 ms measured), not 500 at a time.
 */
const ROWS_PER_MESSAGE = 500;

/** What the server's thread sends for the next message of rows (a type only: importing this module starts the worker's code). */
export type NextRows = 'next';

export type ReadReply =
  { rows: ImportRowInput[]; done: boolean } | { refused: { code: 'csv_unreadable'; key: string; params: Record<string, unknown> } } | { error: string };

const port = parentPort!;

// On Linux the thread lowers its own priority (nice 10): on a busy machine the server's thread
// answering requests goes first. Elsewhere, or where refused, it runs at the process's priority.
try {
  setPriority(Number(readlinkSync('/proc/thread-self').split('/').pop()), 10);
} catch {
  // Not Linux, or not allowed: the reading is off the event loop all the same.
}

let rows: ImportRowInput[] = [];
let sent = 0;

const sendRows = () => {
  const next = rows.slice(sent, sent + ROWS_PER_MESSAGE);
  sent += next.length;
  port.postMessage({ rows: next, done: sent >= rows.length } satisfies ReadReply);
};

port.on('message', (msg: ReadRequest | NextRows) => {
  if (msg === 'next') return sendRows();
  const { content, known, required, ignored } = msg;
  try {
    const file = readCsvFile(content, known, required, ignored);
    rows = file.records.map((r) => importRowFromRecord(r, file.separator));
    sent = 0;
    sendRows();
  } catch (err) {
    let reply: ReadReply;
    if (err instanceof AppError && err.code === 'csv_unreadable') reply = { refused: { code: err.code, key: err.key, params: err.params } };
    else reply = { error: err instanceof Error ? err.message : String(err) };
    port.postMessage(reply);
  }
});
