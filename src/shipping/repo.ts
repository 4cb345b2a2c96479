import { preparedFor, type Db } from '../db/client.js';

// Queries of the station's open deliveries (drafts), their parcels and lines: no rules here; the
// rules that decide what may be written are in drafts.ts. Each function runs on the connection it
// is given, inside the caller's transaction when there is one.

/** An order as the station's writers read it by code. */
export interface StationOrderRow {
  id: number;
  code: string;
  status: string;
}

/** One order line with the open delivery it may be in and what was chosen for it. */
export interface DraftLineRow {
  orderId: number;
  code: string;
  deliveryId: number | null;
  partial: number;
  slots: number;
  sku: string;
  name: string;
  ordered: number;
  shipped: number;
  remaining: number;
  chosen: number | null;
}

/** One parcel of an open delivery. */
export interface DraftParcelRow {
  orderId: number;
  parcelId: string;
  source: string;
  createdAt: number;
}

/** An open delivery with a parcel, ready for Report in. */
export interface ReportableDraftRow {
  draftId: number;
  /** The station the open delivery belongs to (none: made through the API). */
  stationId: number | null;
  id: number;
  code: string;
  status: string;
}

/** The open delivery's lines (with what goes now) and its parcels, for the orders matched by `where`. */
const viewLinesSql = (where: string) =>
  `SELECT o.id AS orderId, o.code, d.id AS deliveryId, coalesce(d.partial, 0) AS partial, coalesce(d.parcel_slots, 1) AS slots, l.sku, l.name, l.quantity AS ordered, l.shipped_quantity AS shipped,
          l.quantity - l.shipped_quantity AS remaining, dl.quantity AS chosen
     FROM orders o JOIN order_lines l ON l.order_id = o.id
     LEFT JOIN deliveries d ON d.order_id = o.id AND d.status = 'draft'
     LEFT JOIN delivery_lines dl ON dl.delivery_id = d.id AND dl.order_line_id = l.id
    WHERE ${where} ORDER BY o.id, l.id`;
const viewParcelsSql = (where: string) =>
  `SELECT d.order_id AS orderId, p.parcel_id AS parcelId, p.source, p.created_at AS createdAt
     FROM deliveries d JOIN delivery_parcels p ON p.delivery_id = d.id
    WHERE d.status = 'draft' AND ${where} ORDER BY p.id`;

/**
 * Prepared statements of the scan path, made once per connection: adding a parcel is the station's
 * most frequent request, and building SQL for each one would cost more than the work.
 */
const stmts = preparedFor((sqlite) => {
  return {
    order: sqlite.prepare('SELECT id, code, status FROM orders WHERE code = ?'),
    draft: sqlite.prepare("SELECT id, partial FROM deliveries WHERE order_id = ? AND status = 'draft'"),
    newDraft: sqlite.prepare("INSERT INTO deliveries (order_id, status, partial, station_id, created_at, updated_at) VALUES (?, 'draft', 0, ?, ?, ?)"),
    touchDraft: sqlite.prepare('UPDATE deliveries SET updated_at = ? WHERE id = ?'),
    removeParcel: sqlite.prepare('DELETE FROM delivery_parcels WHERE delivery_id = ? AND parcel_id = ?'),
    linesOf: sqlite.prepare(viewLinesSql('o.id = ?')),
    parcelsOf: sqlite.prepare(viewParcelsSql('d.order_id = ?')),
    parcelCount: sqlite.prepare('SELECT count(*) FROM delivery_parcels WHERE delivery_id = ?').pluck(),
    parcelOwner: sqlite.prepare(
      'SELECT o.code, d.status, d.id AS deliveryId FROM delivery_parcels p JOIN deliveries d ON d.id = p.delivery_id JOIN orders o ON o.id = d.order_id WHERE p.parcel_id = ?',
    ),
    addParcel: sqlite.prepare('INSERT INTO delivery_parcels (delivery_id, parcel_id, source, created_by, created_at) VALUES (?, ?, ?, ?, ?)'),
  };
});

/** Open deliveries of many orders at once (the station lists up to 500), by order id. */
const listStmts = preparedFor((sqlite) => ({
  lines: sqlite.prepare(viewLinesSql('o.id IN (SELECT value FROM json_each(?))')),
  parcels: sqlite.prepare(viewParcelsSql('d.order_id IN (SELECT value FROM json_each(?))')),
}));

/** The order with this exact code, if any. */
export function findStationOrder(db: Db, code: string): StationOrderRow | undefined {
  return stmts(db).order.get(code) as StationOrderRow | undefined;
}

/** The order's open delivery, if it has one. */
export function findDraftId(db: Db, orderId: number): number | undefined {
  return (stmts(db).draft.get(orderId) as { id: number } | undefined)?.id;
}

/** A new, empty open delivery for the order; returns its id. */
export function insertDraft(db: Db, orderId: number, stationId: number | null, now: Date): number {
  return Number(stmts(db).newDraft.run(orderId, stationId, now.getTime(), now.getTime()).lastInsertRowid);
}

export function touchDraft(db: Db, draftId: number, now: Date): void {
  stmts(db).touchDraft.run(now.getTime(), draftId);
}

/** Takes a parcel off an open delivery; returns how many rows went (0 or 1). */
export function deleteDraftParcel(db: Db, draftId: number, parcelId: string): number {
  return stmts(db).removeParcel.run(draftId, parcelId).changes;
}

export function countDraftParcels(db: Db, draftId: number): number {
  return stmts(db).parcelCount.get(draftId) as number;
}

/** The order and delivery that already have this parcel ID, if any. */
export function findParcelOwner(db: Db, parcelId: string): { code: string; status: string; deliveryId: number } | undefined {
  return stmts(db).parcelOwner.get(parcelId) as { code: string; status: string; deliveryId: number } | undefined;
}

export function insertDraftParcel(db: Db, draftId: number, parcel: { parcelId: string; source: string; createdBy: string; createdAt: Date }): void {
  stmts(db).addParcel.run(draftId, parcel.parcelId, parcel.source, parcel.createdBy, parcel.createdAt.getTime());
}

export function setParcelSlots(db: Db, draftId: number, slots: number, now: Date): void {
  db.$client.prepare('UPDATE deliveries SET parcel_slots = ?, updated_at = ? WHERE id = ?').run(slots, now.getTime(), draftId);
}

/** Makes the open delivery partial with exactly these quantities (order line id → quantity, zeros left out). */
export function replaceDraftLines(db: Db, draftId: number, lines: { orderLineId: number; quantity: number }[], now: Date): void {
  db.$client.prepare('DELETE FROM delivery_lines WHERE delivery_id = ?').run(draftId);
  const insert = db.$client.prepare('INSERT INTO delivery_lines (delivery_id, order_line_id, quantity) VALUES (?, ?, ?)');
  for (const line of lines) if (line.quantity > 0) insert.run(draftId, line.orderLineId, line.quantity);
  db.$client.prepare('UPDATE deliveries SET partial = 1, updated_at = ? WHERE id = ?').run(now.getTime(), draftId);
}

/** One order's open-delivery rows: its lines and parcels. */
export function draftRows(db: Db, orderId: number): { lines: DraftLineRow[]; parcels: DraftParcelRow[] } {
  const s = stmts(db);
  return { lines: s.linesOf.all(orderId) as DraftLineRow[], parcels: s.parcelsOf.all(orderId) as DraftParcelRow[] };
}

/** The open-delivery rows of many orders in two queries. */
export function draftRowsOf(db: Db, orderIds: readonly number[]): { lines: DraftLineRow[]; parcels: DraftParcelRow[] } {
  // One JSON array of ids: the statements are prepared once, whatever the number of orders.
  const ids = JSON.stringify(orderIds);
  const s = listStmts(db);
  return { lines: s.lines.all(ids) as DraftLineRow[], parcels: s.parcels.all(ids) as DraftParcelRow[] };
}

/** Open deliveries of packing orders that have at least one parcel, oldest first: what Report in reports. */
export function listReportableDrafts(db: Db): ReportableDraftRow[] {
  return db.$client
    .prepare(
      `SELECT d.id AS draftId, d.station_id AS stationId, o.id, o.code, o.status FROM deliveries d JOIN orders o ON o.id = d.order_id
        WHERE d.status = 'draft' AND o.status = 'packing' AND EXISTS (SELECT 1 FROM delivery_parcels p WHERE p.delivery_id = d.id)
        ORDER BY d.id`,
    )
    .all() as ReportableDraftRow[];
}
