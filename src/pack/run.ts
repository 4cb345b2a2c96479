import { writeTransaction, type Db } from '../db/client.js';
import { actorLabel, type Actor } from '../domain/actor.js';
import { allocate, holdDetail, type Decision } from '../domain/allocation.js';
import { acquireLease, keepLeaseAlive, leaseHeld, releaseLease, type Lease } from './lease.js';
import { finishRun, insertRun, loadCandidate, loadCandidates, loadStock, markInterrupted, pruneSteps, type RunEnd } from './repo.js';
import { CHANGED_DETAIL, encodeBatch, outcomeOf, shortLine } from './steps.js';
import { getPackSettings } from './settings.js';
import { reportOf, type PackProgress, type PackRunResult, type PackSummary, type PackTrigger } from './progress.js';
import { batchRun, writeBatch } from './writer.js';
import type { Logger } from '../log.js';

export const PACK_LEASE = 'pack_script';
/** Step details are kept for this many runs; older runs keep their summary. */
export const KEEP_RUN_DETAILS = 50;
/** Order outcomes per batch sent to the live view (its list shows the latest 500). */
export const LIVE_ORDERS = 500;

/** Orders per write transaction at most (`batchSize` when not given). */
export const BATCH_SIZE = 5_000;
/**
 * Batches are also capped by time: each is sized from the previous one's speed to hold the write
 * lock about this long, so a machine that writes slowly (busy with other work) gets smaller
 * batches and the longest write transaction stays well under 0.5 s (docs/decisions.md). The first
 * batch, before any speed is known, is at most FIRST_BATCH orders.
 */
export const BATCH_TARGET_MS = 100;
export const FIRST_BATCH = 1_000;

/** A batch size towards `targetMs` of writing at the last batch's speed: at most `grow` times or half the last size. */
export function sizeTowards(last: { size: number; writeMs: number }, targetMs: number, grow: number): number {
  const toTarget = (last.size * targetMs) / Math.max(last.writeMs, 0.1);
  return Math.round(Math.min(grow * last.size, Math.max(last.size / 2, toTarget)));
}

/** The next batch's size: at most `max`, towards BATCH_TARGET_MS of writing, at most doubling or halving at a time. */
export function timedBatchSize(last: { size: number; writeMs: number } | null, max: number): number {
  if (!last) return Math.min(max, FIRST_BATCH);
  return Math.max(1, Math.min(max, sizeTowards(last, BATCH_TARGET_MS, 2)));
}

export interface PackScriptDeps {
  db: Db;
  clock: () => Date;
  log: Logger;
  /** Called after each batch, for the live view. */
  onProgress?: (event: PackProgress) => void;
  /**
   * Paces the writing: called before each batch with the previous one's size and write time (null
   * before the first); resolves with the next batch's size once the run may write it. Without it,
   * batches are `batchSize` orders with a turn of the event loop between them. The worker thread
   * passes one that leaves room for the server's own writes while it is busy (worker.ts).
   */
  pace?: (last: { size: number; writeMs: number } | null) => Promise<number>;
}

export interface PackRunOptions {
  trigger: PackTrigger;
  dryRun: boolean;
  actor: Actor;
  /** Orders written per transaction: bounds how long the write lock is held. */
  batchSize?: number;
  /** Only this order (the order page's "Check now"). */
  orderId?: number;
  /**
   * Whether the result lists every order's outcome (default yes). The worker leaves them out when
   * its caller wants only the counts: 100,000 held outcomes with their details are work and memory
   * for nothing, and the run's record has them all.
   */
  lists?: boolean;
}

/**
 * At a server's start: runs left "running" by a process that died become interrupted, unless a run
 * truly is going on (someone holds the lease). Returns how many were marked.
 */
export function interruptDeadRuns(db: Db, now: Date): number {
  return writeTransaction(db, (tx) => (leaseHeld(tx, PACK_LEASE, now) ? 0 : markInterrupted(tx, now)));
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * One run of the pack script (DESIGN.md § The pack script). Takes the lease (a dry run does not:
 * it writes nothing but its own record), reads every candidate and the stock in one read, decides
 * with the pure rule, then writes in batches: each batch is one transaction in which every
 * promotion is checked again against the current order and stock, so a crash leaves each order
 * promoted with its allocation or untouched, and stock is never allocated twice even if something
 * changed since the read.
 */
export async function runPackScript(deps: PackScriptDeps, opts: PackRunOptions): Promise<PackRunResult> {
  const { db, clock, log } = deps;
  const batchSize = opts.batchSize ?? BATCH_SIZE;
  if (!(Number.isInteger(batchSize) && batchSize >= 1)) throw new RangeError(`batchSize must be a whole number ≥ 1, not ${batchSize}`);
  const label = actorLabel(opts.actor);
  const startedAt = clock();
  let lease: Lease | null = null;
  let stopRenewing = () => {};
  if (!opts.dryRun) {
    lease = acquireLease(db, PACK_LEASE, `${label} (${opts.trigger})`, startedAt);
    stopRenewing = keepLeaseAlive(db, lease, clock, (err) => log.warn('pack script lease renewal failed', { error: String(err) }));
    // The lease is ours: any real run still marked running belongs to a process that died (dry runs take no lease).
    writeTransaction(db, (tx) => markInterrupted(tx, startedAt, 'real'));
  }
  const run = writeTransaction(db, (tx) => insertRun(tx, { trigger: opts.trigger, dryRun: opts.dryRun, startedBy: label, startedAt }));
  deps.onProgress?.({ type: 'created', runId: run.id });

  const lists = opts.lists ?? true;
  const promoted: string[] = [];
  const held: PackRunResult['held'] = [];
  let promotedCount = 0;
  let heldCount = 0;
  const summary: PackSummary = { held: {}, waitingForStock: {}, longestWriteMs: 0 };
  // The step a run is at, as a code the pages translate (pack.step.*); kept on a failed run.
  let step = 'reading';
  let examined = 0;
  try {
    const candidates = opts.orderId === undefined ? await loadCandidates(db, yieldToEventLoop) : loadCandidate(db, opts.orderId);
    const stock = loadStock(db);
    const settings = getPackSettings(db);
    step = 'deciding';
    const decisions = allocate(candidates, stock, settings);
    examined = decisions.length;
    deps.onProgress?.({ type: 'started', runId: run.id, total: decisions.length });

    const batchCtx = batchRun(db, run.id, opts.dryRun, opts.actor, lease);
    // The record's text is made before the write lock is taken; each batch is one IMMEDIATE transaction.
    const writer = (batch: Decision[], firstIndex: number, now: Date) => {
      const encoded = encodeBatch(batch);
      return writeTransaction(db, (tx) => writeBatch(tx, batchCtx, batch, encoded, firstIndex, now));
    };
    let last: { size: number; writeMs: number } | null = null;
    for (let start = 0; start < decisions.length;) {
      const end = Math.min(start + timedBatchSize(last, deps.pace ? Math.max(1, await deps.pace(last)) : batchSize), decisions.length);
      step = `writing:${start + 1}-${end}`;
      const batch = decisions.slice(start, end);
      const t0 = performance.now();
      const changed = writer(batch, start, clock());
      const writeMs = performance.now() - t0;
      summary.longestWriteMs = Math.max(summary.longestWriteMs, writeMs);
      batch.forEach((d, i) => {
        if (changed.has(i)) {
          heldCount++;
          if (lists) held.push({ code: d.order.code, reason: 'changed', detail: CHANGED_DETAIL, ...shortLine(d.lines) });
          summary.held.changed = (summary.held.changed ?? 0) + 1;
        } else if (d.outcome === 'promoted') {
          promotedCount++;
          if (lists) promoted.push(d.order.code);
        } else {
          heldCount++;
          if (lists) held.push({ code: d.order.code, reason: d.reason!, detail: holdDetail(d), ...shortLine(d.lines) });
          summary.held[d.reason!] = (summary.held[d.reason!] ?? 0) + 1;
          if (d.reason === 'insufficient_stock') summary.waitingForStock[d.short!.sku] = (summary.waitingForStock[d.short!.sku] ?? 0) + 1;
        }
      });
      const live = batch.slice(-LIVE_ORDERS).map((d, i) => outcomeOf(d, changed.has(batch.length - Math.min(batch.length, LIVE_ORDERS) + i)));
      deps.onProgress?.({ type: 'batch', runId: run.id, done: end, total: decisions.length, promoted: promotedCount, held: heldCount, orders: live });
      last = { size: end - start, writeMs };
      start = end;
      if (!deps.pace) await yieldToEventLoop();
    }

    step = 'finishing';
    const finishedAt = clock();
    const end: RunEnd = {
      status: 'succeeded',
      finishedAt,
      examined,
      promoted: promotedCount,
      held: heldCount,
      summary: { ...summary },
      error: null,
      errorStep: null,
    };
    writeTransaction(db, (tx) => {
      finishRun(tx, run.id, end);
      pruneSteps(tx, KEEP_RUN_DETAILS);
    });
    const result: PackRunResult = {
      id: run.id,
      trigger: opts.trigger,
      dryRun: opts.dryRun,
      status: 'succeeded',
      startedAt: startedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
      examined,
      promotedCount,
      heldCount,
      promoted,
      held,
      summary,
    };
    deps.onProgress?.({ type: 'finished', runId: run.id, result: reportOf(result) });
    log.info('pack run finished', { id: run.id, trigger: opts.trigger, dryRun: opts.dryRun, examined, promoted: promotedCount, held: heldCount });
    return result;
  } catch (err) {
    const error = err instanceof Error ? err.message : String(err);
    const finishedAt = clock();
    writeTransaction(db, (tx) =>
      finishRun(tx, run.id, {
        status: 'failed',
        finishedAt,
        examined,
        promoted: promotedCount,
        held: heldCount,
        summary: { ...summary },
        error,
        errorStep: step,
      }),
    );
    log.error('pack run failed', { id: run.id, step, error: err instanceof Error ? err.stack : error });
    deps.onProgress?.({ type: 'failed', runId: run.id, error, step });
    return {
      id: run.id,
      trigger: opts.trigger,
      dryRun: opts.dryRun,
      status: 'failed',
      startedAt: startedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
      examined,
      promotedCount,
      heldCount,
      promoted,
      held,
      summary,
      error,
      errorStep: step,
    };
  } finally {
    stopRenewing();
    if (lease) releaseLease(db, lease);
  }
}
