import { and, asc, desc, eq, inArray, sql } from 'drizzle-orm';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';
import { preparedFor, preparedQuery, type Conn, type Tx, asStored } from '../../db/client.js';
import { carrierBookings, deliveries, deliveryLines, deliveryParcels, orderEvents, orderLines, orders, payments } from '../../db/schema/index.js';

// The order's own rows: the order, its lines, payments and deliveries as the order page and the
// API read them, and order intake's writes. Every statement is prepared once per connection
// (preparedQuery): intake and every answer about an order run them.

export type OrderRow = typeof orders.$inferSelect;
export type OrderLineRow = typeof orderLines.$inferSelect;

const orderByCode = preparedQuery((conn) =>
  conn
    .select()
    .from(orders)
    .where(eq(orders.code, sql.placeholder('code')))
    .prepare(),
);
const orderById = preparedQuery((conn) =>
  conn
    .select()
    .from(orders)
    .where(eq(orders.id, sql.placeholder('id')))
    .prepare(),
);

/** The order with this code as stored (orders/lookup.ts reads what people type), or undefined. */
export function findOrderByCode(conn: Conn, code: string): OrderRow | undefined {
  return orderByCode(conn).get({ code });
}

/** The order with this id, or undefined. */
export function findOrderById(conn: Conn, id: number): OrderRow | undefined {
  return orderById(conn).get({ id });
}

const linesOf = preparedQuery((conn) =>
  conn
    .select()
    .from(orderLines)
    .where(eq(orderLines.orderId, sql.placeholder('orderId')))
    .orderBy(asc(orderLines.id))
    .prepare(),
);

/** The lines of an order, oldest first. */
export function listLines(conn: Conn, orderId: number): OrderLineRow[] {
  return linesOf(conn).all({ orderId });
}

const deliveryReads = preparedQuery((conn) => {
  const ofOrder = conn
    .select({ id: deliveries.id })
    .from(deliveries)
    .where(eq(deliveries.orderId, sql.placeholder('orderId')));
  return {
    any: conn
      .select({ id: deliveries.id })
      .from(deliveries)
      .where(eq(deliveries.orderId, sql.placeholder('orderId')))
      .limit(1)
      .prepare(),
    deliveries: conn
      .select()
      .from(deliveries)
      .where(eq(deliveries.orderId, sql.placeholder('orderId')))
      .orderBy(asc(deliveries.id))
      .prepare(),
    // Each parcel with its booking's carrier and service (null when not booked): one read for all deliveries, none per parcel.
    parcels: conn
      .select({
        deliveryId: deliveryParcels.deliveryId,
        parcelId: deliveryParcels.parcelId,
        trackingUrl: deliveryParcels.trackingUrl,
        carrierKind: carrierBookings.carrierKind,
        service: carrierBookings.service,
      })
      .from(deliveryParcels)
      .leftJoin(carrierBookings, eq(carrierBookings.id, deliveryParcels.bookingId))
      .where(inArray(deliveryParcels.deliveryId, ofOrder))
      .orderBy(asc(deliveryParcels.id))
      .prepare(),
    lines: conn
      .select({ deliveryId: deliveryLines.deliveryId, orderLineId: deliveryLines.orderLineId, sku: orderLines.sku, quantity: deliveryLines.quantity })
      .from(deliveryLines)
      .innerJoin(orderLines, eq(orderLines.id, deliveryLines.orderLineId))
      .where(inArray(deliveryLines.deliveryId, ofOrder))
      .orderBy(asc(deliveryLines.id))
      .prepare(),
  };
});

/** Deliveries of an order with their parcels (tracking page, booking's carrier and service) and line quantities, oldest first. */
export function listDeliveries(conn: Conn, orderId: number) {
  const s = deliveryReads(conn);
  const rows = s.deliveries.all({ orderId });
  if (rows.length === 0) return [];
  const parcels = s.parcels.all({ orderId });
  const lines = s.lines.all({ orderId });
  return rows.map((d) => ({
    ...d,
    parcels: parcels.filter((p) => p.deliveryId === d.id),
    lines: lines.filter((l) => l.deliveryId === d.id),
  }));
}

/** Deliveries of an order (listDeliveries), without a query per table when it has none (a new order). */
export function deliveriesOfOrder(conn: Conn, orderId: number): ReturnType<typeof listDeliveries> {
  return deliveryReads(conn).any.get({ orderId }) === undefined ? [] : listDeliveries(conn, orderId);
}

/** What a new order is written with; the columns not named here take their defaults. */
export type NewOrder = Required<Omit<typeof orders.$inferInsert, 'id' | 'approved' | 'waiting' | 'reviewed' | 'customStatusId' | 'linesVersion'>>;

/** A new order line, as sold. */
export type NewOrderLine = Omit<typeof orderLines.$inferInsert, 'id' | 'shippedQuantity'> & { productId: number };

// What order intake reads and writes, prepared once per connection (every POST /api/v1/orders runs them).
const intakeReads = preparedQuery((conn) => ({
  codeExists: conn
    .select({ id: orders.id })
    .from(orders)
    .where(eq(orders.code, sql.placeholder('code')))
    .prepare(),
  newestCreatedAt: conn.select({ createdAt: orders.createdAt }).from(orders).orderBy(desc(orders.id)).limit(1).prepare(),
  paymentSeen: conn
    .select({ id: payments.id })
    .from(payments)
    .where(and(eq(payments.orderId, sql.placeholder('orderId')), eq(payments.reference, sql.placeholder('reference'))))
    .prepare(),
}));

const intake = preparedQuery((conn) => ({
  // The customer_search column feeds orders_fts through the orders_fts_insert trigger.
  insertOrder: conn
    .insert(orders)
    .values({
      code: sql.placeholder('code'),
      status: sql.placeholder('status'),
      paymentMethod: sql.placeholder('paymentMethod'),
      shippingMethod: sql.placeholder('shippingMethod'),
      priority: sql.placeholder('priority'),
      comment: sql.placeholder('comment'),
      currency: sql.placeholder('currency'),
      subtotal: sql.placeholder('subtotal'),
      shippingFee: sql.placeholder('shippingFee'),
      total: sql.placeholder('total'),
      paid: sql.placeholder('paid'),
      paidAmount: sql.placeholder('paidAmount'),
      paidAt: asStored('paidAt'),
      customerId: sql.placeholder('customerId'),
      customerKind: sql.placeholder('customerKind'),
      customerName: sql.placeholder('customerName'),
      customerEmail: sql.placeholder('customerEmail'),
      customerPhone: sql.placeholder('customerPhone'),
      customerPhoneKey: sql.placeholder('customerPhoneKey'),
      customerSearch: sql.placeholder('customerSearch'),
      shipLine1: sql.placeholder('shipLine1'),
      shipLine2: sql.placeholder('shipLine2'),
      shipPostalCode: sql.placeholder('shipPostalCode'),
      shipCity: sql.placeholder('shipCity'),
      shipCountry: sql.placeholder('shipCountry'),
      language: sql.placeholder('language'),
      source: sql.placeholder('source'),
      createdAt: sql.placeholder('createdAt'),
      placedAt: asStored('placedAt'),
      updatedAt: sql.placeholder('updatedAt'),
    })
    .returning()
    .prepare(),
  insertPayment: conn
    .insert(payments)
    .values({
      orderId: sql.placeholder('orderId'),
      amount: sql.placeholder('amount'),
      reference: sql.placeholder('reference'),
      actor: sql.placeholder('actor'),
      createdAt: sql.placeholder('createdAt'),
    })
    .prepare(),
  setPaid: conn
    .update(orders)
    .set({ paidAmount: asStored('paidAmount'), paid: asStored('paid'), paidAt: asStored('paidAt'), updatedAt: asStored('updatedAt') })
    .where(eq(orders.id, sql.placeholder('id')))
    .returning()
    .prepare(),
}));

/** Whether an order code is taken. */
export function orderCodeExists(conn: Conn, code: string): boolean {
  return intakeReads(conn).codeExists.get({ code }) !== undefined;
}

/**
 * The creation time of a new order: now, or the newest order's time if the clock has gone back.
 * This keeps created_at in id order, so "newest first" is simply id order and a date range is an
 * id range (orders/list.ts).
 */
export function nextCreatedAt(conn: Conn, now: Date): Date {
  const newest = intakeReads(conn).newestCreatedAt.get()?.createdAt;
  return newest !== undefined && newest.getTime() > now.getTime() ? newest : now;
}

const epochMs = (d: Date | null) => (d === null ? null : d.getTime());

/** Writes a new order and returns it as stored. */
export function insertOrder(tx: Tx, order: NewOrder): OrderRow {
  return intake(tx).insertOrder.get({ ...order, paidAt: epochMs(order.paidAt), placedAt: epochMs(order.placedAt) });
}

/**
 * A new order's line, as better-sqlite3 runs it: three a new order, over a thousand a second at
 * intake, where the drizzle statement measured +26 µs a line in a CPU profile of the intake bench (docs/decisions.md § One way to
 * the database).
 */
const insertLineRaw = preparedFor((sqlite) =>
  sqlite.prepare<[Omit<NewOrderLine, 'createdAt'> & { createdAt: number }]>(
    `INSERT INTO order_lines (order_id, product_id, sku, name, unit_price, vat_rate, quantity, created_at)
     VALUES (@orderId, @productId, @sku, @name, @unitPrice, @vatRate, @quantity, @createdAt)`,
  ),
);

/** Writes a line of a new order and returns its id. */
export function insertOrderLine(tx: Tx, line: NewOrderLine): number {
  return Number(insertLineRaw(tx).run({ ...line, createdAt: line.createdAt.getTime() }).lastInsertRowid);
}

/** Writes a payment row. */
export function insertPayment(tx: Tx, payment: { orderId: number; amount: number; reference: string | null; actor: string; at: Date }): void {
  intake(tx).insertPayment.run({ orderId: payment.orderId, amount: payment.amount, reference: payment.reference, actor: payment.actor, createdAt: payment.at });
}

/** Whether a payment with this reference was recorded on the order (a retried callback). */
export function paymentRecorded(conn: Conn, orderId: number, reference: string): boolean {
  return intakeReads(conn).paymentSeen.get({ orderId, reference }) !== undefined;
}

/** Sets what has been paid of an order and returns the order as stored. */
export function setPaidAmount(tx: Tx, orderId: number, paid: { paidAmount: number; paid: boolean; at: Date }): OrderRow {
  const at = paid.at.getTime();
  return intake(tx).setPaid.get({ id: orderId, paidAmount: paid.paidAmount, paid: paid.paid ? 1 : 0, paidAt: paid.paid ? at : null, updatedAt: at });
}

const checkoutStatement = preparedQuery((conn) =>
  conn
    .update(orders)
    .set({
      paymentMethod: asStored('paymentMethod'),
      customerId: asStored('customerId'),
      customerKind: asStored('customerKind'),
      customerName: asStored('customerName'),
      customerEmail: asStored('customerEmail'),
      customerPhone: asStored('customerPhone'),
      customerPhoneKey: asStored('customerPhoneKey'),
      customerSearch: asStored('customerSearch'),
      shipLine1: asStored('shipLine1'),
      shipLine2: asStored('shipLine2'),
      shipPostalCode: asStored('shipPostalCode'),
      shipCity: asStored('shipCity'),
      shipCountry: asStored('shipCountry'),
      language: asStored('language'),
    })
    .where(eq(orders.id, sql.placeholder('id')))
    .prepare(),
);

/** The buyer a checkout gives a preorder cart: its customer snapshot and payment method. */
export type CheckoutCustomer = Required<
  Pick<
    typeof orders.$inferInsert,
    | 'paymentMethod'
    | 'customerId'
    | 'customerKind'
    | 'customerName'
    | 'customerEmail'
    | 'customerPhone'
    | 'customerPhoneKey'
    | 'customerSearch'
    | 'shipLine1'
    | 'shipLine2'
    | 'shipPostalCode'
    | 'shipCity'
    | 'shipCountry'
    | 'language'
  >
>;

/** Writes the customer snapshot and payment method a checkout gives an order (its customer_search feeds orders_fts). */
export function setCheckoutCustomer(tx: Tx, orderId: number, customer: CheckoutCustomer): void {
  checkoutStatement(tx).run({ ...customer, id: orderId });
}

const holdAndDue = preparedQuery((conn) => {
  const due = {
    id: orders.id,
    code: orders.code,
    status: orders.status,
    paymentMethod: orders.paymentMethod,
    paid: orders.paid,
    total: orders.total,
    paidAmount: orders.paidAmount,
    currency: orders.currency,
  };
  return {
    hold: conn
      .select({ code: orders.code, waiting: orders.waiting, approved: orders.approved, paid: orders.paid, paymentMethod: orders.paymentMethod })
      .from(orders)
      .where(eq(orders.id, sql.placeholder('id')))
      .prepare(),
    dueById: conn
      .select(due)
      .from(orders)
      .where(eq(orders.id, sql.placeholder('id')))
      .prepare(),
    dueByCode: conn
      .select(due)
      .from(orders)
      .where(eq(orders.code, sql.placeholder('code')))
      .prepare(),
    released: conn
      .select({ due: sql<number | null>`max(json_extract(${orderEvents.data}, '$.due'))` })
      .from(orderEvents)
      .where(and(eq(orderEvents.orderId, sql.placeholder('orderId')), eq(orderEvents.type, 'unpaid_released')))
      .prepare(),
  };
});

/** The flags the hold rule (domain/hold.ts) reads, with the order's code; undefined: no such order. */
export function findHoldFacts(conn: Conn, orderId: number) {
  return holdAndDue(conn).hold.get({ id: orderId });
}

/** What an order owes before shipping is worked out from (orders/payment-due.ts). */
export type DueRow = NonNullable<ReturnType<typeof findDueFacts>>;

/** The money facts of an order by id; undefined: no such order. */
export function findDueFacts(conn: Conn, orderId: number) {
  return holdAndDue(conn).dueById.get({ id: orderId });
}

/** The money facts of an order by its code as stored; undefined: no such order. */
export function findDueFactsByCode(conn: Conn, code: string): DueRow | undefined {
  return holdAndDue(conn).dueByCode.get({ code });
}

/** The most an operator let go of the order's due (its `unpaid_released` events), or null. */
export function releasedDue(conn: Conn, orderId: number): number | null {
  return holdAndDue(conn).released.get({ orderId })?.due ?? null;
}

/** The customer as their latest order has them: what a manual order fills in (orders/manual.ts). */
const latestCustomer = preparedQuery((conn) => {
  // WHERE customer_name IS NOT NULL: such an order was written with its whole customer snapshot.
  const columns = {
    type: sql<'guest' | 'account'>`coalesce(${orders.customerKind}, 'guest')`,
    name: sql<string>`${orders.customerName}`,
    email: sql<string>`${orders.customerEmail}`,
    phone: orders.customerPhone,
    line1: sql<string>`${orders.shipLine1}`,
    line2: orders.shipLine2,
    postalCode: sql<string>`${orders.shipPostalCode}`,
    city: sql<string>`${orders.shipCity}`,
    country: sql<string>`${orders.shipCountry}`,
    language: orders.language,
  };
  const latest = (by: SQLiteColumn) =>
    conn
      .select(columns)
      .from(orders)
      .where(and(eq(by, sql.placeholder('key')), sql`${orders.customerName} IS NOT NULL`))
      .orderBy(desc(orders.id))
      .limit(1)
      .prepare();
  // By e-mail or by the last eight digits of the phone number, both indexed on orders.
  return { email: latest(orders.customerEmail), phone: latest(orders.customerPhoneKey) };
});

/** The customer of the newest order with this e-mail (as stored: lower case), or undefined. */
export function latestCustomerByEmail(conn: Conn, email: string) {
  return latestCustomer(conn).email.get({ key: email });
}

/** The customer of the newest order with this phone key (domain/search.ts phoneKey), or undefined. */
export function latestCustomerByPhoneKey(conn: Conn, key: string) {
  return latestCustomer(conn).phone.get({ key });
}
