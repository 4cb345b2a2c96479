import { sql } from 'drizzle-orm';
import { preparedFor, preparedQuery, type Db, type Tx } from '../db/client.js';
import { availableSql } from '../db/rules.js';
import { products } from '../db/schema/index.js';
import type { Actor } from '../domain/actor.js';
import { allocate, type Decision, type RuleSettings } from '../domain/allocation.js';
import { counterDelta } from '../domain/stock.js';
import { mailEnv } from '../email/compose.js';
import { pickupExtra, queueOrderMail } from '../email/queue.js';
import { templateForStatus } from '../email/templates.js';
import { pickupRule } from '../carriers/methods.js';
import { batchMover } from '../orders/status-writer.js';
import { loadCandidate, loadStock, type LoadedCandidate } from './repo.js';
import { encodeBatch, withChanged } from './steps.js';
import { renewLease, type Lease } from './lease.js';

/** The pack rule's move, planned once: order → packing by `pack` (domain/order-status.ts). */
const promote = batchMover('order', 'packing', 'pack');
// The stock rule's change of counters per unit of a line the move promotes: what the re-check takes from `available`.
const perUnit = counterDelta('order', 'packing', 1);

// The products named in a JSON array, with "available" (on hand less allocated) as the pack rule reads it:
// one statement for any number of them, prepared once.
const stockOf = preparedQuery((conn) =>
  conn
    .select({ id: products.id, tracked: products.trackStock, available: availableSql(products) })
    .from(products)
    .where(sql`${products.id} IN (SELECT value FROM json_each(${sql.placeholder('ids')}))`)
    .prepare(),
);

/**
 * The run's record of a batch stays two better-sqlite3 statements: as drizzle prepared queries they
 * cost 20 % (the record row) and 18 % (the counts) more per call (interleaved runs of 3,000 calls).
 */
const record = preparedFor((sqlite) => ({
  // One record row per batch: a row per order would cost more than the promotions.
  batch: sqlite.prepare<[runId: number, firstIndex: number, count: number, createdAt: number, codes: string, steps: string]>(
    'INSERT INTO pack_run_batches (run_id, first_index, count, created_at, codes, steps) VALUES (?, ?, ?, ?, ?, ?)',
  ),
  runCounts: sqlite.prepare<[examined: number, promoted: number, held: number, runId: number]>(
    'UPDATE pack_runs SET examined = examined + ?, promoted = promoted + ?, held = held + ? WHERE id = ?',
  ),
}));

/**
 * The stock of the promoted decisions' products as it is now, read inside the write transaction:
 * the rule read it earlier, and an edit or a count may have changed it since.
 */
function currentStock(tx: Tx, batch: readonly Decision[]) {
  const ids = new Set<number>();
  for (const d of batch) {
    if (d.outcome !== 'promoted') continue;
    for (const l of d.order.lines) if (l.productId !== null) ids.add(l.productId);
  }
  const stock = new Map<number, { tracked: boolean; available: number }>();
  if (ids.size === 0) return stock;
  // Arrays as SQLite gives them (`.values()`: track_stock is 0/1), without drizzle's mapping to objects per row.
  for (const [id, tracked, available] of stockOf(tx).values({ ids: JSON.stringify([...ids]) })) {
    if (typeof id !== 'number' || typeof available !== 'number') throw new TypeError('a product row of an unexpected shape');
    stock.set(id, { tracked: tracked === 1, available });
  }
  return stock;
}

export interface PromotionCtx {
  actor: Actor;
  /** The customer's "being packed" e-mail settings, read once per run; null = none is written. */
  mail: ReturnType<typeof mailEnv> | null;
}

/**
 * Writes the promotions among `decisions`: each checked against the stock as it is now and written
 * by the status writer's set-based pack move (status, counters, event), with the customer's
 * "being packed" e-mail when Settings → E-mails sends it automatically (off by default). Returns
 * the positions of promotions the re-check refused (stock or order changed since the rule read
 * them). The one writer of the pack rule's outcome: runs, demo data and test builders all use it.
 * Call inside a write transaction.
 */
export function writePromotions(tx: Tx, decisions: readonly Decision[], ctx: PromotionCtx, now: Date): Set<number> {
  const at = now.getTime();
  const changed = new Set<number>();
  const stock = currentStock(tx, decisions);
  // The customer's e-mail of the move, chosen in one place (templates.ts templateForStatus): a pickup
  // order's is "ready for pickup". The methods' kinds are read once for the batch, not per order.
  const pickup = ctx.mail ? pickupRule(tx) : () => false;
  decisions.forEach((d, i) => {
    if (d.outcome !== 'promoted') return;
    const order = d.order as LoadedCandidate;
    const needs = order.lines.filter((l) => l.remaining > 0);
    const fits = needs.every((l) => {
      const p = l.productId === null ? undefined : stock.get(l.productId);
      return p !== undefined && (!p.tracked || l.remaining <= p.available);
    });
    if (!fits || !promote(tx, { id: order.id, code: order.code, linesVersion: order.linesVersion, lines: needs }, ctx.actor, at)) {
      changed.add(i);
      return;
    }
    for (const line of needs) stock.get(line.productId!)!.available -= perUnit.allocated * line.remaining;
    if (!ctx.mail) return;
    const isPickup = pickup(order.shippingMethod);
    const template = templateForStatus('packing', isPickup);
    if (template && ctx.mail.settings.modes[template] === 'auto') {
      queueOrderMail(tx, order.id, template, { actor: ctx.actor, now, env: ctx.mail, ...(isPickup && { extra: pickupExtra(order.code) }) });
    }
  });
  return changed;
}

/**
 * The pack rule and its writer for one order, in the caller's transaction and without a run row:
 * how demo data and the test builders make a packing order, exactly as a run would promote it.
 * Returns the rule's decision, or undefined when the order is no candidate (not `order`, or
 * waiting); `promoted` says whether it was written. Call inside a write transaction.
 */
export function packOrder(tx: Tx, orderId: number, settings: RuleSettings, actor: Actor, now: Date): { decision: Decision | undefined; promoted: boolean } {
  const [decision] = allocate(loadCandidate(tx, orderId), loadStock(tx), settings);
  if (decision?.outcome !== 'promoted') return { decision, promoted: false };
  return { decision, promoted: writePromotions(tx, [decision], { actor, mail: mailEnv(tx) }, now).size === 0 };
}

/** What every batch of a run writes with: the run, whether it is a dry run, who, the lease, the e-mail settings. */
export interface BatchRun {
  runId: number;
  dryRun: boolean;
  lease: Lease | null;
  ctx: PromotionCtx;
}

/** A run's batch context; the "being packed" e-mail settings are read once, here. */
export function batchRun(db: Db, runId: number, dryRun: boolean, actor: Actor, lease: Lease | null = null): BatchRun {
  return { runId, dryRun, lease, ctx: { actor, mail: dryRun ? null : mailEnv(db) } };
}

/**
 * Writes one batch of decisions (a run may promote tens of thousands of orders, so the writes are
 * set-based and their statements prepared once) and returns the positions (in the batch) of
 * promotions the re-check refused. With a `lease` (a real run), the batch renews it first and is
 * not written when the lease was lost: no batch is written by a run that no longer holds it, and
 * the renewal costs no commit of its own. `encoded` is the batch's record made before the write
 * lock was taken (steps.ts encodeBatch); only the outcomes the re-check refused are encoded again
 * here. Call inside a write transaction (runPackScript opens one per batch).
 */
export function writeBatch(
  tx: Tx,
  run: BatchRun,
  batch: readonly Decision[],
  encoded: ReturnType<typeof encodeBatch>,
  firstIndex: number,
  now: Date,
): Set<number> {
  if (run.lease && !renewLease(tx, run.lease, now)) throw new Error('The pack script lease was lost (the run took too long between batches).');
  const changed = run.dryRun ? new Set<number>() : writePromotions(tx, batch, run.ctx, now);
  const promotions = batch.filter((d, i) => d.outcome === 'promoted' && !changed.has(i)).length;
  const r = record(tx);
  r.batch.run(run.runId, firstIndex, batch.length, now.getTime(), encoded.codes, withChanged(encoded, changed));
  r.runCounts.run(batch.length, promotions, batch.length - promotions, run.runId);
  return changed;
}
