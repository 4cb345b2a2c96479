import type { Worker } from 'node:worker_threads';
import { writeTransaction } from '../db/client.js';
import { databaseFile } from '../db/connection.js';
import { AppError } from '../errors.js';
import { reportOf, type PackProgress, type PackRunReport } from './progress.js';
import { failRunningRun, findRun, type PackRunRow } from './repo.js';
import { BATCH_SIZE, runPackScript, type PackRunOptions, type PackScriptDeps } from './run.js';
import type { RunConnection, WorkerReply, WorkerRun } from './worker.js';
import { siblingModule } from '../paths.js';
import { startWorker } from '../threads.js';
import { lastRequestAt } from '../activity.js';
import { clearWorkerWriting, workerWriting } from '../db/write-handoff.js';

interface Job {
  deps: PackScriptDeps;
  opts: PackRunOptions;
  resolve: (result: PackRunReport) => void;
  reject: (err: unknown) => void;
  /** Known once the worker made the run's record. */
  runId?: number;
  startedAt?: string;
  /** Where the run is, as runPackScript names its steps: a crashed worker's run keeps it. */
  step: string;
  /** Orders written, as last reported. */
  done: number;
}

/**
 * One worker thread and the runs it was given. Each thread keeps its own runs: a thread being
 * stopped (idle, or by stopPackWorker) may still answer or exit after the next one has started,
 * and its replies and its exit concern its own runs only.
 */
interface PackWorker {
  thread: Worker;
  jobs: Map<number, Job>;
  idle: NodeJS.Timeout | null;
}

/** An idle worker stops after this long and gives its memory back; the next run starts another. */
const WORKER_IDLE_MS = 5 * 60_000;

/** The worker new runs go to; null until the first run, and from the moment it is asked to stop. */
let current: PackWorker | null = null;
let nextJob = 1;
/** The connection of the last run the worker finished (tests check its pragmas: db/client.ts DURABLE). */
let lastConnection: RunConnection | null = null;

/** How the worker's last finished run had its connection set up; null before the first. */
export function lastRunConnection(): RunConnection | null {
  return lastConnection;
}

function follow(job: Job, event: PackProgress): void {
  // Batches vary in size (the worker paces them); the next is taken to be as large as the last.
  const batchSize = event.type === 'batch' ? Math.max(1, event.done - job.done) : (job.opts.batchSize ?? BATCH_SIZE);
  if (event.type === 'created') {
    job.runId = event.runId;
    job.startedAt = new Date().toISOString();
    job.step = 'reading';
  }
  if (event.type === 'started') job.step = event.total === 0 ? 'finishing' : `writing:1-${Math.min(batchSize, event.total)}`;
  if (event.type === 'batch') {
    job.step = event.done >= event.total ? 'finishing' : `writing:${event.done + 1}-${Math.min(event.done + batchSize, event.total)}`;
    job.done = event.done;
  }
  job.deps.onProgress?.(event);
}

function onReply(w: PackWorker, reply: WorkerReply): void {
  const job = w.jobs.get(reply.job);
  if (!job) return;
  if (reply.type === 'progress') return follow(job, reply.event);
  if (reply.type === 'log') return job.deps.log[reply.level](reply.message, reply.data);
  w.jobs.delete(reply.job);
  if (w.jobs.size === 0) {
    w.thread.unref();
    w.idle = setTimeout(() => void stopWorker(w), WORKER_IDLE_MS).unref();
  }
  if (reply.type === 'result') {
    lastConnection = reply.connection;
    job.resolve(reply.report);
  } else if (reply.type === 'refused') job.reject(new AppError(reply.error.code, reply.error.key, reply.error.params, reply.error.details));
  else job.reject(Object.assign(new Error(reply.message), { stack: reply.stack }));
}

/**
 * The worker died (an uncaught error, out of memory, terminated): each run it had started is marked
 * failed at the step it was at, as runPackScript marks a run whose step threw, and its watchers are
 * told. Its lease is left to expire (LEASE_TTL_MS), as a crashed process's is.
 */
function onDeath(dead: PackWorker, reason: string): void {
  // A thread stopped inside a transaction left its flag raised: the server's writers must not wait on it.
  clearWorkerWriting();
  if (current === dead) current = null;
  if (dead.idle) clearTimeout(dead.idle);
  const orphans = [...dead.jobs.values()];
  dead.jobs.clear();
  for (const job of orphans) {
    if (job.runId === undefined) {
      job.reject(new Error(`The pack script's worker stopped before the run started: ${reason}`));
      continue;
    }
    const { db, clock, log } = job.deps;
    const error = `The pack script's worker stopped: ${reason}`;
    const finishedAt = clock();
    const runId = job.runId;
    try {
      writeTransaction(db, (tx) => failRunningRun(tx, runId, { finishedAt, error, errorStep: job.step }));
    } catch (err) {
      log.error('could not mark the pack run failed', { id: job.runId, error: String(err) });
    }
    log.error('pack run failed', { id: job.runId, step: job.step, error });
    job.deps.onProgress?.({ type: 'failed', runId: job.runId, error, step: job.step });
    // In an exit handler nothing may throw: a busy or closed database leaves the figures at what the job saw.
    let row: PackRunRow | undefined;
    try {
      row = findRun(db, job.runId);
    } catch {
      row = undefined;
    }
    job.resolve({
      id: job.runId,
      trigger: job.opts.trigger,
      dryRun: job.opts.dryRun,
      status: 'failed',
      startedAt: row?.startedAt.toISOString() ?? job.startedAt!,
      finishedAt: finishedAt.toISOString(),
      examined: row?.examined ?? 0,
      promotedCount: row?.promoted ?? 0,
      heldCount: row?.held ?? 0,
      summary: { held: {}, waitingForStock: {}, longestWriteMs: 0 },
      error,
      errorStep: job.step,
    });
  }
}

function packWorker(): PackWorker {
  if (current) return current;
  const w: PackWorker = { thread: startWorker(siblingModule(import.meta.url, './worker')), jobs: new Map(), idle: null };
  w.thread.on('message', (reply: WorkerReply) => onReply(w, reply));
  w.thread.on('error', (err) => onDeath(w, err.message));
  w.thread.on('exit', (code) => onDeath(w, `exit code ${code}`));
  return (current = w);
}

/**
 * Runs the pack script off the server's event loop: in a worker thread with its own connection to
 * the same database file (WAL lets both work), passing its progress to `deps.onProgress` as it
 * comes. Returns the run's report (counts, not the order lists; `want.lists` adds them as the
 * API's JSON text, made in the worker). One worker serves the process; it starts with the first
 * run and stays for the next, until it has been idle for 5 minutes. An in-memory database cannot
 * be opened from another thread: its runs (most tests') stay on the caller's loop, the same function.
 */
export async function runPackRun(deps: PackScriptDeps, opts: PackRunOptions, want: { lists?: boolean } = {}): Promise<PackRunReport> {
  const file = databaseFile(deps.db);
  if (file === null) return reportOf(await runPackScript(deps, { ...opts, lists: want.lists ?? false }), want.lists);
  return new Promise((resolve, reject) => {
    const job = nextJob++;
    const w = packWorker();
    w.jobs.set(job, { deps, opts, resolve, reject, step: 'starting', done: 0 });
    if (w.idle) clearTimeout(w.idle);
    w.idle = null;
    w.thread.ref();
    const msg: WorkerRun = {
      type: 'run',
      job,
      databasePath: file,
      clockOffsetMs: deps.clock().getTime() - Date.now(),
      lastRequestAt: lastRequestAt.buffer,
      workerWriting: workerWriting.buffer,
      opts,
      lists: want.lists ?? false,
    };
    w.thread.postMessage(msg);
  });
}

/**
 * Stops one worker thread; a run it had started is marked failed. It stops being the worker new
 * runs go to before it is terminated, so a run asked for meanwhile starts a new one rather than
 * going to a thread that is ending.
 */
async function stopWorker(w: PackWorker): Promise<void> {
  if (current === w) current = null;
  if (w.idle) clearTimeout(w.idle);
  await w.thread.terminate();
}

/** Stops the worker thread, if one runs; a run it had started is marked failed. For tests. */
export async function stopPackWorker(): Promise<void> {
  if (current) await stopWorker(current);
}
