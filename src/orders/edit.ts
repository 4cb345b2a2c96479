import { standingBookings } from '../carriers/repo.js';
import { findCustomStatus, findCustomStatusByCode } from '../custom-statuses/repo.js';
import { findDraftId } from '../shipping/repo/drafts.js';
import { deliveryParcelIds } from '../shipping/repo/deliveries.js';
import { writeTransaction, type Conn, type Db, type Tx } from '../db/client.js';
import type { Actor } from '../domain/actor.js';
import { MAX_ORDER_TOTAL, orderTotals } from '../domain/money.js';
import { canonicalStatusCode } from '../custom-statuses/schemas.js';
import { linesEditable } from '../domain/order-status.js';
import { counterDelta, stockView } from '../domain/stock.js';
import { appendOrderEvent } from '../events/repo.js';
import { findProductBySku, findProductsByIds, type ProductRow } from '../products/repo.js';
import { CounterChanges } from '../stock/writer.js';
import { AppError, fieldError } from '../errors.js';
import { insertOrderLine, listLines, type OrderLineRow, type OrderRow } from './repo/orders.js';
import {
  deleteDeliveryWithParts,
  deleteLineRow,
  deleteOrderRow,
  draftChoicesOfLine,
  dropDraftChoice,
  findLineOfOrder,
  setApproved,
  setDraftChoice,
  setLineQuantityRow,
  setOrderDetails,
  setOrderTotals,
} from './repo/edit.js';
import { loadOrder } from './service.js';
import { moveOrder } from './status-writer.js';

interface Ctx {
  actor: Actor;
  now: Date;
}

export interface DetailsPatch {
  waiting?: boolean | undefined;
  reviewed?: boolean | undefined;
  priority?: number | undefined;
  comment?: string | null | undefined;
  /** A custom status code, or null to clear it. */
  customStatus?: string | null | undefined;
  /** The shop's shipping method code, or null to clear it; refused once the order has shipped or is cancelled. */
  shippingMethod?: string | null | undefined;
  /**
   * Approves a pay-later order for packing (Settings → Pack script, approval). Only `true`: an
   * approval is not taken back (docs/decisions.md); approving an approved order changes nothing.
   */
  approved?: boolean | undefined;
}

/** Statuses in which an approval still matters: the order has not been shipped or cancelled. */
const APPROVABLE = new Set(['preorder', 'order', 'packing']);

/**
 * Waiting, reviewed, priority, comment, custom status and approval: each changed field is written
 * and listed in one event (an approval in an `approved` event of its own); an unchanged field is
 * not an event. Every path that approves an order (the order page, the list's bulk action,
 * `PATCH /api/v1/orders/:code`) comes through here.
 */
export function updateOrderDetails(db: Db, code: string, patch: DetailsPatch, ctx: Ctx): OrderRow {
  return writeTransaction(db, (tx) => {
    const order = loadOrder(tx, code);
    return applyDetails(tx, order, patch, ctx);
  });
}

function applyDetails(tx: Tx, order: OrderRow, patch: DetailsPatch, ctx: Ctx): OrderRow {
  order = approveIn(tx, order, patch.approved, ctx);
  const changes: Record<string, { from: unknown; to: unknown }> = {};
  // Every field as the order is to have it: an unchanged one is written as it is.
  const details = {
    waiting: order.waiting,
    reviewed: order.reviewed,
    priority: order.priority,
    comment: order.comment,
    customStatusId: order.customStatusId,
    shippingMethod: order.shippingMethod,
  };
  const note = <K extends 'waiting' | 'reviewed' | 'priority' | 'comment' | 'shippingMethod'>(field: K, value: OrderRow[K] | undefined) => {
    if (value === undefined || value === order[field]) return;
    changes[field] = { from: order[field], to: value };
    details[field] = value;
  };
  note('waiting', patch.waiting);
  note('reviewed', patch.reviewed);
  note('priority', patch.priority);
  note('comment', patch.comment === undefined ? undefined : patch.comment?.trim() || null);
  // Only before packing: once packed, the ready-for-pickup e-mail, the pickup shelf and a carrier's bookings follow the method.
  if (patch.shippingMethod !== undefined && patch.shippingMethod !== order.shippingMethod && order.status !== 'preorder' && order.status !== 'order')
    throw new AppError('order_not_editable', 'errors.shippingMethodClosed', { code: order.code, status: order.status }, { status: order.status });
  note('shippingMethod', patch.shippingMethod);
  if (patch.customStatus !== undefined) {
    const target = patch.customStatus === null ? null : findCustomStatusByCode(tx, canonicalStatusCode(patch.customStatus));
    if (target === undefined) throw fieldError('customStatus', 'validation.unknownCustomStatus', { code: patch.customStatus });
    if ((target?.id ?? null) !== order.customStatusId) {
      const before = findCustomStatus(tx, order.customStatusId);
      changes.customStatus = { from: before?.code ?? null, to: target?.code ?? null };
      details.customStatusId = target?.id ?? null;
    }
  }
  if (Object.keys(changes).length === 0) return order;
  const updated = setOrderDetails(tx, order.id, details, ctx.now);
  appendOrderEvent(tx, order, 'flags_changed', ctx.actor, ctx.now, { changes });
  return updated;
}

/**
 * The approval of a pay-later order: the flag the hold rule (domain/hold.ts) reads, and an
 * `approved` event. The pack script's next run (or "Check now") picks the order up.
 */
function approveIn(tx: Tx, order: OrderRow, approved: boolean | undefined, ctx: Ctx): OrderRow {
  if (approved === undefined) return order;
  if (!approved) throw fieldError('approved', 'validation.approvalIsFinal', { code: order.code });
  if (order.approved) return order;
  if (!APPROVABLE.has(order.status)) {
    throw new AppError('order_not_editable', 'errors.approvalClosed', { code: order.code, status: order.status }, { status: order.status });
  }
  const updated = setApproved(tx, order.id, ctx.now);
  appendOrderEvent(tx, order, 'approved', ctx.actor, ctx.now, { paymentMethod: order.paymentMethod, paid: order.paid });
  return updated;
}

function loadLine(conn: Conn, order: OrderRow, lineId: number): OrderLineRow {
  const line = findLineOfOrder(conn, order.id, lineId);
  if (!line) throw new AppError('line_not_found', 'errors.lineNotFound', { id: lineId, code: order.code });
  return line;
}

function assertEditable(order: OrderRow): void {
  if (!linesEditable(order.status)) {
    throw new AppError('order_not_editable', 'errors.orderNotEditable', { code: order.code, status: order.status }, { status: order.status });
  }
}

/**
 * Keeps the order's open delivery (a station's draft) within what the line will have left to ship:
 * a partial draft that chose more of the line than remains is cut down to what remains (0 drops
 * the draft's line), with an event on the order's log. Otherwise the draft would ask Report in to
 * ship units the order no longer has. Nothing is refused: the floor keeps its parcels, and a draft
 * left with nothing to ship is named at Report in (unless the whole order has nothing left: see
 * {@link shipIfNothingLeft}). A draft without chosen quantities sends all that remains at Report in
 * and needs nothing here.
 */
function clampOpenDelivery(tx: Tx, order: OrderRow, line: OrderLineRow, quantity: number, ctx: Ctx): void {
  const remaining = quantity - line.shippedQuantity;
  for (const c of draftChoicesOfLine(tx, line.id)) {
    if (c.quantity <= remaining) continue;
    if (remaining > 0) setDraftChoice(tx, c.deliveryId, line.id, remaining, ctx.now);
    else dropDraftChoice(tx, c.deliveryId, line.id, ctx.now);
    appendOrderEvent(tx, order, 'delivery_lines_clamped', ctx.actor, ctx.now, { deliveryId: c.deliveryId, sku: line.sku, from: c.quantity, to: remaining });
  }
}

/**
 * An order an edit left with every line fully shipped is done: it moves to `shipped` with the
 * `ship` move a completing delivery makes (status and its `status_changed` event, which webhooks
 * pass on). Left in packing it would stay there, as Report in has nothing to ship and only a cancel
 * would get it out; left in `order` (unpacked after a partial delivery) the pack script would pack
 * it into the same corner. The move changes no counters: every line's unshipped quantity is 0 now,
 * and the edit's own delta has already released what the reduced line held. No shipped e-mail:
 * each shipped unit had one with its delivery, and the shop made this change.
 */
function shipIfNothingLeft(tx: Tx, order: OrderRow, ctx: Ctx): OrderRow {
  if (order.status !== 'packing' && order.status !== 'order') return order;
  const lines = listLines(tx, order.id);
  const nothingLeft = lines.length > 0 && lines.every((l) => l.shippedQuantity === l.quantity) && lines.some((l) => l.shippedQuantity > 0);
  if (!nothingLeft) return order;
  discardOpenDelivery(tx, order, ctx);
  return moveOrder(tx, order, 'shipped', { actor: ctx.actor, now: ctx.now, action: 'ship', data: { reason: 'nothing_left_to_ship' } });
}

/**
 * The open delivery of an order that has nothing left to ship can never be reported: it is removed
 * (its chosen lines and parcels with it, so the parcel IDs may be used again) and the log names the
 * parcels whose labels are now void. Kept, it would hold those IDs for good on a shipped order.
 */
function discardOpenDelivery(tx: Tx, order: OrderRow, ctx: Ctx): void {
  const draftId = findDraftId(tx, order.id);
  if (draftId === undefined) return;
  // Parcels bought from a carrier are cancelled there first, which only the station's removal does
  // (carriers/booking.ts, outside any transaction): dropped here, they would stay booked and billed.
  const booked = standingBookings(tx, draftId)[0];
  if (booked)
    throw new AppError(
      'booking_in_progress',
      'errors.deliveryHasBookings',
      { code: order.code, carrier: booked.carrier, reference: booked.reference },
      { reference: booked.reference },
    );
  const parcels = deliveryParcelIds(tx, draftId);
  deleteDeliveryWithParts(tx, draftId);
  appendOrderEvent(tx, order, 'delivery_discarded', ctx.actor, ctx.now, { deliveryId: draftId, parcels });
}

/**
 * Sets one line's quantity (0 removes it) and keeps everything that depends on it in step: the
 * stock counters, the totals, the paid flag (a paid order that grows is no longer fully paid), the
 * lines version (printed pick slips go stale) and the event log. An order left with nothing to ship
 * is shipped ({@link shipIfNothingLeft}).
 */
function setLineQuantity(
  tx: Tx,
  order: OrderRow,
  line: OrderLineRow | null,
  product: ProductRow | undefined,
  quantity: number,
  ctx: Ctx,
  add?: { sku: string; name: string; unitPrice: number; vatRate: number },
) {
  assertEditable(order);
  const before = line?.quantity ?? 0;
  const shipped = line?.shippedQuantity ?? 0;
  if (quantity < shipped) {
    throw quantity === 0
      ? new AppError('line_partly_shipped', 'errors.lineShippedCannotRemove', { sku: line!.sku, shipped }, { shipped })
      : fieldError('quantity', 'validation.belowShipped', { shipped });
  }
  const delta = quantity - before;
  if (delta === 0) return order;
  if (order.status === 'packing' && delta > 0 && product?.trackStock) {
    const { available } = stockView(product);
    if (delta > available) {
      throw new AppError(
        'insufficient_stock',
        'errors.insufficientStock',
        { sku: product.sku, requested: delta, available: Math.max(available, 0) },
        { sku: product.sku, requested: delta, available },
      );
    }
  }
  const changes = new CounterChanges();
  changes.add(product?.id ?? line?.productId ?? null, counterDelta(null, order.status, delta));
  changes.apply(tx, ctx.now);

  if (line) clampOpenDelivery(tx, order, line, quantity, ctx);
  let sku: string;
  if (!line) {
    insertOrderLine(tx, { orderId: order.id, productId: product!.id, ...add!, quantity, createdAt: ctx.now });
    sku = add!.sku;
    appendOrderEvent(tx, order, 'line_added', ctx.actor, ctx.now, { sku, quantity });
  } else if (quantity === 0) {
    deleteLineRow(tx, line.id);
    sku = line.sku;
    appendOrderEvent(tx, order, 'line_removed', ctx.actor, ctx.now, { sku, quantity: before });
  } else {
    setLineQuantityRow(tx, line.id, quantity);
    sku = line.sku;
    appendOrderEvent(tx, order, 'line_changed', ctx.actor, ctx.now, { sku, from: before, to: quantity });
  }

  const totals = orderTotals(listLines(tx, order.id), order.shippingFee);
  if (!totals.ok) throw fieldError('quantity', 'validation.orderTotalTooLarge', { max: MAX_ORDER_TOTAL / 100 });
  const { subtotal, total } = totals;
  const paid = order.paidAmount > 0 ? order.paidAmount >= total : order.paid;
  const updated = setOrderTotals(
    tx,
    order.id,
    { subtotal, total, paid, paidAt: paid ? (order.paidAt ?? ctx.now) : null, linesVersion: order.linesVersion + 1 },
    ctx.now,
  );
  return shipIfNothingLeft(tx, updated, ctx);
}

/** Adds a product to the order; a product already on it gets the quantity added to its line. */
export function addLine(db: Db, code: string, input: { sku: string; quantity: number; unitPrice?: number | undefined }, ctx: Ctx): OrderRow {
  return writeTransaction(db, (tx) => {
    const order = loadOrder(tx, code);
    assertEditable(order);
    const product = findProductBySku(tx, input.sku);
    if (!product) throw fieldError('sku', 'validation.unknownSku', { sku: input.sku });
    if (product.archivedAt)
      throw new AppError(
        'product_archived',
        'errors.productArchived',
        { sku: product.sku },
        { sku: product.sku, fields: [{ path: 'sku', key: 'errors.productArchived', params: { sku: product.sku } }] },
      );
    const existing = listLines(tx, order.id).find((l) => l.sku === product.sku);
    if (existing) return setLineQuantity(tx, order, existing, product, existing.quantity + input.quantity, ctx);
    const unitPrice = input.unitPrice ?? product.price;
    if (unitPrice === null) throw fieldError('unitPrice', 'validation.priceRequired', { sku: product.sku });
    return setLineQuantity(tx, order, null, product, input.quantity, ctx, { sku: product.sku, name: product.name, unitPrice, vatRate: product.vatRate });
  });
}

export function changeLineQuantity(db: Db, code: string, lineId: number, quantity: number, ctx: Ctx): OrderRow {
  return writeTransaction(db, (tx) => {
    const order = loadOrder(tx, code);
    assertEditable(order);
    const line = loadLine(tx, order, lineId);
    const product = line.productId === null ? undefined : findProductsByIds(tx, [line.productId]).get(line.productId);
    return setLineQuantity(tx, order, line, product, quantity, ctx);
  });
}

/** Removes a line; the last line cannot go (cancel or delete the order instead). */
export function removeLine(db: Db, code: string, lineId: number, ctx: Ctx): OrderRow {
  return writeTransaction(db, (tx) => {
    const order = loadOrder(tx, code);
    assertEditable(order);
    const line = loadLine(tx, order, lineId);
    if (listLines(tx, order.id).length === 1) throw new AppError('last_line', 'errors.lastLine', { code: order.code });
    const product = line.productId === null ? undefined : findProductsByIds(tx, [line.productId]).get(line.productId);
    return setLineQuantity(tx, order, line, product, 0, ctx);
  });
}

/**
 * Deletes an order for good (admin). Its unshipped units return to the shop's stock; the event log
 * keeps everything that happened plus a tombstone row saying who deleted it and when.
 */
export function deleteOrder(db: Db, code: string, ctx: Ctx): { code: string } {
  return writeTransaction(db, (tx) => {
    const order = loadOrder(tx, code);
    const lines = listLines(tx, order.id);
    const changes = new CounterChanges();
    for (const line of lines) changes.add(line.productId, counterDelta(order.status, null, line.quantity - line.shippedQuantity));
    changes.apply(tx, ctx.now);
    appendOrderEvent(tx, order, 'deleted', ctx.actor, ctx.now, {
      status: order.status,
      total: order.total,
      customerName: order.customerName,
      lines: lines.map((l) => ({ sku: l.sku, quantity: l.quantity, shipped: l.shippedQuantity })),
    });
    deleteOrderRow(tx, order.id);
    return { code: order.code };
  });
}
