import { and, asc, count, eq, exists, sql, type SQL } from 'drizzle-orm';
import { isDraft, isPacking } from './conditions.js';
import { clearDeliveryLines, insertDeliveryLine } from './deliveries.js';
import { preparedQuery, type Conn, type Tx, asStored } from '../../db/client.js';
import { deliveries, deliveryLines, deliveryParcels, orderLines, orders } from '../../db/schema/index.js';

// Queries of the station's open deliveries (drafts), their parcels and lines: no rules here; the
// rules that decide what may be written are in drafts.ts. Each function runs on the connection it
// is given, inside the caller's transaction when there is one.

const orderByCode = preparedQuery((conn) =>
  conn
    .select({ id: orders.id, code: orders.code, status: orders.status, shippingMethod: orders.shippingMethod })
    .from(orders)
    .where(eq(orders.code, sql.placeholder('code')))
    .prepare(),
);

/** An order as the station's writers read it by code: its id, code, status and shipping method (a pickup order takes no parcels). */
export type StationOrderRow = ReturnType<ReturnType<typeof orderByCode>['all']>[number];

/** The order with this exact code, if any. */
export function findStationOrder(conn: Conn, code: string): StationOrderRow | undefined {
  return orderByCode(conn).get({ code });
}

const draftOfOrder = preparedQuery((conn) =>
  conn
    .select({ id: deliveries.id })
    .from(deliveries)
    .where(and(eq(deliveries.orderId, sql.placeholder('orderId')), isDraft))
    .prepare(),
);

/** The id of the order's open delivery, if it has one. */
export function findDraftId(conn: Conn, orderId: number): number | undefined {
  return draftOfOrder(conn).get({ orderId })?.id;
}

const newDraft = preparedQuery((conn) =>
  conn
    .insert(deliveries)
    .values({
      orderId: sql.placeholder('orderId'),
      status: 'draft',
      partial: false,
      stationId: sql.placeholder('stationId'),
      createdAt: sql.placeholder('now'),
      updatedAt: sql.placeholder('now'),
    })
    .prepare(),
);

/** A new, empty open delivery for the order; returns its id. */
export function insertDraft(tx: Tx, orderId: number, stationId: number | null, now: Date): number {
  return Number(newDraft(tx).run({ orderId, stationId, now }).lastInsertRowid);
}

const draftTouched = preparedQuery((conn) =>
  conn
    .update(deliveries)
    .set({ updatedAt: asStored('now') })
    .where(eq(deliveries.id, sql.placeholder('draftId')))
    .prepare(),
);

/** Marks the open delivery as changed now. */
export function touchDraft(tx: Tx, draftId: number, now: Date): void {
  draftTouched(tx).run({ draftId, now: now.getTime() });
}

const parcelOff = preparedQuery((conn) =>
  conn
    .delete(deliveryParcels)
    .where(and(eq(deliveryParcels.deliveryId, sql.placeholder('draftId')), eq(deliveryParcels.parcelId, sql.placeholder('parcelId'))))
    .prepare(),
);

/** Takes a parcel off an open delivery; returns how many rows went (0 or 1). */
export function deleteDraftParcel(tx: Tx, draftId: number, parcelId: string): number {
  return parcelOff(tx).run({ draftId, parcelId }).changes;
}

const parcelCount = preparedQuery((conn) =>
  conn
    .select({ n: count() })
    .from(deliveryParcels)
    .where(eq(deliveryParcels.deliveryId, sql.placeholder('draftId')))
    .prepare(),
);

/** How many parcels the open delivery has. */
export function countDraftParcels(conn: Conn, draftId: number): number {
  return parcelCount(conn).get({ draftId })?.n ?? 0;
}

const parcelOwner = preparedQuery((conn) =>
  conn
    .select({ code: orders.code, status: deliveries.status, deliveryId: deliveries.id })
    .from(deliveryParcels)
    .innerJoin(deliveries, eq(deliveries.id, deliveryParcels.deliveryId))
    .innerJoin(orders, eq(orders.id, deliveries.orderId))
    .where(eq(deliveryParcels.parcelId, sql.placeholder('parcelId')))
    .prepare(),
);

/** The order (its code) and delivery (status, id) that already have this parcel ID, if any. */
export function findParcelOwner(conn: Conn, parcelId: string): { code: string; status: string; deliveryId: number } | undefined {
  return parcelOwner(conn).get({ parcelId });
}

const newParcel = preparedQuery((conn) =>
  conn
    .insert(deliveryParcels)
    .values({
      deliveryId: sql.placeholder('draftId'),
      parcelId: sql.placeholder('parcelId'),
      source: sql.placeholder('source'),
      bookingId: sql.placeholder('bookingId'),
      trackingUrl: sql.placeholder('trackingUrl'),
      createdBy: sql.placeholder('createdBy'),
      createdAt: sql.placeholder('createdAt'),
    })
    .prepare(),
);

/** A parcel's carrier booking and tracking page, for a parcel booked with a carrier. */
export interface ParcelBooking {
  bookingId: number;
  trackingUrl: string | null;
}

/** Adds a parcel to the open delivery. */
export function insertDraftParcel(
  tx: Tx,
  draftId: number,
  parcel: { parcelId: string; source: string; createdBy: string; createdAt: Date },
  booking: ParcelBooking | null = null,
): void {
  newParcel(tx).run({ draftId, ...parcel, bookingId: booking?.bookingId ?? null, trackingUrl: booking?.trackingUrl ?? null });
}

const slotsSet = preparedQuery((conn) =>
  conn
    .update(deliveries)
    .set({ parcelSlots: asStored('slots'), updatedAt: asStored('now') })
    .where(eq(deliveries.id, sql.placeholder('draftId')))
    .prepare(),
);

/** Sets how many parcel slots the open delivery has. */
export function setParcelSlots(tx: Tx, draftId: number, slots: number, now: Date): void {
  slotsSet(tx).run({ draftId, slots, now: now.getTime() });
}

const madePartial = preparedQuery((conn) =>
  conn
    .update(deliveries)
    .set({ partial: true, updatedAt: asStored('now') })
    .where(eq(deliveries.id, sql.placeholder('draftId')))
    .prepare(),
);

/** Makes the open delivery partial with exactly these quantities (order line id → quantity, zeros left out). */
export function replaceDraftLines(tx: Tx, draftId: number, lines: { orderLineId: number; quantity: number }[], now: Date): void {
  clearDeliveryLines(tx, draftId);
  for (const line of lines) if (line.quantity > 0) insertDeliveryLine(tx, draftId, line.orderLineId, line.quantity);
  madePartial(tx).run({ draftId, now: now.getTime() });
}

/** The open delivery's lines (with what goes now) for the orders matched by `where`, to be prepared. */
function viewLines(conn: Conn, where: SQL) {
  return conn
    .select({
      orderId: orders.id,
      code: orders.code,
      deliveryId: deliveries.id,
      partial: sql<number>`coalesce(${deliveries.partial}, 0)`,
      slots: sql<number>`coalesce(${deliveries.parcelSlots}, 1)`,
      sku: orderLines.sku,
      name: orderLines.name,
      ordered: orderLines.quantity,
      shipped: orderLines.shippedQuantity,
      remaining: sql<number>`${orderLines.quantity} - ${orderLines.shippedQuantity}`,
      chosen: deliveryLines.quantity,
    })
    .from(orders)
    .innerJoin(orderLines, eq(orderLines.orderId, orders.id))
    .leftJoin(deliveries, and(eq(deliveries.orderId, orders.id), isDraft))
    .leftJoin(deliveryLines, and(eq(deliveryLines.deliveryId, deliveries.id), eq(deliveryLines.orderLineId, orderLines.id)))
    .where(where)
    .orderBy(asc(orders.id), asc(orderLines.id));
}

/** The open delivery's parcels for the orders matched by `where`, to be prepared. */
function viewParcels(conn: Conn, where: SQL) {
  return conn
    .select({
      orderId: deliveries.orderId,
      parcelId: deliveryParcels.parcelId,
      source: deliveryParcels.source,
      bookingId: deliveryParcels.bookingId,
      trackingUrl: deliveryParcels.trackingUrl,
      createdAt: deliveryParcels.createdAt,
    })
    .from(deliveries)
    .innerJoin(deliveryParcels, eq(deliveryParcels.deliveryId, deliveries.id))
    .where(and(isDraft, where))
    .orderBy(asc(deliveryParcels.id));
}

/**
 * Prepared statements of the scan path, made once per connection: adding a parcel is the station's
 * most frequent request, and building SQL for each one would cost more than the work.
 */
const oneOrder = preparedQuery((conn) => ({
  lines: viewLines(conn, eq(orders.id, sql.placeholder('orderId'))).prepare(),
  parcels: viewParcels(conn, eq(deliveries.orderId, sql.placeholder('orderId'))).prepare(),
}));

/** Open deliveries of many orders at once (the station lists up to 500): one JSON array of ids, so prepared once whatever the number. */
const manyOrders = preparedQuery((conn) => ({
  lines: viewLines(conn, sql`${orders.id} IN (SELECT value FROM json_each(${sql.placeholder('ids')}))`).prepare(),
  parcels: viewParcels(conn, sql`${deliveries.orderId} IN (SELECT value FROM json_each(${sql.placeholder('ids')}))`).prepare(),
}));

/** One order line with the open delivery it may be in (partial 0/1, slots) and what was chosen for it. */
export type DraftLineRow = ReturnType<ReturnType<typeof oneOrder>['lines']['all']>[number];
/** One parcel of an open delivery. */
export type DraftParcelRow = ReturnType<ReturnType<typeof oneOrder>['parcels']['all']>[number];

/** One order's open-delivery rows: its lines and parcels. */
export function draftRows(conn: Conn, orderId: number): { lines: DraftLineRow[]; parcels: DraftParcelRow[] } {
  const s = oneOrder(conn);
  return { lines: s.lines.all({ orderId }), parcels: s.parcels.all({ orderId }) };
}

/** The open-delivery rows of many orders in two queries. */
export function draftRowsOf(conn: Conn, orderIds: readonly number[]): { lines: DraftLineRow[]; parcels: DraftParcelRow[] } {
  const ids = JSON.stringify(orderIds);
  const s = manyOrders(conn);
  return { lines: s.lines.all({ ids }), parcels: s.parcels.all({ ids }) };
}

const reportable = preparedQuery((conn) =>
  conn
    .select({ draftId: deliveries.id, stationId: deliveries.stationId, id: orders.id, code: orders.code, status: orders.status })
    .from(deliveries)
    .innerJoin(orders, eq(orders.id, deliveries.orderId))
    .where(
      and(
        isDraft,
        isPacking,
        exists(
          conn
            .select({ one: sql`1` })
            .from(deliveryParcels)
            .where(eq(deliveryParcels.deliveryId, deliveries.id)),
        ),
      ),
    )
    .orderBy(asc(deliveries.id))
    .prepare(),
);

/**
 * An open delivery with a parcel, ready for Report in: the draft, the station it belongs to (none:
 * made through the API) and its order's id, code and status.
 */
export type ReportableDraftRow = ReturnType<ReturnType<typeof reportable>['all']>[number];

/** Open deliveries of packing orders that have at least one parcel, oldest first: what Report in reports. */
export function listReportableDrafts(conn: Conn): ReportableDraftRow[] {
  return reportable(conn).all();
}
