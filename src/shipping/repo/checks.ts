import { and, asc, eq, max, or, sql } from 'drizzle-orm';
import { preparedQuery, type Conn, type Tx } from '../../db/client.js';
import { deliveries, deliveryChecks, deliveryLines, orderLines, orders, products, refusedChecks, stations } from '../../db/schema/index.js';
import { isDraft, isPacking } from './conditions.js';

// Queries of scan-to-verify (checks.ts): the products a scan names, the open delivery's lines with
// what is checked, the checks themselves and the refused scans. No rules here.

const itemFields = { id: products.id, sku: products.sku, trackStock: products.trackStock, barcode: products.barcode };

const itemByBarcode = preparedQuery((conn) =>
  conn
    .select(itemFields)
    .from(products)
    .where(sql`${products.barcode} IN (SELECT value FROM json_each(${sql.placeholder('barcodes')}))`)
    .prepare(),
);

const itemBySkuOrBarcode = preparedQuery((conn) =>
  conn
    .select(itemFields)
    .from(products)
    .where(or(eq(products.sku, sql.placeholder('text')), eq(products.barcode, sql.placeholder('text'))))
    .prepare(),
);

/** A product as a check finds it: id, SKU, whether its stock is tracked, barcode. */
export type ItemRow = ReturnType<ReturnType<typeof itemByBarcode>['all']>[number];

/** The product with one of these barcodes (the same GTIN in each stored length), if any. */
export function findItemByBarcodes(conn: Conn, barcodes: readonly string[]): ItemRow | undefined {
  return itemByBarcode(conn).get({ barcodes: JSON.stringify(barcodes) });
}

/** The product whose SKU or barcode is this text, if any. */
export function findItemBySkuOrBarcode(conn: Conn, text: string): ItemRow | undefined {
  return itemBySkuOrBarcode(conn).get({ text });
}

const remaining = sql<number>`${orderLines.quantity} - ${orderLines.shippedQuantity}`;

const linesWithChecks = preparedQuery((conn) =>
  conn
    .select({
      orderLineId: orderLines.id,
      productId: orderLines.productId,
      sku: orderLines.sku,
      name: orderLines.name,
      remaining,
      quantity: sql<number>`CASE WHEN ${deliveries.partial} = 1 THEN coalesce(${deliveryLines.quantity}, 0) ELSE ${remaining} END`,
      checked: sql<number>`coalesce((SELECT sum(c.quantity) FROM ${deliveryChecks} c WHERE c.delivery_id = ${deliveries.id} AND c.order_line_id = ${orderLines.id}), 0)`,
    })
    .from(orderLines)
    .leftJoin(deliveries, and(eq(deliveries.orderId, orderLines.orderId), isDraft))
    .leftJoin(deliveryLines, and(eq(deliveryLines.deliveryId, deliveries.id), eq(deliveryLines.orderLineId, orderLines.id)))
    .where(eq(orderLines.orderId, sql.placeholder('orderId')))
    .orderBy(asc(orderLines.id))
    .prepare(),
);

/**
 * One line of the open delivery with what goes now and what is checked: `quantity` is the chosen
 * quantity of a partial delivery, else all that remains; `remaining` the units not yet shipped.
 */
export type CheckLineRow = ReturnType<ReturnType<typeof linesWithChecks>['all']>[number];

/** The order's lines, each with what goes now and the units checked into its open delivery. */
export function checkLines(conn: Conn, orderId: number): CheckLineRow[] {
  return linesWithChecks(conn).all({ orderId });
}

const checksOf = preparedQuery((conn) =>
  conn
    .select({
      id: deliveryChecks.id,
      sku: orderLines.sku,
      quantity: deliveryChecks.quantity,
      barcode: deliveryChecks.barcode,
      batch: deliveryChecks.batch,
      expiry: deliveryChecks.expiry,
      serial: deliveryChecks.serial,
      checkedBy: deliveryChecks.checkedBy,
      checkedAt: deliveryChecks.createdAt,
    })
    .from(deliveryChecks)
    .innerJoin(orderLines, eq(orderLines.id, deliveryChecks.orderLineId))
    .where(eq(deliveryChecks.deliveryId, sql.placeholder('deliveryId')))
    .orderBy(asc(deliveryChecks.id))
    .prepare(),
);

/** One check of a delivery as kept: the line's SKU, units, what the barcode said, who and when. */
export type CheckRow = ReturnType<ReturnType<typeof checksOf>['all']>[number];

/** The delivery's checks, oldest first. */
export function listChecks(conn: Conn, deliveryId: number): CheckRow[] {
  return checksOf(conn).all({ deliveryId });
}

const newCheck = preparedQuery((conn) =>
  conn
    .insert(deliveryChecks)
    .values({
      deliveryId: sql.placeholder('deliveryId'),
      orderLineId: sql.placeholder('orderLineId'),
      quantity: sql.placeholder('quantity'),
      barcode: sql.placeholder('barcode'),
      gtin: sql.placeholder('gtin'),
      batch: sql.placeholder('batch'),
      expiry: sql.placeholder('expiry'),
      serial: sql.placeholder('serial'),
      stationId: sql.placeholder('stationId'),
      checkedBy: sql.placeholder('checkedBy'),
      checkedByUserId: sql.placeholder('checkedByUserId'),
      createdAt: sql.placeholder('createdAt'),
    })
    .prepare(),
);

/** A check as written: the units of one order line counted into the delivery, with what the barcode said. */
export type NewCheck = Omit<typeof deliveryChecks.$inferInsert, 'id'> & {
  gtin: string | null;
  batch: string | null;
  expiry: string | null;
  serial: string | null;
};

/** Records a check. */
export function insertCheck(tx: Tx, check: NewCheck): void {
  newCheck(tx).run({ stationId: null, checkedByUserId: null, ...check });
}

const checkOfDelivery = preparedQuery((conn) =>
  conn
    .select({ id: deliveryChecks.id, quantity: deliveryChecks.quantity, sku: orderLines.sku })
    .from(deliveryChecks)
    .innerJoin(orderLines, eq(orderLines.id, deliveryChecks.orderLineId))
    .where(and(eq(deliveryChecks.id, sql.placeholder('checkId')), eq(deliveryChecks.deliveryId, sql.placeholder('deliveryId'))))
    .prepare(),
);

/** The check with this id on this delivery (its units and SKU), if any. */
export function findCheck(conn: Conn, checkId: number, deliveryId: number): { id: number; quantity: number; sku: string } | undefined {
  return checkOfDelivery(conn).get({ checkId, deliveryId });
}

const lastCheck = preparedQuery((conn) =>
  conn
    .select({ id: max(deliveryChecks.id) })
    .from(deliveryChecks)
    .where(eq(deliveryChecks.deliveryId, sql.placeholder('deliveryId')))
    .prepare(),
);

/** The id of the delivery's last check, or null when it has none. */
export function lastCheckId(conn: Conn, deliveryId: number): number | null {
  return lastCheck(conn).get({ deliveryId })?.id ?? null;
}

const checkRemoved = preparedQuery((conn) =>
  conn
    .delete(deliveryChecks)
    .where(eq(deliveryChecks.id, sql.placeholder('checkId')))
    .prepare(),
);

/** Deletes a check. */
export function deleteCheck(tx: Tx, checkId: number): void {
  checkRemoved(tx).run({ checkId });
}

const newRefusal = preparedQuery((conn) =>
  conn
    .insert(refusedChecks)
    .values({
      orderId: sql.placeholder('orderId'),
      barcode: sql.placeholder('barcode'),
      reason: sql.placeholder('reason'),
      userId: sql.placeholder('userId'),
      checkedBy: sql.placeholder('checkedBy'),
      createdAt: sql.placeholder('createdAt'),
    })
    .prepare(),
);

/** Keeps a refused item scan: the order (if known), the barcode, why, who and when. */
export function insertRefusedCheck(
  tx: Tx,
  refusal: { orderId: number | null; barcode: string; reason: string; userId: number | null; checkedBy: string; createdAt: Date },
): void {
  newRefusal(tx).run(refusal);
}

const otherOrderWithProduct = preparedQuery((conn) =>
  conn
    .select({ code: orders.code })
    .from(orders)
    .innerJoin(orderLines, eq(orderLines.orderId, orders.id))
    .where(
      and(
        sql`${orders.id} <> ${sql.placeholder('orderId')}`,
        isPacking,
        eq(orderLines.productId, sql.placeholder('productId')),
        sql`${orderLines.quantity} > ${orderLines.shippedQuantity}`,
        sql`(${orders.id} IN (SELECT d.order_id FROM ${deliveries} d WHERE d.station_id = ${sql.placeholder('stationId')} AND d.status = 'draft')
             OR ${orders.id} IN (SELECT current_order_id FROM ${stations} WHERE id = ${sql.placeholder('stationId')}))`,
      ),
    )
    .limit(1)
    .prepare(),
);

/** The code of another order of this station (open there, or with its open delivery there) that still needs the product, if any. */
export function otherStationOrderWith(conn: Conn, orderId: number, productId: number, stationId: number): string | undefined {
  return otherOrderWithProduct(conn).get({ orderId, productId, stationId })?.code;
}
