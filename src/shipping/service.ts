import { eq, inArray } from 'drizzle-orm';
import type { Conn } from '../db/client.js';
import { deliveries, deliveryLines, deliveryParcels, orderLines, orders } from '../db/schema/index.js';
import { actorLabel, type Actor } from '../domain/actor.js';
import { MAX_PARCELS_PER_DELIVERY, normalizeParcelId, parcelIdProblem } from '../domain/parcel-id.js';
import { counterDelta } from '../domain/stock.js';
import { appendOrderEvent } from '../events/repo.js';
import { applyMove } from '../orders/service.js';
import { listLines, type OrderRow } from '../orders/repo.js';
import { findProductsByIds } from '../products/repo.js';
import { changeOnHand, CounterChanges } from '../stock/service.js';
import { AppError, fieldError } from '../web/errors.js';

export interface DeliveryInput {
  parcels: string[];
  /** Quantities by order line id; omitted = everything still unshipped. */
  quantities?: Map<number, number>;
}

/**
 * Reports a delivery of a packing order in one call (the API's one-call delivery, demo data): the
 * parcels are recorded, the shipped units leave on_hand (ledger rows) and the order's counters, and
 * the order is shipped once every line is.
 */
export function reportDelivery(conn: Conn, order: OrderRow, input: DeliveryInput, ctx: { actor: Actor; now: Date }) {
  return shipDelivery(conn, order, input, ctx);
}

/**
 * Ships a delivery: a draft the station filled (its parcels, and its quantities when partial), or
 * parcels and quantities given at once. Call inside a write transaction.
 */
export function shipDelivery(conn: Conn, order: OrderRow, input: DeliveryInput | { draftId: number }, ctx: { actor: Actor; now: Date }) {
  if (order.status !== 'packing') {
    throw new AppError('order_not_packing', 'errors.deliveryNeedsPacking', { code: order.code, status: order.status });
  }
  const draft = 'draftId' in input ? conn.select().from(deliveries).where(eq(deliveries.id, input.draftId)).get()! : null;
  const parcels = draft
    ? conn.select({ parcelId: deliveryParcels.parcelId }).from(deliveryParcels).where(eq(deliveryParcels.deliveryId, draft.id)).orderBy(deliveryParcels.id).all().map((p) => p.parcelId)
    : (input as DeliveryInput).parcels.map(normalizeParcelId);
  if (parcels.length === 0) throw fieldError('parcels', 'validation.parcelRequired');
  if (parcels.length > MAX_PARCELS_PER_DELIVERY) throw fieldError('parcels', 'validation.tooManyParcels', { max: MAX_PARCELS_PER_DELIVERY });
  if (!draft) {
    parcels.forEach((p, i) => {
      const problem = parcelIdProblem(p);
      if (problem) throw fieldError(`parcels.${i}`, `validation.parcel.${problem}`, { parcelId: p });
    });
    const used = conn
      .select({ parcelId: deliveryParcels.parcelId, code: orders.code })
      .from(deliveryParcels)
      .innerJoin(deliveries, eq(deliveries.id, deliveryParcels.deliveryId))
      .innerJoin(orders, eq(orders.id, deliveries.orderId))
      .where(inArray(deliveryParcels.parcelId, parcels))
      .all();
    if (used.length) throw new AppError('parcel_in_use', 'errors.parcelOnOrder', { parcelId: used[0]!.parcelId, orderCode: used[0]!.code }, { orderCode: used[0]!.code });
    const twice = parcels.find((p, i) => parcels.indexOf(p) !== i);
    if (twice) throw fieldError('parcels', 'validation.parcelTwice', { parcelId: twice });
  }

  const lines = listLines(conn, order.id);
  let quantities = (input as DeliveryInput).quantities;
  if (draft?.partial) {
    const chosen = conn.select().from(deliveryLines).where(eq(deliveryLines.deliveryId, draft.id)).all();
    quantities = new Map(chosen.map((c) => [c.orderLineId, c.quantity]));
  }
  const shipping = lines
    .map((line) => {
      const remaining = line.quantity - line.shippedQuantity;
      const quantity = quantities ? (quantities.get(line.id) ?? 0) : remaining;
      if (quantity < 0 || quantity > remaining) {
        throw fieldError(`lines.${line.sku}`, 'validation.shipMoreThanRemaining', { sku: line.sku, remaining });
      }
      return { line, quantity };
    })
    .filter((s) => s.quantity > 0);
  if (shipping.length === 0) throw fieldError('lines', 'validation.nothingToShip');

  const reported = {
    status: 'reported' as const,
    partial: quantities !== undefined,
    reportedAt: ctx.now,
    reportedBy: actorLabel(ctx.actor),
    reportedByUserId: ctx.actor.type === 'user' ? ctx.actor.id : null,
    updatedAt: ctx.now,
  };
  const delivery = draft
    ? conn.update(deliveries).set(reported).where(eq(deliveries.id, draft.id)).returning().get()
    : conn.insert(deliveries).values({ orderId: order.id, createdAt: ctx.now, ...reported }).returning().get();
  if (!draft) {
    for (const parcelId of parcels) {
      conn.insert(deliveryParcels).values({ deliveryId: delivery.id, parcelId, source: 'manual', createdBy: actorLabel(ctx.actor), createdAt: ctx.now }).run();
    }
  }
  if (draft) conn.delete(deliveryLines).where(eq(deliveryLines.deliveryId, draft.id)).run();
  const products = findProductsByIds(
    conn,
    shipping.flatMap((s) => (s.line.productId === null ? [] : [s.line.productId])),
  );
  const changes = new CounterChanges();
  for (const { line, quantity } of shipping) {
    conn.insert(deliveryLines).values({ deliveryId: delivery.id, orderLineId: line.id, quantity }).run();
    conn.update(orderLines).set({ shippedQuantity: line.shippedQuantity + quantity }).where(eq(orderLines.id, line.id)).run();
    // Shipped units stop being reserved/allocated: they are no longer on the shelf at all.
    changes.add(line.productId, counterDelta('packing', null, quantity));
    const product = line.productId === null ? undefined : products.get(line.productId);
    if (product) changeOnHand(conn, product, -quantity, { reason: 'shipment', actor: ctx.actor, now: ctx.now, orderId: order.id, deliveryId: delivery.id });
  }
  changes.apply(conn, ctx.now);
  const shipped = shipping.map((s) => ({ sku: s.line.sku, quantity: s.quantity }));
  appendOrderEvent(conn, order, 'delivery_reported', ctx.actor, ctx.now, { deliveryId: delivery.id, parcels, lines: shipped });
  const complete = lines.every((line) => line.shippedQuantity + (shipping.find((s) => s.line.id === line.id)?.quantity ?? 0) === line.quantity);
  const updated = complete ? applyMove(conn, order, 'shipped', { actor: ctx.actor, now: ctx.now, action: 'ship' }) : order;
  return { delivery, order: updated, parcels, lines: shipped };
}
