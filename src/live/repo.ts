import { and, eq, gt, lte, or, sql } from 'drizzle-orm';
import { preparedQuery, type Conn } from '../db/client.js';
import { orderEvents, orders } from '../db/schema/index.js';

// The order log as the new-orders feed reads it: one query a second while a page listens.

const statements = preparedQuery((conn) => {
  // A new order: created in status order, or a preorder checked out.
  const createdAsOrder = and(eq(orderEvents.type, 'created'), sql`json_extract(${orderEvents.data}, '$.status') = 'order'`);
  const madeAnOrder = or(eq(orderEvents.type, 'checked_out'), createdAsOrder);
  const newOrders = () =>
    conn
      .select({ id: orderEvents.id, code: orderEvents.orderCode, customerName: orders.customerName, at: orderEvents.createdAt })
      .from(orderEvents)
      .leftJoin(orders, eq(orders.id, orderEvents.orderId));
  return {
    newest: conn
      .select({ id: sql<number>`coalesce(max(${orderEvents.id}), 0)` })
      .from(orderEvents)
      .prepare(),
    after: newOrders()
      .where(and(gt(orderEvents.id, sql.placeholder('after')), madeAnOrder))
      .orderBy(orderEvents.id)
      .limit(100)
      .prepare(),
    between: newOrders()
      .where(and(gt(orderEvents.id, sql.placeholder('after')), lte(orderEvents.id, sql.placeholder('upTo')), madeAnOrder))
      .orderBy(orderEvents.id)
      .limit(100)
      .prepare(),
  };
});

/** A new order as the log has it: the log row's id, the order's code and customer, when. */
export type NewOrderRow = ReturnType<typeof newOrdersAfter>[number];

/** The newest row of the order log (0 when there is none). */
export function newestOrderEventId(conn: Conn): number {
  return statements(conn).newest.get()?.id ?? 0;
}

/** The first 100 new orders logged after the row `after`, oldest first. */
export function newOrdersAfter(conn: Conn, after: number) {
  return statements(conn).after.all({ after });
}

/** The first 100 new orders logged after the row `after` up to the row `upTo`, oldest first. */
export function newOrdersBetween(conn: Conn, after: number, upTo: number): NewOrderRow[] {
  return statements(conn).between.all({ after, upTo });
}
