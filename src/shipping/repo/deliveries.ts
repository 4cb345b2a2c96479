import { and, asc, eq, sql } from 'drizzle-orm';
import { preparedQuery, type Conn, type Tx, asStored } from '../../db/client.js';
import { carrierBookings, deliveries, deliveryLines, deliveryParcels, orderLines } from '../../db/schema/index.js';
import { isDraft } from './conditions.js';

// The statements of shipping a delivery (service.ts shipDelivery), each prepared once per
// connection: Report in ships hundreds of deliveries in one go, and building SQL per statement
// would cost more than the writes.

const draftById = preparedQuery((conn) =>
  conn
    .select({ id: deliveries.id, partial: deliveries.partial })
    .from(deliveries)
    .where(and(eq(deliveries.id, sql.placeholder('draftId')), isDraft))
    .prepare(),
);

/** The open delivery with this id (and whether its quantities were chosen), if it is still open. */
export function findOpenDelivery(conn: Conn, draftId: number): { id: number; partial: boolean } | undefined {
  return draftById(conn).get({ draftId });
}

const parcelsOf = preparedQuery((conn) =>
  conn
    .select({ parcelId: deliveryParcels.parcelId })
    .from(deliveryParcels)
    .where(eq(deliveryParcels.deliveryId, sql.placeholder('deliveryId')))
    .orderBy(asc(deliveryParcels.id))
    .prepare(),
);

/** The delivery's parcel IDs, in the order they were added. */
export function deliveryParcelIds(conn: Conn, deliveryId: number): string[] {
  return parcelsOf(conn)
    .all({ deliveryId })
    .map((p) => p.parcelId);
}

// The shipped e-mail and the `delivery.reported` event read a delivery's parcels with their tracking
// page and booking in this one statement (carriers/tracking.ts makes what readers are told of them).
const parcelsWithBooking = preparedQuery((conn) =>
  conn
    .select({
      parcelId: deliveryParcels.parcelId,
      trackingUrl: deliveryParcels.trackingUrl,
      carrierKind: carrierBookings.carrierKind,
      service: carrierBookings.service,
    })
    .from(deliveryParcels)
    .leftJoin(carrierBookings, eq(carrierBookings.id, deliveryParcels.bookingId))
    .where(eq(deliveryParcels.deliveryId, sql.placeholder('deliveryId')))
    .orderBy(asc(deliveryParcels.id))
    .prepare(),
);

/** The delivery's parcels in the order they were added, each with its tracking page and its booking's carrier and service (null when not booked). */
export function deliveryParcelsWithBooking(conn: Conn, deliveryId: number) {
  return parcelsWithBooking(conn).all({ deliveryId });
}

const chosen = preparedQuery((conn) =>
  conn
    .select({ lineId: deliveryLines.orderLineId, quantity: deliveryLines.quantity })
    .from(deliveryLines)
    .where(eq(deliveryLines.deliveryId, sql.placeholder('deliveryId')))
    .prepare(),
);

/** The quantities chosen for a partial delivery, by order line id. */
export function chosenQuantities(conn: Conn, deliveryId: number): Map<number, number> {
  return new Map(
    chosen(conn)
      .all({ deliveryId })
      .map((c) => [c.lineId, c.quantity]),
  );
}

const linesOfOrder = preparedQuery((conn) =>
  conn
    .select({ id: orderLines.id, productId: orderLines.productId, sku: orderLines.sku, quantity: orderLines.quantity, shipped: orderLines.shippedQuantity })
    .from(orderLines)
    .where(eq(orderLines.orderId, sql.placeholder('orderId')))
    .orderBy(asc(orderLines.id))
    .prepare(),
);

/** The order's lines as a delivery ships them: id, product, SKU, ordered and shipped so far. */
export function linesToShip(conn: Conn, orderId: number): { id: number; productId: number | null; sku: string; quantity: number; shipped: number }[] {
  return linesOfOrder(conn).all({ orderId });
}

/** Who reported a delivery, when and from where, as written on it. */
export interface ReportFields {
  partial: boolean;
  at: Date;
  by: string;
  userId: number | null;
  stationId: number | null;
  from: string | null;
}

const reported = preparedQuery((conn) =>
  conn
    .update(deliveries)
    .set({
      status: 'reported',
      partial: asStored('partial'),
      reportedAt: asStored('at'),
      reportedBy: asStored('by'),
      reportedByUserId: asStored('userId'),
      stationId: asStored('stationId'),
      reportedFrom: asStored('from'),
      updatedAt: asStored('at'),
    })
    .where(eq(deliveries.id, sql.placeholder('deliveryId')))
    .prepare(),
);

/** Turns an open delivery into a reported one. */
export function markDeliveryReported(tx: Tx, deliveryId: number, report: ReportFields): void {
  reported(tx).run({ deliveryId, ...report, partial: report.partial ? 1 : 0, at: report.at.getTime() });
}

const newReported = preparedQuery((conn) =>
  conn
    .insert(deliveries)
    .values({
      orderId: sql.placeholder('orderId'),
      status: 'reported',
      partial: sql.placeholder('partial'),
      reportedAt: sql.placeholder('at'),
      reportedBy: sql.placeholder('by'),
      reportedByUserId: sql.placeholder('userId'),
      stationId: sql.placeholder('stationId'),
      reportedFrom: sql.placeholder('from'),
      createdAt: sql.placeholder('at'),
      updatedAt: sql.placeholder('at'),
    })
    .prepare(),
);

/** A delivery reported at once (no open delivery before it); returns its id. */
export function insertReportedDelivery(tx: Tx, orderId: number, report: ReportFields): number {
  return Number(newReported(tx).run({ orderId, ...report }).lastInsertRowid);
}

const manualParcel = preparedQuery((conn) =>
  conn
    .insert(deliveryParcels)
    .values({
      deliveryId: sql.placeholder('deliveryId'),
      parcelId: sql.placeholder('parcelId'),
      source: 'manual',
      createdBy: sql.placeholder('by'),
      createdAt: sql.placeholder('at'),
    })
    .prepare(),
);

/** Adds a parcel given with the delivery (source `manual`). */
export function insertManualParcel(tx: Tx, deliveryId: number, parcelId: string, by: string, at: Date): void {
  manualParcel(tx).run({ deliveryId, parcelId, by, at });
}

const linesCleared = preparedQuery((conn) =>
  conn
    .delete(deliveryLines)
    .where(eq(deliveryLines.deliveryId, sql.placeholder('deliveryId')))
    .prepare(),
);

/** Removes every line quantity of the delivery. */
export function clearDeliveryLines(tx: Tx, deliveryId: number): void {
  linesCleared(tx).run({ deliveryId });
}

const newLine = preparedQuery((conn) =>
  conn
    .insert(deliveryLines)
    .values({ deliveryId: sql.placeholder('deliveryId'), orderLineId: sql.placeholder('orderLineId'), quantity: sql.placeholder('quantity') })
    .prepare(),
);

/** Records how many units of an order line go in the delivery. */
export function insertDeliveryLine(tx: Tx, deliveryId: number, orderLineId: number, quantity: number): void {
  newLine(tx).run({ deliveryId, orderLineId, quantity });
}

const lineShipped = preparedQuery((conn) =>
  conn
    .update(orderLines)
    .set({ shippedQuantity: sql`${orderLines.shippedQuantity} + ${sql.placeholder('quantity')}` })
    .where(eq(orderLines.id, sql.placeholder('orderLineId')))
    .prepare(),
);

/** Adds `quantity` to the order line's shipped units. */
export function addShipped(tx: Tx, orderLineId: number, quantity: number): void {
  lineShipped(tx).run({ orderLineId, quantity });
}
