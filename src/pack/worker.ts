/**
 * The pack script's worker thread (started by in-worker.ts): runs runPackScript on its own
 * connection to the database file, so reading, deciding and writing 100,000 candidates never takes
 * the server's event loop. Messages in: one `run` per pack run. Messages out, tagged with the run's
 * `job`: its progress, its log lines, and its result or the error it was refused with.
 */
import { parentPort } from 'node:worker_threads';
import { msSinceLastRequest } from '../activity.js';
import { closeDatabase, openDatabase } from '../db/client.js';
import { announceWorkerWrites, checkpointPassive, setAutoCheckpoint, synchronousLevel } from '../db/connection.js';
import { AppError } from '../errors.js';
import type { Logger } from '../log.js';
import { reportOf, type PackProgress, type PackRunReport } from './progress.js';
import { BATCH_SIZE, LIVE_ORDERS, runPackScript, sizeTowards, type PackRunOptions } from './run.js';

/** Batches closer together than this reach the caller as one event: each message costs its event loop. */
const PROGRESS_EVERY_MS = 100;
/**
 * While requests come in, a batch is sized to hold the write lock about this long (growing by half
 * at most from one batch to the next, so a batch of heavier orders overshoots little), and is
 * followed by a pause in which the server's writes take the lock: a scan that finds a batch writing
 * gets the lock at its commit (db/write-handoff.ts), within a few milliseconds.
 */
export const BUSY_WRITE_MS = 5;
export const BUSY_PAUSE_MS = 12;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A request within this long makes the server busy. */
const BUSY_FOR_MS = 1000;

/**
 * The run's connection copies the WAL into the database file itself (a PASSIVE checkpoint) once its
 * batches since the last copy have written for this long, and once more when the run ends, between
 * batches, never in a commit: SQLite's own automatic checkpoint (every 1,000 pages) ran inside the
 * commit of one batch in every few, so a 100,000-candidate run copied and fsynced the same hot pages
 * some 25 times, and the copy's time was counted as that batch's write (docs/decisions.md).
 */
export const CHECKPOINT_AFTER_WRITE_MS = 2000;

/**
 * Paces a run's writing by the server's requests: with none for BUSY_FOR_MS, full batches one after
 * another; otherwise short batches (sized from the last one's speed towards BUSY_WRITE_MS of
 * writing, at most 1.5 times or half the last at a time) with BUSY_PAUSE_MS between them.
 */
function pacer(lastRequestAt: BigInt64Array, batchSize: number, checkpoint: () => void) {
  let size = 0;
  let writtenMs = 0;
  return async (last: { size: number; writeMs: number } | null): Promise<number> => {
    writtenMs += last?.writeMs ?? 0;
    if (writtenMs >= CHECKPOINT_AFTER_WRITE_MS) {
      checkpoint();
      writtenMs = 0;
    }
    if (msSinceLastRequest(lastRequestAt) > BUSY_FOR_MS) {
      size = 0;
      await turn();
      return batchSize;
    }
    await sleep(BUSY_PAUSE_MS);
    if (size === 0 || !last) size = Math.min(200, batchSize);
    else size = sizeTowards(last, BUSY_WRITE_MS, 1.5);
    return Math.max(10, Math.min(batchSize, size));
  };
}

/** A run asked of the worker. */
export interface WorkerRun {
  type: 'run';
  job: number;
  databasePath: string;
  /** The caller's clock minus this thread's: the run's timestamps follow the caller's clock. */
  clockOffsetMs: number;
  /** When the server last started a request (activity.ts), shared memory. */
  lastRequestAt: SharedArrayBuffer;
  /** Raised while this worker holds the write lock (db/write-handoff.ts), shared memory. */
  workerWriting: SharedArrayBuffer;
  opts: PackRunOptions;
  /** Whether the report carries the order lists as JSON text (the API's answer). */
  lists: boolean;
}

/** How the run's connection was set up, as SQLite reports it (`synchronous` 2 is FULL). */
export interface RunConnection {
  synchronous: number;
}

/** What the worker sends back. */
export type WorkerReply =
  | { job: number; type: 'progress'; event: PackProgress }
  | { job: number; type: 'log'; level: keyof Logger; message: string; data?: Record<string, unknown> }
  | { job: number; type: 'result'; report: PackRunReport; connection: RunConnection }
  | { job: number; type: 'refused'; error: { code: AppError['code']; key: string; params: Record<string, unknown>; details?: AppError['details'] } }
  | { job: number; type: 'error'; message: string; stack?: string };

const port = parentPort!;

async function run(msg: WorkerRun): Promise<void> {
  const send = (reply: WorkerReply) => port.postMessage(reply);
  const log: Logger = {
    info: (message, data) => send({ job: msg.job, type: 'log', level: 'info', message, ...(data && { data }) }),
    warn: (message, data) => send({ job: msg.job, type: 'log', level: 'warn', message, ...(data && { data }) }),
    error: (message, data) => send({ job: msg.job, type: 'log', level: 'error', message, ...(data && { data }) }),
  };
  // A run of small batches reports many of them a second: the live view needs a few, each with the latest outcomes.
  let pending: Extract<PackProgress, { type: 'batch' }> | null = null;
  let sentAt = 0;
  const progress = (event: PackProgress) => {
    if (event.type === 'batch') {
      // A batch of LIVE_ORDERS or more carries the latest outcomes by itself (the idle run's batches).
      pending = pending && event.orders.length < LIVE_ORDERS ? { ...event, orders: [...pending.orders, ...event.orders].slice(-LIVE_ORDERS) } : event;
      if (performance.now() - sentAt < PROGRESS_EVERY_MS) return;
    }
    if (pending) send({ job: msg.job, type: 'progress', event: pending });
    pending = null;
    sentAt = performance.now();
    if (event.type !== 'batch') send({ job: msg.job, type: 'progress', event });
  };
  // Opened per run and closed after it: an idle worker holds no file open. A file that cannot be
  // opened fails this run only (an unhandled rejection would end the worker and every run in it).
  let db: ReturnType<typeof openDatabase>;
  try {
    db = openDatabase(msg.databasePath);
    setAutoCheckpoint(db, 0);
    // The server's writers wait for this connection's transactions on the flag, not in SQLite's busy handler.
    announceWorkerWrites(db, new Int32Array(msg.workerWriting));
  } catch (err) {
    send({ job: msg.job, type: 'error', message: err instanceof Error ? err.message : String(err) });
    return;
  }
  // PASSIVE: copies what it can without waiting for the server's readers or writers; a checkpoint
  // the server's own thread is making at the same moment makes this one a no-op, not an error. The
  // copy is housekeeping: one that fails is logged, and the run's outcome stands.
  const checkpoint = () => {
    try {
      checkpointPassive(db);
    } catch (err) {
      log.warn('pack run checkpoint failed', { error: String(err) });
    }
  };
  try {
    const result = await runPackScript(
      {
        db,
        clock: () => new Date(Date.now() + msg.clockOffsetMs),
        log,
        onProgress: progress,
        pace: pacer(new BigInt64Array(msg.lastRequestAt), msg.opts.batchSize ?? BATCH_SIZE, checkpoint),
      },
      { ...msg.opts, lists: msg.lists },
    );
    checkpoint();
    const connection = { synchronous: synchronousLevel(db) };
    send({ job: msg.job, type: 'result', report: reportOf(result, msg.lists), connection });
  } catch (err) {
    if (err instanceof AppError)
      send({ job: msg.job, type: 'refused', error: { code: err.code, key: err.key, params: err.params, ...(err.details && { details: err.details }) } });
    else
      send({
        job: msg.job,
        type: 'error',
        message: err instanceof Error ? err.message : String(err),
        ...(err instanceof Error && err.stack && { stack: err.stack }),
      });
  } finally {
    closeDatabase(db);
  }
}

port.on('message', (msg: WorkerRun) => void run(msg));
