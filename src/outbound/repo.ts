import { and, asc, desc, eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { orders } from '../db/schema/index.js';
import { printMarkers, type PrintMarker } from '../documents/repo.js';

/** Orders shown on Outbound and Shipping out at most; the oldest and most urgent come first. */
export const PACKING_LIST_LIMIT = 500;

/** Packing orders not on hold, in the order they should be picked: highest priority, then oldest. */
export function listPackingOrders(db: Db) {
  const rows = db
    .select({
      id: orders.id,
      code: orders.code,
      priority: orders.priority,
      customerName: orders.customerName,
      shipCity: orders.shipCity,
      shipCountry: orders.shipCountry,
      placedAt: orders.placedAt,
      comment: orders.comment,
      paymentMethod: orders.paymentMethod,
      units: sql<number>`(SELECT coalesce(sum(l.quantity - l.shipped_quantity), 0) FROM order_lines l WHERE l.order_id = "orders"."id")`,
      partlyShipped: sql<number>`(SELECT count(*) FROM order_lines l WHERE l.order_id = "orders"."id" AND l.shipped_quantity > 0)`,
    })
    .from(orders)
    .where(and(eq(orders.status, 'packing'), eq(orders.waiting, false)))
    .orderBy(desc(orders.priority), asc(orders.placedAt), asc(orders.id))
    .limit(PACKING_LIST_LIMIT + 1)
    .all();
  return { more: rows.length > PACKING_LIST_LIMIT, orders: rows.slice(0, PACKING_LIST_LIMIT) };
}

/** The packing list with what was printed for each order (Outbound; Shipping out has no use for it). */
export function listPackingOrdersWithPrints(db: Db) {
  const list = listPackingOrders(db);
  const markers = printMarkers(db, list.orders.map((r) => r.id));
  return { ...list, orders: list.orders.map((r) => ({ ...r, printed: markers.get(r.id) ?? ([] as PrintMarker[]) })) };
}

/** What the verify view names an order by. */
export interface VerifyOrderRow {
  id: number;
  code: string;
  status: string;
  waiting: boolean;
  customerName: string | null;
  shipCity: string | null;
  shipCountry: string | null;
}

/** The order the verify view is about, by its exact code. */
export function findVerifyOrder(db: Db, code: string): VerifyOrderRow | undefined {
  return db
    .select({ id: orders.id, code: orders.code, status: orders.status, waiting: orders.waiting, customerName: orders.customerName, shipCity: orders.shipCity, shipCountry: orders.shipCountry })
    .from(orders)
    .where(eq(orders.code, code))
    .get();
}
