import type { Db } from '../db/client.js';
import type { Actor } from '../domain/actor.js';
import type { Decision } from '../domain/allocation.js';
import { planMove } from '../domain/order-status.js';
import { counterDelta } from '../domain/stock.js';
import { mailEnv, queueOrderMail } from '../email/outbox.js';
import { logOrderEvent } from '../events/repo.js';
import type { LoadedCandidate } from './repo.js';
import { encodeBatch } from './steps.js';

/**
 * Writes batches of decisions with prepared statements (a run may promote tens of thousands of
 * orders: building SQL per statement would dominate). The status move and the counter changes still
 * come from the state machine and the stock rule; only the SQL is written out here. Returns the
 * function that writes one batch in one IMMEDIATE transaction (runPackScript calls it per batch).
 */
export function batchWriter(db: Db, runId: number, dryRun: boolean, actor: Actor) {
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

