import { and, asc, desc, eq, sql } from 'drizzle-orm';
import { preparedQuery, type Conn } from '../db/client.js';
import { orders } from '../db/schema/index.js';
import { printMarkers, type PrintMarker } from '../documents/repo.js';
import { amountDue, mayShipWithDue } from '../domain/payment-due.js';
import { shortPackingOrders } from '../stock/short.js';
import { holdReason } from '../domain/hold.js';
import { getPackSettings } from '../pack/settings.js';

/** Orders shown on Outbound and Shipping out at most; the oldest and most urgent come first. */
export const PACKING_LIST_LIMIT = 500;

const packingOrders = preparedQuery((conn) =>
  conn
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
      paid: orders.paid,
      approved: orders.approved,
      waiting: orders.waiting,
      total: orders.total,
      paidAmount: orders.paidAmount,
      currency: orders.currency,
      // What an operator let go of an unpaid order (payment-due.ts); only looked up for unpaid orders.
      released: sql<
        number | null
      >`CASE WHEN "orders"."paid" = 0 THEN (SELECT max(json_extract(e.data, '$.due')) FROM order_events e WHERE e.order_id = "orders"."id" AND e.type = 'unpaid_released') END`,
      units: sql<number>`(SELECT coalesce(sum(l.quantity - l.shipped_quantity), 0) FROM order_lines l WHERE l.order_id = "orders"."id")`,
      partlyShipped: sql<number>`(SELECT count(*) FROM order_lines l WHERE l.order_id = "orders"."id" AND l.shipped_quantity > 0)`,
    })
    .from(orders)
    .where(and(eq(orders.status, 'packing'), eq(orders.waiting, false)))
    .orderBy(desc(orders.priority), asc(orders.placedAt), asc(orders.id))
    .limit(PACKING_LIST_LIMIT + 1)
    .prepare(),
);

/**
 * Packing orders not waiting, in the order they should be picked: highest priority, then oldest.
 * A waiting order is one a person parked, left out of the list; an order awaiting approval is
 * listed, and listPackingOrdersWithPrints marks it by the hold rule (holdReason), not by SQL.
 * At most PACKING_LIST_LIMIT, and whether there were more.
 */
export function listPackingOrders(conn: Conn) {
  const rows = packingOrders(conn).all();
  return { more: rows.length > PACKING_LIST_LIMIT, orders: rows.slice(0, PACKING_LIST_LIMIT) };
}

/**
 * The packing list with what was printed for each order (Outbound; Shipping out has no use for it)
 * and why an order is on hold (`hold`, domain/hold.ts): Outbound marks it and offers no print.
 */
export function listPackingOrdersWithPrints(db: Parameters<typeof printMarkers>[0]) {
  const list = listPackingOrders(db);
  const markers = printMarkers(
    db,
    list.orders.map((r) => r.id),
  );
  const holdSettings = getPackSettings(db);
  const stockShort = new Set(shortPackingOrders(db).map((o) => o.orderId));
  return {
    ...list,
    orders: list.orders.map((r) => {
      const due = amountDue(r);
      return {
        ...r,
        hold: holdReason(r, holdSettings),
        stockShort: stockShort.has(r.id),
        printed: markers.get(r.id) ?? ([] as PrintMarker[]),
        due: due > 0 ? { due: { minor: due, currency: r.currency }, mayShip: mayShipWithDue(due, r.released) } : null,
      };
    }),
  };
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
const verifyOrder = preparedQuery((conn) =>
  conn
    .select({
      id: orders.id,
      code: orders.code,
      status: orders.status,
      waiting: orders.waiting,
      customerName: orders.customerName,
      shipCity: orders.shipCity,
      shipCountry: orders.shipCountry,
    })
    .from(orders)
    .where(eq(orders.code, sql.placeholder('code')))
    .prepare(),
);

export function findVerifyOrder(conn: Conn, code: string): VerifyOrderRow | undefined {
  return verifyOrder(conn).get({ code });
}
