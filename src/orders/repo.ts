import { and, asc, desc, eq, inArray, lt, or, sql, type SQL } from 'drizzle-orm';
import type { Conn } from '../db/client.js';
import { customStatuses, deliveries, deliveryLines, deliveryParcels, orderLines, orders } from '../db/schema/index.js';
import type { OrderStatus } from '../domain/order-status.js';

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
export type DeliveryWithParts = ReturnType<typeof listDeliveries>[number];

export interface OrderListFilter {
  status?: OrderStatus | undefined;
  /** Exact order codes to match (from a code typed in the search box). */
  codes?: string[];
  /** Free text: customer e-mail (exact), name or phone (prefix). */
  text?: string | undefined;
  /** Keyset: only orders with id below this. */
  beforeId?: number | undefined;
  limit: number;
}

/** A page of orders, newest first, by keyset on id (page 500 costs what page 1 does). */
export function listOrders(conn: Conn, filter: OrderListFilter) {
  const where: (SQL | undefined)[] = [];
  if (filter.status) where.push(eq(orders.status, filter.status));
  if (filter.beforeId) where.push(lt(orders.id, filter.beforeId));
  const text = filter.text?.trim();
  const matches: (SQL | undefined)[] = [];
  if (filter.codes?.length) matches.push(inArray(orders.code, filter.codes));
  if (text) {
    const prefix = `${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    matches.push(
      eq(orders.customerEmail, text.toLowerCase()),
      sql`${orders.customerName} LIKE ${prefix} ESCAPE '\\'`,
      sql`${orders.customerPhone} LIKE ${prefix} ESCAPE '\\'`,
    );
  }
  if (matches.length) where.push(or(...matches));
  const rows = conn
    .select({
      order: orders,
      customStatus: { code: customStatuses.code, label: customStatuses.label, color: customStatuses.color },
      lineCount: sql<number>`(SELECT count(*) FROM order_lines l WHERE l.order_id = "orders"."id")`,
    })
    .from(orders)
    .leftJoin(customStatuses, eq(customStatuses.id, orders.customStatusId))
    .where(and(...where))
    .orderBy(desc(orders.id))
    .limit(filter.limit + 1)
    .all();
  const hasMore = rows.length > filter.limit;
  const page = hasMore ? rows.slice(0, filter.limit) : rows;
  return { rows: page, nextCursor: hasMore ? page[page.length - 1]!.order.id : null };
}
export type OrderListRow = ReturnType<typeof listOrders>['rows'][number];
