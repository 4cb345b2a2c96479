import { preparedFor, type Tx } from '../db/client.js';
import { actorLabel, type Actor } from '../domain/actor.js';
import type { CounterDelta } from '../domain/stock.js';

/**
 * The stock writer: every change of a product's `reserved` and `allocated` counters and of its
 * `on_hand` (with its stock_ledger row) is written here and nowhere else — by order intake and
 * edits, status moves (orders/status-writer.ts), the pack script's batches, Report in and stock
 * counts. The statements are prepared once per connection: order intake, Report in and the pack
 * run write thousands of these. They stay better-sqlite3 statements, on purpose: the same
 * statements as drizzle prepared queries cost 23–39 % (counters), 10–75 % (on hand) and 68–80 %
 * (ledger) more per call (100,000 calls in a transaction, interleaved with these, two runs).
 */
const stmts = preparedFor((sqlite) => ({
  // The CHECK on products refuses a counter below zero, so a wrong delta fails instead of drifting.
  counters: sqlite.prepare<[reserved: number, allocated: number, at: number, id: number]>(
    'UPDATE products SET reserved = reserved + ?, allocated = allocated + ?, updated_at = ? WHERE id = ?',
  ),
  onHand: sqlite.prepare<[delta: number, reserved: number, allocated: number, at: number, id: number], { sku: string; onHand: number }>(
    'UPDATE products SET on_hand = on_hand + ?, reserved = reserved + ?, allocated = allocated + ?, updated_at = ? WHERE id = ? RETURNING sku, on_hand AS onHand',
  ),
  ledger: sqlite.prepare<
    [
      productId: number,
      sku: string,
      delta: number,
      onHandAfter: number,
      reason: StockReason,
      orderId: number | null,
      deliveryId: number | null,
      goodsInId: number | null,
      actor: string,
      note: string | null,
      at: number,
    ]
  >(
    'INSERT INTO stock_ledger (product_id, sku, delta, on_hand_after, reason, order_id, delivery_id, goods_in_id, actor, note, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  ),
}));

/** Adds `delta` to one product's counters. Call inside a write transaction. */
export function addToCounters(tx: Tx, productId: number, delta: CounterDelta, at: number): void {
  if (delta.reserved === 0 && delta.allocated === 0) return;
  stmts(tx).counters.run(delta.reserved, delta.allocated, at, productId);
}

/**
 * Adds up counter deltas per product and applies them. Products are keyed by id; lines whose
 * product was deleted (null) are skipped, as there is no stock left to keep in sync.
 */
export class CounterChanges {
  private readonly byProduct = new Map<number, CounterDelta>();

  add(productId: number | null, delta: CounterDelta): void {
    if (productId === null || (delta.reserved === 0 && delta.allocated === 0)) return;
    const current = this.byProduct.get(productId) ?? { reserved: 0, allocated: 0 };
    current.reserved += delta.reserved;
    current.allocated += delta.allocated;
    this.byProduct.set(productId, current);
  }

  /** Writes the sums, one UPDATE per product. Call inside a write transaction. */
  apply(tx: Tx, now: Date): void {
    const at = now.getTime();
    for (const [productId, d] of this.byProduct) addToCounters(tx, productId, d, at);
  }
}

export type StockReason = 'stock_count' | 'shipment' | 'adjustment' | 'return' | 'goods_in' | 'damaged' | 'missing';

export interface OnHandChange {
  reason: StockReason;
  actor: Actor;
  now: Date;
  orderId?: number;
  deliveryId?: number;
  /** The goods-in that received the units (its reference goes in `note`). */
  goodsInId?: number;
  note?: string;
  /** Counters that change with the shelf in the same UPDATE (shipped units stop being reserved and allocated). */
  counters?: CounterDelta;
}

/**
 * Changes on_hand by `delta` and writes its ledger row (the ledger's sum is on_hand, always).
 * Returns on_hand after, or null when the product no longer exists. Call inside a write transaction.
 */
export function changeOnHand(tx: Tx, product: { id: number }, delta: number, change: OnHandChange): number | null {
  const s = stmts(tx);
  const at = change.now.getTime();
  const after = s.onHand.get(delta, change.counters?.reserved ?? 0, change.counters?.allocated ?? 0, at, product.id);
  if (!after) return null;
  s.ledger.run(
    product.id,
    after.sku,
    delta,
    after.onHand,
    change.reason,
    change.orderId ?? null,
    change.deliveryId ?? null,
    change.goodsInId ?? null,
    actorLabel(change.actor),
    change.note ?? null,
    at,
  );
  return after.onHand;
}
