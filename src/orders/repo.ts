import { asc, eq, inArray, sql } from 'drizzle-orm';
import { preparedFor, preparedQuery, type Conn, type Db, type Tx } from '../db/client.js';
import { customStatuses, deliveries, deliveryLines, deliveryParcels, orderLines, orders } from '../db/schema/index.js';

export type OrderRow = typeof orders.$inferSelect;
export type OrderLineRow = typeof orderLines.$inferSelect;

const orderByCode = preparedQuery((conn) => conn.select().from(orders).where(eq(orders.code, sql.placeholder('code'))).prepare());

export function findOrderByCode(conn: Conn, code: string): OrderRow | undefined {
  return orderByCode(conn).get({ code });
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

/** An orders row as SQLite gives it back: times in epoch milliseconds, flags 0/1. */
interface OrderRecord extends Omit<OrderRow, 'paid' | 'approved' | 'waiting' | 'reviewed' | 'paidAt' | 'createdAt' | 'placedAt' | 'updatedAt'> {
  paid: 0 | 1;
  approved: 0 | 1;
  waiting: 0 | 1;
  reviewed: 0 | 1;
  paidAt: number | null;
  createdAt: number;
  placedAt: number | null;
  updatedAt: number;
}

/** Every column of orders under its OrderRow name, for RETURNING and SELECT of the prepared statements. */
const ORDER_COLUMNS = `id, code, status, payment_method AS paymentMethod, paid, paid_at AS paidAt, paid_amount AS paidAmount, approved, waiting, reviewed,
  priority, custom_status_id AS customStatusId, comment, currency, subtotal, shipping_fee AS shippingFee, total, customer_id AS customerId,
  customer_kind AS customerKind, customer_name AS customerName, customer_email AS customerEmail, customer_phone AS customerPhone,
  customer_phone_key AS customerPhoneKey, customer_search AS customerSearch, ship_line1 AS shipLine1, ship_line2 AS shipLine2,
  ship_postal_code AS shipPostalCode, ship_city AS shipCity, ship_country AS shipCountry, lines_version AS linesVersion, source, language,
  created_at AS createdAt, placed_at AS placedAt, updated_at AS updatedAt`;

const date = (ms: number | null) => (ms === null ? null : new Date(ms));

function toOrderRow(r: OrderRecord): OrderRow {
  return {
    ...r,
    paid: r.paid === 1,
    approved: r.approved === 1,
    waiting: r.waiting === 1,
    reviewed: r.reviewed === 1,
    paidAt: date(r.paidAt),
    createdAt: new Date(r.createdAt),
    placedAt: date(r.placedAt),
    updatedAt: new Date(r.updatedAt),
  };
}

/** What a new order is written with; the columns not named here take their defaults. */
export interface NewOrder {
  code: string;
  status: OrderRow['status'];
  paymentMethod: OrderRow['paymentMethod'];
  priority: number;
  comment: string | null;
  currency: string;
  subtotal: number;
  shippingFee: number;
  total: number;
  paid: boolean;
  paidAmount: number;
  paidAt: number | null;
  customerId: number | null;
  customerKind: OrderRow['customerKind'];
  customerName: string | null;
  customerEmail: string | null;
  customerPhone: string | null;
  customerPhoneKey: string | null;
  customerSearch: string | null;
  shipLine1: string | null;
  shipLine2: string | null;
  shipPostalCode: string | null;
  shipCity: string | null;
  shipCountry: string | null;
  language: string | null;
  source: string | null;
  createdAt: number;
  placedAt: number | null;
  updatedAt: number;
}

/** A new order line, as sold. */
export interface NewOrderLine {
  orderId: number;
  productId: number;
  sku: string;
  name: string;
  unitPrice: number;
  vatRate: number;
  quantity: number;
  createdAt: number;
}

/**
 * The statements of order intake (the API's POST /orders, checkout, payments), prepared once per
 * connection: drizzle builds and prepares its SQL on every call, which cost intake more than the
 * writes themselves.
 */
const intake = preparedFor((sqlite) => ({
  codeExists: sqlite.prepare<[string], number>('SELECT 1 FROM orders WHERE code = ?').pluck(),
  newestCreatedAt: sqlite.prepare<[], number>('SELECT created_at FROM orders ORDER BY id DESC LIMIT 1').pluck(),
  // The customer_search column feeds orders_fts through the orders_fts_insert trigger.
  insertOrder: sqlite.prepare<[Omit<NewOrder, 'paid'> & { paid: 0 | 1 }], OrderRecord>(
    `INSERT INTO orders (code, status, payment_method, priority, comment, currency, subtotal, shipping_fee, total, paid, paid_amount, paid_at, customer_id, customer_kind,
       customer_name, customer_email, customer_phone, customer_phone_key, customer_search, ship_line1, ship_line2, ship_postal_code, ship_city,
       ship_country, language, source, created_at, placed_at, updated_at)
     VALUES (@code, @status, @paymentMethod, @priority, @comment, @currency, @subtotal, @shippingFee, @total, @paid, @paidAmount, @paidAt, @customerId, @customerKind,
       @customerName, @customerEmail, @customerPhone, @customerPhoneKey, @customerSearch, @shipLine1, @shipLine2, @shipPostalCode, @shipCity,
       @shipCountry, @language, @source, @createdAt, @placedAt, @updatedAt)
     RETURNING ${ORDER_COLUMNS}`,
  ),
  insertLine: sqlite.prepare<[NewOrderLine]>(
    `INSERT INTO order_lines (order_id, product_id, sku, name, unit_price, vat_rate, quantity, created_at)
     VALUES (@orderId, @productId, @sku, @name, @unitPrice, @vatRate, @quantity, @createdAt)`,
  ),
  insertPayment: sqlite.prepare<[number, number, string | null, string, number]>('INSERT INTO payments (order_id, amount, reference, actor, created_at) VALUES (?, ?, ?, ?, ?)'),
  setPaid: sqlite.prepare<[number, 0 | 1, number | null, number, number], OrderRecord>(
    `UPDATE orders SET paid_amount = ?, paid = ?, paid_at = ?, updated_at = ? WHERE id = ? RETURNING ${ORDER_COLUMNS}`,
  ),
  paymentSeen: sqlite.prepare<[number, string], number>('SELECT 1 FROM payments WHERE order_id = ? AND reference = ?').pluck(),
}));

/** Whether an order code is taken. */
export function orderCodeExists(db: Db, code: string): boolean {
  return intake(db).codeExists.get(code) !== undefined;
}

/**
 * The creation time of a new order: now, or the newest order's time if the clock has gone back.
 * This keeps created_at in id order, so "newest first" is simply id order and a date range is an
 * id range (orders/list.ts).
 */
export function nextCreatedAt(db: Db, now: Date): Date {
  const newest = intake(db).newestCreatedAt.get();
  return newest !== undefined && newest > now.getTime() ? new Date(newest) : now;
}

/** Writes a new order and returns it as stored. Call inside a write transaction. */
export function insertOrder(tx: Tx, order: NewOrder): OrderRow {
  return toOrderRow(intake(tx).insertOrder.get({ ...order, paid: order.paid ? 1 : 0 })!);
}

/** Writes a line of a new order and returns its id. Call inside a write transaction. */
export function insertOrderLine(tx: Tx, line: NewOrderLine): number {
  return Number(intake(tx).insertLine.run(line).lastInsertRowid);
}

/** Writes a payment row. Call inside a write transaction. */
export function insertPayment(tx: Tx, payment: { orderId: number; amount: number; reference: string | null; actor: string; at: number }): void {
  intake(tx).insertPayment.run(payment.orderId, payment.amount, payment.reference, payment.actor, payment.at);
}

/** Whether a payment with this reference was recorded on the order (a retried callback). */
export function paymentRecorded(db: Db, orderId: number, reference: string): boolean {
  return intake(db).paymentSeen.get(orderId, reference) !== undefined;
}

/** Sets what has been paid of an order and returns the order as stored. Call inside a write transaction. */
export function setPaidAmount(tx: Tx, orderId: number, paid: { paidAmount: number; paid: boolean; at: number }): OrderRow {
  return toOrderRow(intake(tx).setPaid.get(paid.paidAmount, paid.paid ? 1 : 0, paid.paid ? paid.at : null, paid.at, orderId)!);
}

/** An order_lines row as SQLite gives it back. */
interface OrderLineRecord extends Omit<OrderLineRow, 'createdAt'> {
  createdAt: number;
}

// What presenting an order reads: every API answer about an order does, so prepared once per connection.
const reads = preparedFor((sqlite) => ({
  lines: sqlite.prepare<[number], OrderLineRecord>(
    `SELECT id, order_id AS orderId, product_id AS productId, sku, name, unit_price AS unitPrice, vat_rate AS vatRate, quantity,
            shipped_quantity AS shippedQuantity, created_at AS createdAt
       FROM order_lines WHERE order_id = ? ORDER BY id`,
  ),
  hasDeliveries: sqlite.prepare<[number], number>('SELECT 1 FROM deliveries WHERE order_id = ? LIMIT 1').pluck(),
}));

/** The lines of an order, oldest first (listLines with a statement prepared once). */
export function linesOfOrder(db: Db, orderId: number): OrderLineRow[] {
  return reads(db)
    .lines.all(orderId)
    .map((l) => ({ ...l, createdAt: new Date(l.createdAt) }));
}

/** Deliveries of an order (listDeliveries), without a query per table when it has none (a new order). */
export function deliveriesOfOrder(db: Db, orderId: number): ReturnType<typeof listDeliveries> {
  return reads(db).hasDeliveries.get(orderId) === undefined ? [] : listDeliveries(db, orderId);
}
