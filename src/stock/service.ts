import { eq, sql } from 'drizzle-orm';
import type { Conn } from '../db/client.js';
import { products, stockLedger } from '../db/schema/index.js';
import { actorLabel, type Actor } from '../domain/actor.js';
import type { CounterDelta } from '../domain/stock.js';

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

  /** Writes the sums; the CHECK on products refuses a counter below zero. */
  apply(conn: Conn, now: Date): void {
    for (const [productId, d] of this.byProduct) {
      if (d.reserved === 0 && d.allocated === 0) continue;
      conn
        .update(products)
        .set({
          reserved: sql`${products.reserved} + ${d.reserved}`,
          allocated: sql`${products.allocated} + ${d.allocated}`,
          updatedAt: now,
        })
        .where(eq(products.id, productId))
        .run();
    }
  }
}

export type StockReason = 'stock_count' | 'shipment' | 'adjustment' | 'return';

/** Changes on_hand by `delta` and writes the ledger row in the same transaction. */
export function changeOnHand(
  conn: Conn,
  product: { id: number; sku: string; onHand: number },
  delta: number,
  change: { reason: StockReason; actor: Actor; now: Date; orderId?: number; deliveryId?: number; note?: string },
): number {
  const onHandAfter = product.onHand + delta;
  conn.update(products).set({ onHand: onHandAfter, updatedAt: change.now }).where(eq(products.id, product.id)).run();
  conn
    .insert(stockLedger)
    .values({
      productId: product.id,
      sku: product.sku,
      delta,
      onHandAfter,
      reason: change.reason,
      orderId: change.orderId ?? null,
      deliveryId: change.deliveryId ?? null,
      actor: actorLabel(change.actor),
      note: change.note ?? null,
      createdAt: change.now,
    })
    .run();
  return onHandAfter;
}
