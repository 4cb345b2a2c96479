import { writeTransaction, type Conn, type Db } from '../db/client.js';
import { ordersLeftShort } from '../domain/stock.js';
import type { Actor } from '../domain/actor.js';
import { changeStatus } from '../orders/service.js';
import { packingDemandOverShelf } from './repo.js';

// Stock truth after a count: when on hand falls below what packing orders hold (a count found
// fewer, a correction took some), the orders the shelf no longer covers are named, marked on
// Outbound, and can be moved back to Order: their allocation is released, and the next pack run
// takes them again when stock comes (domain/stock.ts ordersLeftShort).

/** A packing order the shelf no longer covers, with what it misses. */
export interface ShortOrder {
  orderId: number;
  code: string;
  lines: { sku: string; short: number }[];
}

/** The packing orders left short of stock, in pick order; with `productIds`, only those touching them. */
export function shortPackingOrders(conn: Conn, productIds?: ReadonlySet<number>): ShortOrder[] {
  const rows = packingDemandOverShelf(conn);
  if (rows.length === 0) return [];
  const onHand = new Map(rows.map((r) => [r.productId, r.onHand]));
  const short = ordersLeftShort(onHand, rows);
  const skus = new Map(rows.map((r) => [r.productId, r.sku]));
  const codes = new Map(rows.map((r) => [r.orderId, r.code]));
  const out: ShortOrder[] = [];
  for (const [orderId, byProduct] of short) {
    if (productIds && ![...byProduct.keys()].some((id) => productIds.has(id))) continue;
    out.push({ orderId, code: codes.get(orderId)!, lines: [...byProduct].map(([productId, n]) => ({ sku: skus.get(productId)!, short: n })) });
  }
  return out;
}

/**
 * Moves short packing orders back to Order (the manual "unpack" move), each on its own: an order
 * that is no longer short or no longer packing is left alone. Returns the codes moved.
 */
export function unpackShortOrders(db: Db, codes: readonly string[], ctx: { actor: Actor; now: Date; currency: string }): string[] {
  // Read and moved in one transaction: goods booked in a moment ago keep an order that is covered again.
  return writeTransaction(db, (tx) => {
    const short = new Set(shortPackingOrders(tx).map((o) => o.code));
    const moved: string[] = [];
    for (const code of codes) {
      if (!short.has(code)) continue;
      changeStatus(tx, code, 'order', { ...ctx, notify: false });
      moved.push(code);
    }
    return moved;
  });
}
