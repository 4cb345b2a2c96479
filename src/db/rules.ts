import { sql, type SQL } from 'drizzle-orm';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';
import { SHIPS_BEFORE_PAYMENT } from '../domain/order-status.js';
import type { HoldSettings } from '../domain/hold.js';

// Rules of src/domain/ that a query must apply in the database (to choose, count or sort rows it
// cannot read one by one), each written here once as a drizzle SQL fragment over the columns it
// reads. Repositories use these, never their own copy; test/integration/derived-rules.test.ts
// evaluates each against its TypeScript rule for every combination of the facts it reads.
// Values are literals, not parameters, so that SQLite can match the partial indexes written
// with the same conditions (orders_station_queue_idx: `status = 'packing' AND waiting = 0`).

/** The stock columns of `products`, or of an alias of it. */
export interface StockColumns {
  onHand: SQLiteColumn;
  allocated: SQLiteColumn;
}

/** What the pack script may still allocate: `domain/stock.ts` `stockView(…).available`. */
export function availableSql(p: StockColumns): SQL<number> {
  return sql<number>`(${p.onHand} - ${p.allocated})`;
}

/** The hold columns of `orders`, or of an alias of it. */
export interface HoldColumns {
  waiting: SQLiteColumn;
  paid: SQLiteColumn;
  approved: SQLiteColumn;
  paymentMethod: SQLiteColumn;
}

const shipsBeforePayment = sql.join(
  SHIPS_BEFORE_PAYMENT.map((m) => sql.raw(`'${m}'`)),
  sql`, `,
);

/** `domain/hold.ts` `awaitsApproval` while Settings requires approval: unpaid, unapproved, shipped before payment. */
export function awaitsApprovalSql(o: HoldColumns): SQL<boolean> {
  return sql<boolean>`(${o.paid} = 0 AND ${o.approved} = 0 AND ${o.paymentMethod} IS NOT NULL AND ${o.paymentMethod} IN (${shipsBeforePayment}))`;
}

/** `domain/hold.ts` `holdReason(…) === null`: not waiting and, when Settings requires it, not awaiting approval. */
export function notHeldSql(o: HoldColumns, settings: HoldSettings): SQL<boolean> {
  return settings.requireApproval ? sql<boolean>`(${o.waiting} = 0 AND NOT ${awaitsApprovalSql(o)})` : sql<boolean>`(${o.waiting} = 0)`;
}

/**
 * `carriers/methods.ts` `isPickup` of an order's `shipping_method` column: its own mapped method's
 * kind, else the default method's, is `pickup`.
 */
export function pickupSql(shippingMethod: SQLiteColumn): SQL<boolean> {
  return sql<boolean>`(coalesce((SELECT m.kind FROM shipping_methods m WHERE m.code = ${shippingMethod}), (SELECT m.kind FROM shipping_methods m WHERE m.is_default = 1)) = 'pickup')`;
}
