import { and, asc, desc, eq, sql } from 'drizzle-orm';
import { preparedQuery, type Conn } from '../db/client.js';
import { pickupSql } from '../db/rules.js';
import { orderEvents, orders } from '../db/schema/index.js';

// Statements of the pickup shelf: which packing orders wait to be collected, since when, and the
// hand-overs and reminders in their history. No rules here: pickup/service.ts decides.

// The outer order's id, named with its table: drizzle leaves the table out of a column of a
// one-table select, and a bare "id" in the subquery would be the event's own.
const orderId = sql.raw('"orders"."id"');

/** When an order became packing: its last move to packing in the history. */
const readySince = sql<number>`(SELECT max(e.created_at) FROM ${orderEvents} e WHERE e.order_id = ${orderId} AND e.type = 'status_changed' AND json_extract(e.data, '$.to') = 'packing')`;
/** The last pickup reminder sent. */
const remindedAt = sql<number | null>`(SELECT max(e.created_at) FROM ${orderEvents} e WHERE e.order_id = ${orderId} AND e.type = 'pickup_reminded')`;

const reads = preparedQuery((conn) => ({
  shelf: conn
    .select({
      id: orders.id,
      code: orders.code,
      customerName: orders.customerName,
      paymentMethod: orders.paymentMethod,
      paid: orders.paid,
      waiting: orders.waiting,
      total: orders.total,
      paidAmount: orders.paidAmount,
      currency: orders.currency,
      readySince,
      remindedAt,
    })
    .from(orders)
    .where(and(eq(orders.status, 'packing'), pickupSql(orders.shippingMethod)))
    .orderBy(asc(readySince), asc(orders.id))
    .prepare(),
  lastEvent: conn
    .select({ actorName: orderEvents.actorName, createdAt: orderEvents.createdAt })
    .from(orderEvents)
    .where(and(eq(orderEvents.orderId, sql.placeholder('orderId')), eq(orderEvents.type, sql.placeholder('type'))))
    .orderBy(desc(orderEvents.id))
    .limit(1)
    .prepare(),
}));

export type ShelfRow = ReturnType<ReturnType<typeof reads>['shelf']['all']>[number];

/** Packing orders collected in store, the longest waiting first. */
export const shelfOrders = (conn: Conn): ShelfRow[] => reads(conn).shelf.all();

/** The last event of `type` in an order's history: who and when. */
export const lastEventOf = (conn: Conn, orderId: number, type: 'picked_up' | 'pickup_reminded'): { actorName: string; createdAt: Date } | undefined =>
  reads(conn).lastEvent.get({ orderId, type });
