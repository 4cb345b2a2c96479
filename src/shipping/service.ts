import { unsettledAttempts } from '../carriers/repo.js';
import type { Tx } from '../db/client.js';
import { actorLabel, type Actor } from '../domain/actor.js';
import type { OrderStatus } from '../domain/order-status.js';
import { MAX_PARCELS_PER_DELIVERY, normalizeParcelId, parcelIdProblem } from '../domain/parcel-id.js';
import { refuseIfPickup, refuseNonParcel } from './parcel-rules.js';
import { counterDelta } from '../domain/stock.js';
import { refuseIfOnHold } from '../orders/hold.js';
import { refuseIfUnpaid } from '../orders/payment-due.js';
import { findOrderByCode, type OrderRow } from '../orders/repo/orders.js';
import { writeMove } from '../orders/status-writer.js';
import { queueOrderMail } from '../email/queue.js';
import { logOrderEvent, type OrderEventType } from '../events/repo.js';
import { AppError, fieldError } from '../errors.js';
import { changeOnHand } from '../stock/writer.js';
import { refuseIfNotVerified } from './checks.js';
import { isPickup } from '../carriers/methods.js';
import { parcelTracking, type ParcelTracking } from '../carriers/tracking.js';
import { getEmailSettings } from '../email/settings.js';
import { stationLabel } from './stations.js';
import { findParcelOwner } from './repo/drafts.js';
import {
  addShipped,
  chosenQuantities,
  clearDeliveryLines,
  deliveryParcelIds,
  deliveryParcelsWithBooking,
  findOpenDelivery,
  insertDeliveryLine,
  insertManualParcel,
  insertReportedDelivery,
  linesToShip,
  markDeliveryReported,
} from './repo/deliveries.js';

/** Who ships: the actor, and the packing station when it is reported at one (recorded on the delivery). */
export interface ShipCtx {
  actor: Actor;
  now: Date;
  station?: { id: number; name: string; userName: string };
}

export interface DeliveryInput {
  parcels: string[];
  /** Quantities by order line id; omitted = everything still unshipped. */
  quantities?: Map<number, number>;
}

/**
 * A pickup order handed over at the counter (pickup/service.ts): everything still unshipped, no
 * parcel IDs. Refused for an order whose shipping method is not pickup in store.
 */
export interface HandOverInput {
  handOver: true;
  /**
   * The order's open delivery, when it has one: the item checks made while packing are on it, and
   * it becomes the hand-over's delivery (no second one beside it). Its quantities are not read:
   * everything still unshipped goes.
   */
  draftId?: number;
}

export interface ShippedDelivery {
  deliveryId: number;
  status: OrderStatus;
  parcels: string[];
  /** Where each parcel can be followed, and its carrier and service (the `delivery_reported` event's `tracking`). */
  tracking: ParcelTracking[];
  lines: { sku: string; quantity: number }[];
}

/**
 * Reports a delivery of a packing order in one call (the one-call API, demo data, tests) and
 * returns the order as it is after. Call inside a write transaction.
 */
export function reportDelivery(tx: Tx, order: OrderRow, input: DeliveryInput, ctx: { actor: Actor; now: Date }) {
  const shipped = shipDelivery(tx, order, input, ctx);
  return { ...shipped, order: findOrderByCode(tx, order.code)! };
}

/**
 * Ships a delivery: a draft the station filled (its parcels, and its quantities when partial), or
 * parcels and quantities given at once. The parcels are recorded, the shipped units leave on_hand
 * (ledger rows) and the order's counters, and the order is shipped once every line is. An order on
 * hold is refused (`order_on_hold`). Call inside a write transaction.
 */
export function shipDelivery(
  tx: Tx,
  order: { id: number; code: string; status: string },
  input: DeliveryInput | { draftId: number } | HandOverInput,
  ctx: ShipCtx,
): ShippedDelivery {
  const handOver = 'handOver' in input;
  if (order.status !== 'packing') {
    throw new AppError('order_not_packing', 'errors.deliveryNeedsPacking', { code: order.code, status: order.status });
  }
  // Every path that ships (Report in, the one-call API, demo data) passes here, so the hold is checked here.
  refuseIfOnHold(tx, order.id);
  refuseIfUnpaid(tx, order.id);
  const draftId = 'draftId' in input ? input.draftId : undefined;
  const draft = draftId !== undefined ? findOpenDelivery(tx, draftId) : undefined;
  if (draftId !== undefined && !draft) throw new AppError('conflict', 'errors.orderChangedMeanwhile', { code: order.code });
  // A carrier booking of this delivery in a call, or whose answer was lost, is settled first: shipped
  // now, a booking found later would have no delivery to go on (carriers/booking.ts looks it up).
  const unsettled = draft && unsettledAttempts(tx, draft.id)[0];
  if (unsettled)
    throw new AppError(
      'booking_in_progress',
      unsettled.status === 'pending' ? 'errors.bookingInProgress' : 'errors.bookingUnsettled',
      { code: order.code, reference: unsettled.reference },
      { reference: unsettled.reference },
    );
  // Parcels given at once (the one-call API, demo data) are written here, so the pickup rule is
  // checked here too (a station's drafts are checked as each parcel is added: drafts.ts addParcelIn).
  const shippingMethod = handOver || !draft ? (findOrderByCode(tx, order.code)?.shippingMethod ?? null) : null;
  // A delivery without parcel IDs is a pickup order's hand-over only: the rule is here, where deliveries are written.
  if (handOver && !isPickup(tx, shippingMethod)) {
    throw new AppError('conflict', 'errors.notPickupOrder', { code: order.code });
  }
  if (!handOver && !draft) refuseIfPickup(tx, { code: order.code, shippingMethod });
  const parcels = draft ? deliveryParcelIds(tx, draft.id) : handOver ? [] : (input as DeliveryInput).parcels.map(normalizeParcelId);
  if (handOver && parcels.length > 0) refuseIfPickup(tx, { code: order.code, shippingMethod });
  if (parcels.length === 0 && !handOver) throw fieldError('parcels', 'validation.parcelRequired');
  if (parcels.length > MAX_PARCELS_PER_DELIVERY) throw fieldError('parcels', 'validation.tooManyParcels', { max: MAX_PARCELS_PER_DELIVERY });
  if (!draft && !handOver) {
    parcels.forEach((p, i) => {
      const problem = parcelIdProblem(p);
      if (problem) throw fieldError(`parcels.${i}`, `validation.parcel.${problem}`, { parcelId: p });
      refuseNonParcel(tx, p, 'api', `parcels.${i}`);
    });
    const twice = parcels.find((p, i) => parcels.indexOf(p) !== i);
    if (twice) throw fieldError('parcels', 'validation.parcelTwice', { parcelId: twice });
    for (const parcelId of parcels) {
      const owner = findParcelOwner(tx, parcelId)?.code;
      if (owner) throw new AppError('parcel_in_use', 'errors.parcelOnOrder', { parcelId, orderCode: owner }, { orderCode: owner });
    }
  }

  const lines = linesToShip(tx, order.id);
  let quantities = draft || handOver ? undefined : (input as DeliveryInput).quantities;
  if (draft?.partial && !handOver) quantities = chosenQuantities(tx, draft.id);
  const shipping = lines
    .map((line) => {
      const remaining = line.quantity - line.shipped;
      const quantity = quantities ? (quantities.get(line.id) ?? 0) : remaining;
      if (quantity < 0 || quantity > remaining) throw fieldError(`lines.${line.sku}`, 'validation.shipMoreThanRemaining', { sku: line.sku, remaining });
      return { line, quantity };
    })
    .filter((x) => x.quantity > 0);
  if (shipping.length === 0) throw fieldError('lines', 'validation.nothingToShip');
  // Scan-to-verify: with "required", every unit going must have been checked (the rule holds on every path that ships).
  refuseIfNotVerified(
    tx,
    order,
    draft?.id ?? null,
    shipping.map((x) => ({ orderLineId: x.line.id, sku: x.line.sku, quantity: x.quantity })),
  );

  const at = ctx.now.getTime();
  const by = actorLabel(ctx.actor);
  const from = ctx.station ? stationLabel(ctx.station) : null;
  const report = {
    partial: quantities !== undefined,
    at: ctx.now,
    by,
    userId: ctx.actor.type === 'user' ? ctx.actor.id : null,
    stationId: ctx.station?.id ?? null,
    from,
  };
  let deliveryId: number;
  if (draft) {
    deliveryId = draft.id;
    markDeliveryReported(tx, deliveryId, report);
    clearDeliveryLines(tx, deliveryId);
  } else {
    deliveryId = insertReportedDelivery(tx, order.id, report);
    for (const parcelId of parcels) insertManualParcel(tx, deliveryId, parcelId, by, ctx.now);
  }
  for (const { line, quantity } of shipping) {
    insertDeliveryLine(tx, deliveryId, line.id, quantity);
    addShipped(tx, line.id, quantity);
    if (line.productId === null) continue;
    // Shipped units leave the shelf, and stop being reserved and allocated.
    changeOnHand(tx, { id: line.productId }, -quantity, {
      reason: 'shipment',
      actor: ctx.actor,
      now: ctx.now,
      orderId: order.id,
      deliveryId,
      counters: counterDelta('packing', null, quantity),
    });
  }
  const shippedLines = shipping.map((x) => ({ sku: x.line.sku, quantity: x.quantity }));
  const event = (type: OrderEventType, data: Record<string, unknown>) => logOrderEvent(tx, order, type, ctx.actor, at, data);
  // Where each parcel can be followed (the webhook's `tracking`): one read of the delivery's parcels with their bookings.
  const tracking = parcels.length > 0 ? parcelTracking(deliveryParcelsWithBooking(tx, deliveryId), getEmailSettings(tx).trackingUrl) : [];
  event('delivery_reported', { deliveryId, parcels, tracking, lines: shippedLines, ...(from && { station: from }), ...(handOver && { handOver: true }) });
  const complete = lines.every((line) => line.shipped + (shipping.find((x) => x.line.id === line.id)?.quantity ?? 0) === line.quantity);
  let status: OrderStatus = 'packing';
  if (complete) {
    // Nothing is left unshipped, so the move changes no counters: the status and its event.
    status = writeMove(tx, { id: order.id, code: order.code, status: 'packing' }, 'shipped', { actor: ctx.actor, now: ctx.now, action: 'ship' }).to;
  }
  // Shipped in full or in part, the customer hears of it with the parcels (the shipped e-mail's mode).
  // A hand-over sends none: the customer is at the counter with the goods (docs/decisions.md).
  if (!handOver) queueOrderMail(tx, order.id, 'shipped', { actor: ctx.actor, now: ctx.now, deliveryId });
  return { deliveryId, status, parcels, tracking, lines: shippedLines };
}
