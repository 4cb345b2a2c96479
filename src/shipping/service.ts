import { eq, inArray } from 'drizzle-orm';
import type { Conn } from '../db/client.js';
import { deliveries, deliveryLines, deliveryParcels, orderLines } from '../db/schema/index.js';
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
 * Reports a delivery of a packing order: the parcels are recorded, the shipped units leave
 * on_hand (ledger rows) and the order's counters, and the order is shipped once every line is.
 */
export function reportDelivery(conn: Conn, order: OrderRow, input: DeliveryInput, ctx: { actor: Actor; now: Date }) {
  if (order.status !== 'packing') {
    throw new AppError('illegal_status_move', 'errors.deliveryNeedsPacking', { code: order.code, status: order.status });
  }
  const parcels = input.parcels.map(normalizeParcelId);
  if (parcels.length === 0) throw fieldError('parcels', 'validation.parcelRequired');
  if (parcels.length > MAX_PARCELS_PER_DELIVERY) throw fieldError('parcels', 'validation.tooManyParcels', { max: MAX_PARCELS_PER_DELIVERY });
  parcels.forEach((p, i) => {
    const problem = parcelIdProblem(p);
    if (problem) throw fieldError(`parcels.${i}`, `validation.parcel.${problem}`, { parcelId: p });
  });
  const used = conn.select({ parcelId: deliveryParcels.parcelId }).from(deliveryParcels).where(inArray(deliveryParcels.parcelId, parcels)).all();
  if (used.length || new Set(parcels).size !== parcels.length) {
    throw new AppError('conflict', 'errors.parcelInUse', { parcelId: used[0]?.parcelId ?? parcels.find((p, i) => parcels.indexOf(p) !== i) });
  }

  const lines = listLines(conn, order.id);
  const shipping = lines
    .map((line) => {
      const remaining = line.quantity - line.shippedQuantity;
      const quantity = input.quantities ? (input.quantities.get(line.id) ?? 0) : remaining;
      if (quantity < 0 || quantity > remaining) {
        throw fieldError(`lines.${line.sku}`, 'validation.shipMoreThanRemaining', { sku: line.sku, remaining });
      }
      return { line, quantity };
    })
    .filter((s) => s.quantity > 0);
  if (shipping.length === 0) throw fieldError('lines', 'validation.nothingToShip');

  const delivery = conn
    .insert(deliveries)
    .values({
      orderId: order.id,
      status: 'reported',
      partial: input.quantities !== undefined,
      reportedAt: ctx.now,
      reportedBy: actorLabel(ctx.actor),
      reportedByUserId: ctx.actor.type === 'user' ? ctx.actor.id : null,
      createdAt: ctx.now,
      updatedAt: ctx.now,
    })
    .returning()
    .get();
  for (const parcelId of parcels) {
    conn.insert(deliveryParcels).values({ deliveryId: delivery.id, parcelId, source: 'manual', createdBy: actorLabel(ctx.actor), createdAt: ctx.now }).run();
  }
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
  appendOrderEvent(conn, order, 'delivery_reported', ctx.actor, ctx.now, {
    deliveryId: delivery.id,
    parcels,
    lines: shipping.map((s) => ({ sku: s.line.sku, quantity: s.quantity })),
  });
  const complete = lines.every((line) => line.shippedQuantity + (shipping.find((s) => s.line.id === line.id)?.quantity ?? 0) === line.quantity);
  const updated = complete ? applyMove(conn, order, 'shipped', { actor: ctx.actor, now: ctx.now, action: 'ship' }) : order;
  return { delivery, order: updated };
}
