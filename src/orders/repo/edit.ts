import { and, eq, sql } from 'drizzle-orm';
import { isDraft } from '../../shipping/repo/conditions.js';
import { preparedQuery, type Conn, type Tx, asStored } from '../../db/client.js';
import { deliveries, deliveryLines, deliveryParcels, orderLines, orders } from '../../db/schema/index.js';
import type { OrderLineRow, OrderRow } from './orders.js';

// The statements of editing an order (orders/edit.ts): its details and approval, its lines and
// totals, the open delivery an edit cuts down or discards, deleting it. Prepared once per connection.

const reads = preparedQuery((conn) => ({
  line: conn
    .select()
    .from(orderLines)
    .where(and(eq(orderLines.id, sql.placeholder('lineId')), eq(orderLines.orderId, sql.placeholder('orderId'))))
    .prepare(),
  draftChoices: conn
    .select({ deliveryId: deliveryLines.deliveryId, quantity: deliveryLines.quantity })
    .from(deliveryLines)
    .innerJoin(deliveries, eq(deliveries.id, deliveryLines.deliveryId))
    .where(and(eq(deliveryLines.orderLineId, sql.placeholder('lineId')), isDraft))
    .prepare(),
}));

const writes = preparedQuery((conn) => {
  const byId = eq(orders.id, sql.placeholder('id'));
  const deliveryLine = and(eq(deliveryLines.deliveryId, sql.placeholder('deliveryId')), eq(deliveryLines.orderLineId, sql.placeholder('lineId')));
  return {
    setDetails: conn
      .update(orders)
      .set({
        waiting: asStored('waiting'),
        reviewed: asStored('reviewed'),
        priority: asStored('priority'),
        comment: asStored('comment'),
        customStatusId: asStored('customStatusId'),
        shippingMethod: asStored('shippingMethod'),
        updatedAt: asStored('now'),
      })
      .where(byId)
      .returning()
      .prepare(),
    approve: conn
      .update(orders)
      .set({ approved: true, updatedAt: asStored('now') })
      .where(byId)
      .returning()
      .prepare(),
    setTotals: conn
      .update(orders)
      .set({
        subtotal: asStored('subtotal'),
        total: asStored('total'),
        paid: asStored('paid'),
        paidAt: asStored('paidAt'),
        linesVersion: asStored('linesVersion'),
        updatedAt: asStored('now'),
      })
      .where(byId)
      .returning()
      .prepare(),
    deleteOrder: conn.delete(orders).where(byId).prepare(),
    setLineQuantity: conn
      .update(orderLines)
      .set({ quantity: asStored('quantity') })
      .where(eq(orderLines.id, sql.placeholder('lineId')))
      .prepare(),
    deleteLine: conn
      .delete(orderLines)
      .where(eq(orderLines.id, sql.placeholder('lineId')))
      .prepare(),
    setChosen: conn
      .update(deliveryLines)
      .set({ quantity: asStored('quantity') })
      .where(deliveryLine)
      .prepare(),
    deleteChosen: conn.delete(deliveryLines).where(deliveryLine).prepare(),
    touchDelivery: conn
      .update(deliveries)
      .set({ updatedAt: asStored('now') })
      .where(eq(deliveries.id, sql.placeholder('deliveryId')))
      .prepare(),
    deleteParcels: conn
      .delete(deliveryParcels)
      .where(eq(deliveryParcels.deliveryId, sql.placeholder('deliveryId')))
      .prepare(),
    deleteLines: conn
      .delete(deliveryLines)
      .where(eq(deliveryLines.deliveryId, sql.placeholder('deliveryId')))
      .prepare(),
    deleteDelivery: conn
      .delete(deliveries)
      .where(eq(deliveries.id, sql.placeholder('deliveryId')))
      .prepare(),
  };
});

/** The fields of the order page's details form, as the order is to have them. */
export interface OrderDetails {
  waiting: boolean;
  reviewed: boolean;
  priority: number;
  comment: string | null;
  customStatusId: number | null;
  shippingMethod: string | null;
}

/** Writes the order's details and returns the order as stored. */
export function setOrderDetails(tx: Tx, orderId: number, details: OrderDetails, now: Date): OrderRow {
  return writes(tx).setDetails.get({ id: orderId, ...details, waiting: details.waiting ? 1 : 0, reviewed: details.reviewed ? 1 : 0, now: now.getTime() });
}

/** Sets the order's approval and returns the order as stored. */
export function setApproved(tx: Tx, orderId: number, now: Date): OrderRow {
  return writes(tx).approve.get({ id: orderId, now: now.getTime() });
}

/** Writes what a line change makes of the order (totals, paid, lines version) and returns it as stored. */
export function setOrderTotals(
  tx: Tx,
  orderId: number,
  totals: { subtotal: number; total: number; paid: boolean; paidAt: Date | null; linesVersion: number },
  now: Date,
): OrderRow {
  return writes(tx).setTotals.get({ id: orderId, ...totals, paid: totals.paid ? 1 : 0, paidAt: totals.paidAt?.getTime() ?? null, now: now.getTime() });
}

/** Deletes the order (its lines go with it: ON DELETE CASCADE). */
export function deleteOrderRow(tx: Tx, orderId: number): void {
  writes(tx).deleteOrder.run({ id: orderId });
}

/** The line `lineId` if it is one of the order's, else undefined. */
export function findLineOfOrder(conn: Conn, orderId: number, lineId: number): OrderLineRow | undefined {
  return reads(conn).line.get({ lineId, orderId });
}

/** Sets a line's quantity. */
export function setLineQuantityRow(tx: Tx, lineId: number, quantity: number): void {
  writes(tx).setLineQuantity.run({ lineId, quantity });
}

/** Deletes a line. */
export function deleteLineRow(tx: Tx, lineId: number): void {
  writes(tx).deleteLine.run({ lineId });
}

/** What open deliveries (drafts) chose of a line: the delivery and the quantity. */
export function draftChoicesOfLine(conn: Conn, lineId: number): { deliveryId: number; quantity: number }[] {
  return reads(conn).draftChoices.all({ lineId });
}

/** Sets what an open delivery chose of a line (0 is not a quantity: {@link dropDraftChoice}), and notes the delivery changed. */
export function setDraftChoice(tx: Tx, deliveryId: number, lineId: number, quantity: number, now: Date): void {
  writes(tx).setChosen.run({ deliveryId, lineId, quantity });
  writes(tx).touchDelivery.run({ deliveryId, now: now.getTime() });
}

/** Drops a line from an open delivery's choice, and notes the delivery changed. */
export function dropDraftChoice(tx: Tx, deliveryId: number, lineId: number, now: Date): void {
  writes(tx).deleteChosen.run({ deliveryId, lineId });
  writes(tx).touchDelivery.run({ deliveryId, now: now.getTime() });
}

/** Deletes a delivery with its parcels and chosen lines. */
export function deleteDeliveryWithParts(tx: Tx, deliveryId: number): void {
  const s = writes(tx);
  s.deleteParcels.run({ deliveryId });
  s.deleteLines.run({ deliveryId });
  s.deleteDelivery.run({ deliveryId });
}
