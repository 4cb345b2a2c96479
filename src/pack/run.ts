import { eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { packRuns } from '../db/schema/index.js';
import { actorLabel, type Actor } from '../domain/actor.js';
import { allocate, holdDetail, type Decision, type HoldReason } from '../domain/allocation.js';
import { planMove } from '../domain/order-status.js';
import { counterDelta } from '../domain/stock.js';
import { acquireLease, keepLeaseAlive, releaseLease, renewLease, type Lease } from './lease.js';
import { loadCandidate, loadCandidates, loadStock, markInterrupted, pruneSteps, type LoadedCandidate } from './repo.js';
import { CHANGED_DETAIL, encodeBatch, outcomeOf, shortLine, type OrderOutcome } from './steps.js';
import { getPackSettings } from './settings.js';
import { mailEnv, queueOrderMail } from '../email/outbox.js';
import { logOrderEvent } from '../events/repo.js';
import type { Logger } from '../log.js';

export const PACK_LEASE = 'pack_script';
/** Step details are kept for this many runs; older runs keep their summary. */
export const KEEP_RUN_DETAILS = 50;
/** Order outcomes per batch sent to the live view (its list shows the latest 500). */
export const LIVE_ORDERS = 500;

/** Orders per write transaction: about 0.3 s of write lock in the 100,000-candidate bench (docs/decisions.md). */
export const BATCH_SIZE = 10_000;

export type PackTrigger = 'cron' | 'manual' | 'cli' | 'api' | 'check';

export interface PackScriptDeps {
  db: Db;
  clock: () => Date;
  log: Logger;
  /** Called after each batch, for the live view. */
  onProgress?: (event: PackProgress) => void;
}

export interface PackRunOptions {
  trigger: PackTrigger;
  dryRun: boolean;
  actor: Actor;
  /** Orders written per transaction: bounds how long the write lock is held. */
  batchSize?: number;
  /** Only this order (the order page's "Check now"). */
  orderId?: number;
}

export type PackProgress =
  | { type: 'created'; runId: number }
  | { type: 'started'; runId: number; total: number }
  /** `orders`: the batch's last outcomes (at most LIVE_ORDERS), for the live view; the run's record has them all. */
  | { type: 'batch'; runId: number; done: number; total: number; promoted: number; held: number; orders: OrderOutcome[] }
  | { type: 'finished'; runId: number; result: PackRunResult }
  | { type: 'failed'; runId: number; error: string; step: string };

export interface PackRunResult {
  id: number;
  trigger: PackTrigger;
  dryRun: boolean;
  status: 'succeeded' | 'failed';
  startedAt: string;
  finishedAt: string;
  examined: number;
  promoted: string[];
  /** `sku`, `need`, `available`: the line that stopped an order waiting for stock. */
  held: { code: string; reason: string; detail: string; sku?: string; need?: number; available?: number | null }[];
  summary: PackSummary;
  error?: string;
  errorStep?: string;
}

export interface PackSummary {
  /** Held orders by reason. */
  held: Partial<Record<HoldReason | 'changed', number>>;
  /** Orders waiting for stock, by the SKU that stopped them. */
  waitingForStock: Record<string, number>;
  /** Longest single write transaction, ms. */
  longestWriteMs: number;
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
    // The lease is ours: any run still marked running belongs to a process that died.
    markInterrupted(db, startedAt);
  }
  const run = db
    .insert(packRuns)
    .values({ trigger: opts.trigger, dryRun: opts.dryRun, status: 'running', startedBy: label, startedAt })
    .returning()
    .get();
  deps.onProgress?.({ type: 'created', runId: run.id });

  const promoted: string[] = [];
  const held: PackRunResult['held'] = [];
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

    const writer = batchWriter(db, run.id, opts.dryRun, opts.actor);
    for (let start = 0; start < decisions.length; start += batchSize) {
      step = `writing:${start + 1}-${Math.min(start + batchSize, decisions.length)}`;
      const batch = decisions.slice(start, start + batchSize);
      const t0 = performance.now();
      const changed = writer(batch, start, clock());
      summary.longestWriteMs = Math.max(summary.longestWriteMs, performance.now() - t0);
      batch.forEach((d, i) => {
        if (changed.has(i)) {
          held.push({ code: d.order.code, reason: 'changed', detail: CHANGED_DETAIL, ...shortLine(d.lines) });
          summary.held.changed = (summary.held.changed ?? 0) + 1;
        } else if (d.outcome === 'promoted') promoted.push(d.order.code);
        else {
          held.push({ code: d.order.code, reason: d.reason!, detail: holdDetail(d), ...shortLine(d.lines) });
          summary.held[d.reason!] = (summary.held[d.reason!] ?? 0) + 1;
          if (d.reason === 'insufficient_stock') summary.waitingForStock[d.short!.sku] = (summary.waitingForStock[d.short!.sku] ?? 0) + 1;
        }
      });
      const live = batch.slice(-LIVE_ORDERS).map((d, i) => outcomeOf(d, changed.has(batch.length - Math.min(batch.length, LIVE_ORDERS) + i)));
      if (lease && !renewLease(db, lease, clock())) throw new Error('The pack script lease was lost (the run took too long between batches).');
      deps.onProgress?.({ type: 'batch', runId: run.id, done: Math.min(start + batchSize, decisions.length), total: decisions.length, promoted: promoted.length, held: held.length, orders: live });
      await yieldToEventLoop();
    }

    step = 'finishing';
    const finishedAt = clock();
    db.update(packRuns)
      .set({ status: 'succeeded', finishedAt, examined, promoted: promoted.length, held: held.length, summary: summary as unknown as Record<string, unknown> })
      .where(eq(packRuns.id, run.id))
      .run();
    pruneSteps(db, KEEP_RUN_DETAILS);
    const result: PackRunResult = { id: run.id, trigger: opts.trigger, dryRun: opts.dryRun, status: 'succeeded', startedAt: startedAt.toISOString(), finishedAt: finishedAt.toISOString(), examined, promoted, held, summary };
    deps.onProgress?.({ type: 'finished', runId: run.id, result });
    log.info('pack run finished', { id: run.id, trigger: opts.trigger, dryRun: opts.dryRun, examined, promoted: promoted.length, held: held.length });
    return result;
  } catch (err) {
    const error = err instanceof Error ? err.message : String(err);
    const finishedAt = clock();
    db.update(packRuns)
      .set({ status: 'failed', finishedAt, examined, promoted: promoted.length, held: held.length, summary: summary as unknown as Record<string, unknown>, error, errorStep: step })
      .where(eq(packRuns.id, run.id))
      .run();
    log.error('pack run failed', { id: run.id, step, error: err instanceof Error ? err.stack : error });
    deps.onProgress?.({ type: 'failed', runId: run.id, error, step });
    return { id: run.id, trigger: opts.trigger, dryRun: opts.dryRun, status: 'failed', startedAt: startedAt.toISOString(), finishedAt: finishedAt.toISOString(), examined, promoted, held, summary, error, errorStep: step };
  } finally {
    stopRenewing();
    if (lease) releaseLease(db, lease);
  }
}

/**
 * Writes batches of decisions with prepared statements (a run may promote tens of thousands of
 * orders: building SQL per statement would dominate). The status move and the counter changes still
 * come from the state machine and the stock rule; only the SQL is written out here.
 */
function batchWriter(db: Db, runId: number, dryRun: boolean, actor: Actor) {
  const sqlite = db.$client;
  const move = planMove('order', 'packing', 'pack');
  // The stock rule's change of counters per unit of a line promoted by this move.
  const perUnit = counterDelta(move.from, move.to, 1);
  const promote = sqlite.prepare(`UPDATE orders SET status = '${move.to}', updated_at = ? WHERE id = ? AND status = '${move.from}' AND waiting = 0 AND lines_version = ?`);
  // Allocates only while the shelf still has it: the database itself refuses a double allocation.
  const take = sqlite.prepare('UPDATE products SET reserved = reserved + ?, allocated = allocated + ?, updated_at = ? WHERE id = ?');
  // One record row per batch: a row per order would cost more than the promotions.
  const record = sqlite.prepare('INSERT INTO pack_run_batches (run_id, first_index, count, created_at, codes, steps) VALUES (?, ?, ?, ?, ?, ?)');
  const runCounts = sqlite.prepare('UPDATE pack_runs SET examined = examined + ?, promoted = promoted + ?, held = held + ? WHERE id = ?');
  const eventData = JSON.stringify({ from: move.from, to: move.to, action: move.action });
  // The customer's "being packed" e-mail, when Settings → E-mails sends it automatically (off by default).
  const mailSettings = dryRun ? null : mailEnv(db);
  const packingMail = mailSettings?.settings.modes.packing === 'auto';

  const STOCK_CHUNK = 500;
  const stockOf = (n: number) => sqlite.prepare(`SELECT id, track_stock AS tracked, on_hand - allocated AS available FROM products WHERE id IN (${Array(n).fill('?').join(',')})`);
  const stockOfFullChunk = stockOf(STOCK_CHUNK);

  /**
   * The stock of the batch's products as it is now, read inside the write transaction: the rule
   * read it earlier, and an edit or a count may have changed it since.
   */
  const currentStock = (batch: Decision[]) => {
    const ids = [...new Set(batch.flatMap((d) => (d.outcome === 'promoted' ? d.order.lines.flatMap((l) => (l.productId === null ? [] : [l.productId])) : [])))];
    const stock = new Map<number, { tracked: boolean; available: number }>();
    for (let i = 0; i < ids.length; i += STOCK_CHUNK) {
      const chunk = ids.slice(i, i + STOCK_CHUNK);
      const rows = (chunk.length === STOCK_CHUNK ? stockOfFullChunk : stockOf(chunk.length)).all(...chunk) as { id: number; tracked: number; available: number }[];
      for (const r of rows) stock.set(r.id, { tracked: r.tracked === 1, available: r.available });
    }
    return stock;
  };

  /** One order's promotion, checked against the stock as it is now; false if anything changed. */
  const promoteOne = (order: LoadedCandidate, stock: Map<number, { tracked: boolean; available: number }>, now: number): boolean => {
    const needs = order.lines.filter((l) => l.remaining > 0);
    const fits = needs.every((l) => {
      const p = l.productId === null ? undefined : stock.get(l.productId);
      return p !== undefined && (!p.tracked || l.remaining <= p.available);
    });
    if (!fits || promote.run(now, order.id, order.linesVersion).changes === 0) return false;
    for (const line of needs) {
      take.run(perUnit.reserved * line.remaining, perUnit.allocated * line.remaining, now, line.productId);
      stock.get(line.productId!)!.available -= perUnit.allocated * line.remaining;
    }
    logOrderEvent(db, order, 'status_changed', actor, now, eventData);
    if (packingMail) queueOrderMail(db, order.id, 'packing', { actor, now: new Date(now), env: mailSettings! });
    return true;
  };

  /** Writes one batch; returns the positions (in the batch) of promotions the re-check refused. */
  return sqlite.transaction((batch: Decision[], firstIndex: number, now: Date): Set<number> => {
    const at = now.getTime();
    const changed = new Set<number>();
    let promotions = 0;
    if (!dryRun) {
      const stock = currentStock(batch);
      batch.forEach((d, i) => {
        if (d.outcome !== 'promoted') return;
        if (promoteOne(d.order as LoadedCandidate, stock, at)) promotions++;
        else changed.add(i);
      });
    } else promotions = batch.filter((d) => d.outcome === 'promoted').length;
    const { codes, steps } = encodeBatch(batch, changed);
    record.run(runId, firstIndex, batch.length, at, codes, steps);
    runCounts.run(batch.length, promotions, batch.length - promotions, runId);
    return changed;
  }).immediate;
}

