import type { Worker } from 'node:worker_threads';
import { and, eq } from 'drizzle-orm';
import { packRuns } from '../db/schema/index.js';
import { AppError } from '../errors.js';
import type { PackProgress, PackRunResult } from './progress.js';
import { BATCH_SIZE, runPackScript, type PackRunOptions, type PackScriptDeps } from './run.js';
import type { WorkerReply, WorkerRun } from './worker.js';
import { startTsWorker } from '../threads.js';
import { lastRequestAt } from '../activity.js';

interface Job {
  deps: PackScriptDeps;
  opts: PackRunOptions;
  resolve: (result: PackRunResult) => void;
  reject: (err: unknown) => void;
  /** Known once the worker made the run's record. */
  runId?: number;
  startedAt?: string;
  /** Where the run is, as runPackScript names its steps: a crashed worker's run keeps it. */
  step: string;
  /** Orders written, as last reported. */
  done: number;
}

/** An idle worker stops after this long and gives its memory back; the next run starts another. */
const WORKER_IDLE_MS = 5 * 60_000;

let worker: Worker | null = null;
let idle: NodeJS.Timeout | null = null;
let nextJob = 1;
const jobs = new Map<number, Job>();

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

function onReply(reply: WorkerReply): void {
  const job = jobs.get(reply.job);
  if (!job) return;
  if (reply.type === 'progress') return follow(job, reply.event);
  if (reply.type === 'log') return job.deps.log[reply.level](reply.message, reply.data);
  jobs.delete(reply.job);
  if (jobs.size === 0 && worker) {
    worker.unref();
    idle = setTimeout(() => void stopPackWorker(), WORKER_IDLE_MS).unref();
  }
  if (reply.type === 'result') job.resolve(reply.result);
  else if (reply.type === 'refused') job.reject(new AppError(reply.error.code, reply.error.key, reply.error.params, reply.error.details));
  else job.reject(Object.assign(new Error(reply.message), { stack: reply.stack }));
}

/**
 * The worker died (an uncaught error, out of memory, terminated): each run it had started is marked
 * failed at the step it was at, as runPackScript marks a run whose step threw, and its watchers are
 * told. Its lease is left to expire (LEASE_TTL_MS), as a crashed process's is.
 */
function onDeath(dead: Worker, reason: string): void {
  if (worker !== dead) return;
  worker = null;
  const orphans = [...jobs.values()];
  jobs.clear();
  for (const job of orphans) {
    if (job.runId === undefined) {
      job.reject(new Error(`The pack script's worker stopped before the run started: ${reason}`));
      continue;
    }
    const { db, clock, log } = job.deps;
    const error = `The pack script's worker stopped: ${reason}`;
    const finishedAt = clock();
    try {
      db.update(packRuns)
        .set({ status: 'failed', finishedAt, error, errorStep: job.step })
        .where(and(eq(packRuns.id, job.runId), eq(packRuns.status, 'running')))
        .run();
    } catch (err) {
      log.error('could not mark the pack run failed', { id: job.runId, error: String(err) });
    }
    log.error('pack run failed', { id: job.runId, step: job.step, error });
    job.deps.onProgress?.({ type: 'failed', runId: job.runId, error, step: job.step });
    // In an exit handler nothing may throw: a busy or closed database leaves the figures at what the job saw.
    let row: typeof packRuns.$inferSelect | undefined;
    try {
      row = db.select().from(packRuns).where(eq(packRuns.id, job.runId)).get();
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
      promoted: [],
      held: [],
      summary: { held: {}, waitingForStock: {}, longestWriteMs: 0 },
      error,
      errorStep: job.step,
    });
  }
}

function packWorker(): Worker {
  if (worker) return worker;
  const started = startTsWorker(new URL('./worker.ts', import.meta.url));
  started.on('message', onReply);
  started.on('error', (err) => onDeath(started, err.message));
  started.on('exit', (code) => onDeath(started, `exit code ${code}`));
  return (worker = started);
}

/**
 * Runs the pack script off the server's event loop: in a worker thread with its own connection to
 * the same database file (WAL lets both work), returning what runPackScript returns and passing its
 * progress to `deps.onProgress` as it comes. One worker serves the process; it starts with the first
 * run and stays for the next, until it has been idle for 5 minutes. An in-memory database cannot be opened from another thread: its runs
 * (most tests') stay on the caller's loop, the same function.
 */
export function runPackRun(deps: PackScriptDeps, opts: PackRunOptions): Promise<PackRunResult> {
  if (deps.db.$client.memory) return runPackScript(deps, opts);
  return new Promise((resolve, reject) => {
    const job = nextJob++;
    jobs.set(job, { deps, opts, resolve, reject, step: 'starting', done: 0 });
    const w = packWorker();
    if (idle) clearTimeout(idle);
    w.ref();
    const msg: WorkerRun = { type: 'run', job, databasePath: deps.db.$client.name, clockOffsetMs: deps.clock().getTime() - Date.now(), lastRequestAt: lastRequestAt.buffer, opts };
    w.postMessage(msg);
  });
}

/** Stops the worker thread; a run it had started is marked failed. When idle, and for tests. */
export async function stopPackWorker(): Promise<void> {
  await worker?.terminate();
}
