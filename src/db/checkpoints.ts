import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { DURABLE, type Db } from './client.js';

/**
 * The thread's whole program: its own connection to the file, a PASSIVE checkpoint every
 * `intervalMs`. PASSIVE copies what it can from the WAL into the database file without waiting for
 * (or holding up) the writer or any reader; once everything is copied, the next write starts the WAL
 * from its beginning again. Plain JavaScript: the thread needs no TypeScript loader.
 */
const PROGRAM = `const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path, { fileMustExist: true });
db.pragma('busy_timeout = 1000');
// A checkpoint writes the database file: this connection is as durable as the writers' (client.ts DURABLE).
db.pragma(workerData.durable);
parentPort.postMessage({ synchronous: db.pragma('synchronous', { simple: true }) });
const checkpoint = db.prepare('PRAGMA wal_checkpoint(PASSIVE)');
let last = -1;
const timer = setInterval(() => {
  try {
    const { busy, log, checkpointed } = checkpoint.get();
    if (checkpointed !== last) parentPort.postMessage({ busy, log, checkpointed });
    last = checkpointed;
  } catch (error) {
    parentPort.postMessage({ error: String(error && error.message || error) });
  }
}, workerData.intervalMs);
parentPort.on('message', (m) => {
  if (m !== 'stop') return;
  clearInterval(timer);
  db.close();
  parentPort.close();
});`;

/** What the last checkpoint did: frames in the WAL and frames copied into the database file. */
export interface CheckpointResult {
  busy: number;
  log: number;
  checkpointed: number;
}

export interface BackgroundCheckpoints {
  /** The last checkpoint that copied something (or found the WAL started over), null before the first. */
  readonly last: CheckpointResult | null;
  /** Checkpoints that reported a change since the start. */
  readonly count: number;
  /** The thread's connection's `PRAGMA synchronous` (2, FULL), null until it has opened the file. */
  readonly synchronous: number | null;
  stop(): Promise<void>;
}

/**
 * Moves WAL checkpoints off the request thread. By default SQLite checkpoints inside the commit that
 * takes the WAL past 1,000 pages: that commit copies the pages into the database file and waits for
 * two fsyncs, and every request queued behind it waits too (under order intake, one commit
 * in every few). Here a thread with its own connection checkpoints every `intervalMs`, and the request
 * thread's own automatic checkpoint is moved out to `fallbackPages`: it only runs if this thread
 * falls far behind or has stopped. Durability does not change: a commit is fsynced into the WAL
 * before it is answered (client.ts DURABLE), whoever copies it on; a checkpoint fsyncs the WAL before
 * it copies and the database file before the WAL may start over.
 *
 * For a database file only (an in-memory database has no WAL).
 */
export function startBackgroundCheckpoints(
  db: Db,
  path: string,
  opts: { intervalMs?: number; fallbackPages?: number; onError?: (message: string) => void } = {},
): BackgroundCheckpoints {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(PROGRAM, { eval: true, execArgv: [], workerData: { driver, path, durable: DURABLE, intervalMs: opts.intervalMs ?? 100 } });
  worker.unref();
  db.$client.pragma(`wal_autocheckpoint = ${opts.fallbackPages ?? 20_000}`);
  const state = { last: null as CheckpointResult | null, count: 0, synchronous: null as number | null };
  worker.on('message', (m: CheckpointResult | { error: string } | { synchronous: number }) => {
    if ('error' in m) opts.onError?.(m.error);
    else if ('synchronous' in m) state.synchronous = m.synchronous;
    else {
      state.last = m;
      state.count++;
    }
  });
  worker.on('error', (error) => opts.onError?.(error.message));
  let stopped = false;
  // The request thread checkpoints for itself again once this thread is gone.
  const exited = new Promise<void>((resolve) =>
    worker.on('exit', () => {
      if (db.$client.open) db.$client.pragma('wal_autocheckpoint = 1000');
      resolve();
    }),
  );
  return {
    get last() {
      return state.last;
    },
    get count() {
      return state.count;
    },
    get synchronous() {
      return state.synchronous;
    },
    /**
     * Closes the thread's connection and ends the thread. Stop it before closing the database: the
     * connection that closes last copies the whole WAL into the file and removes it, so a stopped
     * server leaves one file, as it did without this thread.
     */
    async stop() {
      if (stopped) return;
      stopped = true;
      worker.postMessage('stop');
      const timer = setTimeout(() => void worker.terminate(), 2000);
      await exited;
      clearTimeout(timer);
    },
  };
}
