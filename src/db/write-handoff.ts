import type Database from 'better-sqlite3';

/**
 * The write lock handed over between the pack run's worker thread and the server's own writers.
 *
 * While requests come in, the worker writes in short batches with pauses between them
 * (pack/worker.ts), but a scan that found a batch holding the lock waited in SQLite's busy
 * handler, whose retries sleep 1, 2, 5, 10, 15, 20, 25 … ms: it got the lock up to 20 ms after the
 * batch had committed. So the worker's connection says when it holds the lock, in memory both
 * threads see, and wakes the server's waiting writer at its commit; the server's writer waits on
 * that, and takes the lock as soon as it is free. A writer that finds the lock taken by anyone
 * else (the CLI's run, a second server) still waits in the busy handler.
 */

/** 1 while the worker holds the write lock for one of its transactions (the server's own memory, shared with the worker). */
export const workerWriting = new Int32Array(new SharedArrayBuffer(4));

/** How long a writer waits for the worker's transaction at most: as long as SQLite's busy timeout (db/client.ts). */
const WAIT_MS = 5000;

const announcing = new WeakMap<Database.Database, Int32Array>();

/** The worker's connection: its write transactions set `flag` (the server's workerWriting) while they hold the lock. */
export function announceWrites(conn: Database.Database, flag: Int32Array): void {
  announcing.set(conn, flag);
}

/** Clears the flag when the worker is gone (a thread that stopped inside a transaction cannot). */
export function clearWorkerWriting(): void {
  Atomics.store(workerWriting, 0, 0);
  Atomics.notify(workerWriting, 0);
}

/**
 * Runs a write transaction (`begin` takes the lock) on `conn`: on the worker's connection with its
 * flag raised; on any other, once the worker's transaction in progress (if any) has committed. A
 * savepoint inside a transaction already holding the lock runs at once.
 */
export function handedOver<T>(conn: Database.Database, begin: () => T): T {
  if (conn.inTransaction) return begin();
  const flag = announcing.get(conn);
  if (!flag) {
    if (Atomics.load(workerWriting, 0) === 1) Atomics.wait(workerWriting, 0, 1, WAIT_MS);
    return begin();
  }
  Atomics.store(flag, 0, 1);
  try {
    return begin();
  } finally {
    Atomics.store(flag, 0, 0);
    Atomics.notify(flag, 0);
  }
}
