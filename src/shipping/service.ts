import { preparedFor, type Tx } from '../db/client.js';
import { actorLabel, type Actor } from '../domain/actor.js';
import type { OrderStatus } from '../domain/order-status.js';
import { MAX_PARCELS_PER_DELIVERY, normalizeParcelId, parcelIdProblem } from '../domain/parcel-id.js';
import { refuseNonParcel } from './parcel-rules.js';
import { counterDelta } from '../domain/stock.js';
import { refuseIfOnHold } from '../orders/hold.js';
import { refuseIfUnpaid } from '../orders/payment-due.js';
import { findOrderByCode, type OrderRow } from '../orders/repo.js';
import { writeMove } from '../orders/status-writer.js';
import { queueOrderMail } from '../email/queue.js';
import { logOrderEvent, type OrderEventType } from '../events/repo.js';
import { AppError, fieldError } from '../errors.js';
import { changeOnHand } from '../stock/writer.js';
import { refuseIfNotVerified } from './checks.js';
import { stationLabel } from './stations.js';

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

export interface ShippedDelivery {
  deliveryId: number;
  status: OrderStatus;
  parcels: string[];
  lines: { sku: string; quantity: number }[];
}

/**
 * The statements of a delivery, prepared once per connection: Report in ships hundreds of
 * deliveries in one go, and building SQL per statement would cost more than the writes.
 */
const stmts = preparedFor((sqlite) => {
  return {
    draft: sqlite.prepare("SELECT id, partial FROM deliveries WHERE id = ? AND status = 'draft'"),
    draftParcels: sqlite.prepare('SELECT parcel_id FROM delivery_parcels WHERE delivery_id = ? ORDER BY id').pluck(),
    chosen: sqlite.prepare('SELECT order_line_id AS lineId, quantity FROM delivery_lines WHERE delivery_id = ?'),
    lines: sqlite.prepare('SELECT id, product_id AS productId, sku, quantity, shipped_quantity AS shipped FROM order_lines WHERE order_id = ? ORDER BY id'),
    parcelOwner: sqlite.prepare('SELECT o.code FROM delivery_parcels p JOIN deliveries d ON d.id = p.delivery_id JOIN orders o ON o.id = d.order_id WHERE p.parcel_id = ?').pluck(),
    report: sqlite.prepare(
      "UPDATE deliveries SET status = 'reported', partial = ?, reported_at = ?, reported_by = ?, reported_by_user_id = ?, station_id = ?, reported_from = ?, updated_at = ? WHERE id = ?",
    ),
    insertDelivery: sqlite.prepare(
      "INSERT INTO deliveries (order_id, status, partial, reported_at, reported_by, reported_by_user_id, station_id, reported_from, created_at, updated_at) VALUES (?, 'reported', ?, ?, ?, ?, ?, ?, ?, ?)",
    ),
    insertParcel: sqlite.prepare("INSERT INTO delivery_parcels (delivery_id, parcel_id, source, created_by, created_at) VALUES (?, ?, 'manual', ?, ?)"),
    clearLines: sqlite.prepare('DELETE FROM delivery_lines WHERE delivery_id = ?'),
    insertLine: sqlite.prepare('INSERT INTO delivery_lines (delivery_id, order_line_id, quantity) VALUES (?, ?, ?)'),
    ship: sqlite.prepare('UPDATE order_lines SET shipped_quantity = shipped_quantity + ? WHERE id = ?'),
  };
});

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
export function shipDelivery(tx: Tx, order: { id: number; code: string; status: string }, input: DeliveryInput | { draftId: number }, ctx: ShipCtx): ShippedDelivery {
  if (order.status !== 'packing') {
    throw new AppError('order_not_packing', 'errors.deliveryNeedsPacking', { code: order.code, status: order.status });
  }
  // Every path that ships (Report in, the one-call API, demo data) passes here, so the hold is checked here.
  refuseIfOnHold(tx, order.id);
  refuseIfUnpaid(tx, order.id);
  const s = stmts(tx);
  const draft = 'draftId' in input ? (s.draft.get(input.draftId) as { id: number; partial: number } | undefined) : undefined;
  if ('draftId' in input && !draft) throw new AppError('conflict', 'errors.orderChangedMeanwhile', { code: order.code });
  const parcels = draft ? (s.draftParcels.all(draft.id) as string[]) : (input as DeliveryInput).parcels.map(normalizeParcelId);
  if (parcels.length === 0) throw fieldError('parcels', 'validation.parcelRequired');
  if (parcels.length > MAX_PARCELS_PER_DELIVERY) throw fieldError('parcels', 'validation.tooManyParcels', { max: MAX_PARCELS_PER_DELIVERY });
  if (!draft) {
    parcels.forEach((p, i) => {
      const problem = parcelIdProblem(p);
      if (problem) throw fieldError(`parcels.${i}`, `validation.parcel.${problem}`, { parcelId: p });
      refuseNonParcel(tx, p, 'api', `parcels.${i}`);
    });
    const twice = parcels.find((p, i) => parcels.indexOf(p) !== i);
    if (twice) throw fieldError('parcels', 'validation.parcelTwice', { parcelId: twice });
    for (const parcelId of parcels) {
      const owner = s.parcelOwner.get(parcelId) as string | undefined;
      if (owner) throw new AppError('parcel_in_use', 'errors.parcelOnOrder', { parcelId, orderCode: owner }, { orderCode: owner });
    }
  }

  const lines = s.lines.all(order.id) as { id: number; productId: number | null; sku: string; quantity: number; shipped: number }[];
  let quantities = draft ? undefined : (input as DeliveryInput).quantities;
  if (draft?.partial) quantities = new Map((s.chosen.all(draft.id) as { lineId: number; quantity: number }[]).map((c) => [c.lineId, c.quantity]));
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
  refuseIfNotVerified(tx, order, draft?.id ?? null, shipping.map((x) => ({ orderLineId: x.line.id, sku: x.line.sku, quantity: x.quantity })));

  const at = ctx.now.getTime();
  const by = actorLabel(ctx.actor);
  const userId = ctx.actor.type === 'user' ? ctx.actor.id : null;
  const partial = quantities !== undefined ? 1 : 0;
  const stationId = ctx.station?.id ?? null;
  const from = ctx.station ? stationLabel(ctx.station) : null;
  let deliveryId: number;
  if (draft) {
    deliveryId = draft.id;
    s.report.run(partial, at, by, userId, stationId, from, at, deliveryId);
    s.clearLines.run(deliveryId);
  } else {
    deliveryId = Number(s.insertDelivery.run(order.id, partial, at, by, userId, stationId, from, at, at).lastInsertRowid);
    for (const parcelId of parcels) s.insertParcel.run(deliveryId, parcelId, by, at);
  }
  for (const { line, quantity } of shipping) {
    s.insertLine.run(deliveryId, line.id, quantity);
    s.ship.run(quantity, line.id);
    if (line.productId === null) continue;
    // Shipped units leave the shelf, and stop being reserved and allocated.
    changeOnHand(tx, { id: line.productId }, -quantity, { reason: 'shipment', actor: ctx.actor, now: ctx.now, orderId: order.id, deliveryId, counters: counterDelta('packing', null, quantity) });
  }
  const shippedLines = shipping.map((x) => ({ sku: x.line.sku, quantity: x.quantity }));
  const event = (type: OrderEventType, data: Record<string, unknown>) => logOrderEvent(tx, order, type, ctx.actor, at, data);
  event('delivery_reported', { deliveryId, parcels, lines: shippedLines, ...(from && { station: from }) });
  const complete = lines.every((line) => line.shipped + (shipping.find((x) => x.line.id === line.id)?.quantity ?? 0) === line.quantity);
  let status: OrderStatus = 'packing';
  if (complete) {
    // Nothing is left unshipped, so the move changes no counters: the status and its event.
    status = writeMove(tx, { id: order.id, code: order.code, status: 'packing' }, 'shipped', { actor: ctx.actor, now: ctx.now, action: 'ship' }).to;
  }
  // Shipped in full or in part, the customer hears of it with the parcels (the shipped e-mail's mode).
  queueOrderMail(tx, order.id, 'shipped', { actor: ctx.actor, now: ctx.now, deliveryId });
  return { deliveryId, status, parcels, lines: shippedLines };
}
