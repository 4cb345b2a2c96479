import { asc, desc, eq, inArray } from 'drizzle-orm';
import type { Conn } from '../db/client.js';
import { customStatuses, deliveries, deliveryLines, deliveryParcels, orderLines, orders } from '../db/schema/index.js';

export type OrderRow = typeof orders.$inferSelect;
export type OrderLineRow = typeof orderLines.$inferSelect;

export function findOrderByCode(conn: Conn, code: string): OrderRow | undefined {
  return conn.select().from(orders).where(eq(orders.code, code)).get();
}

export function orderCodeExists(conn: Conn, code: string): boolean {
  return conn.select({ id: orders.id }).from(orders).where(eq(orders.code, code)).get() !== undefined;
}

export function listLines(conn: Conn, orderId: number): OrderLineRow[] {
  return conn.select().from(orderLines).where(eq(orderLines.orderId, orderId)).orderBy(asc(orderLines.id)).all();
}

export function findCustomStatus(conn: Conn, id: number | null) {
  if (id === null) return null;
  return conn.select().from(customStatuses).where(eq(customStatuses.id, id)).get() ?? null;
}

/** Deliveries of an order with their parcels and line quantities, oldest first. */
export function listDeliveries(conn: Conn, orderId: number) {
  const rows = conn.select().from(deliveries).where(eq(deliveries.orderId, orderId)).orderBy(asc(deliveries.id)).all();
  if (rows.length === 0) return [];
  const ids = rows.map((d) => d.id);
  const parcels = conn.select().from(deliveryParcels).where(inArray(deliveryParcels.deliveryId, ids)).orderBy(asc(deliveryParcels.id)).all();
  const lines = conn
    .select({ deliveryId: deliveryLines.deliveryId, orderLineId: deliveryLines.orderLineId, sku: orderLines.sku, quantity: deliveryLines.quantity })
    .from(deliveryLines)
    .innerJoin(orderLines, eq(orderLines.id, deliveryLines.orderLineId))
    .where(inArray(deliveryLines.deliveryId, ids))
    .orderBy(asc(deliveryLines.id))
    .all();
  return rows.map((d) => ({
    ...d,
    parcels: parcels.filter((p) => p.deliveryId === d.id),
    lines: lines.filter((l) => l.deliveryId === d.id),
  }));
}

/**
 * The creation time of a new order: now, or the newest order's time if the clock has gone back.
 * This keeps created_at in id order, so "newest first" is simply id order and a date range is an
 * id range (orders/list.ts).
 */
export function nextCreatedAt(conn: Conn, now: Date): Date {
  const newest = conn.select({ createdAt: orders.createdAt }).from(orders).orderBy(desc(orders.id)).limit(1).get();
  return newest && newest.createdAt > now ? newest.createdAt : now;
}
