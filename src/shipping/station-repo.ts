import { preparedFor, type Db } from '../db/client.js';
import type { HoldSettings } from '../domain/hold.js';
import { SHIPS_BEFORE_PAYMENT } from '../domain/order-status.js';

// Queries of packing stations: who they are, which order is open where, whose open delivery is
// whose, and the station page's compact queue. No rules here: stations.ts decides.

/** A station with the packer signed in there. */
export interface StationRow {
  id: number;
  userId: number;
  name: string;
  userName: string;
  currentOrderId: number | null;
  /** The code of the order open here, if any. */
  currentCode: string | null;
  /** When the station last acted (ms), renewed at most once a minute. */
  lastSeenAt: number;
}

/** Where an order is held by a station: open there, or its open delivery belongs there. */
export interface HolderRow {
  stationId: number;
  name: string;
  userName: string;
}

/** One row of the station's queue. */
export interface QueueRow {
  id: number;
  code: string;
  priority: number;
  customerName: string;
  shipCity: string;
  shipCountry: string;
  units: number;
  partlyShipped: number;
  /** "Bench 2 — Pia" when the order is open at a station or its open delivery belongs to one. */
  heldAt: string | null;
  heldById: number | null;
}

/** One of a station's open deliveries. */
export interface StationDraftRow {
  orderId: number;
  code: string;
  customerName: string;
  partial: number;
  parcels: number;
}

const stationSql = `SELECT s.id, s.user_id AS userId, s.name, u.name AS userName, s.current_order_id AS currentOrderId, o.code AS currentCode, s.last_seen_at AS lastSeenAt
                      FROM stations s JOIN users u ON u.id = s.user_id LEFT JOIN orders o ON o.id = s.current_order_id`;

/**
 * The approval half of the hold rule (domain/hold.ts `awaitsApproval`) in SQL, its only copy: the
 * queue is chosen and counted in the database, in its index's order and up to a cap, over tens of
 * thousands of packing orders, so it cannot be read order by order through holdReason. Used only
 * while Settings → Pack script requires approval (the statements without it are the ones below
 * with `true`); test/integration/station-queue.test.ts checks it against holdReason for every
 * combination of the facts it reads.
 */
const AWAITS_APPROVAL_SQL = `(o.paid = 0 AND o.approved = 0 AND o.payment_method IS NOT NULL AND o.payment_method IN (${SHIPS_BEFORE_PAYMENT.map((m) => `'${m}'`).join(', ')}))`;

/** The queue's statements, with or without the approval half of the hold rule (waiting is the index's own condition). */
const queueStatements = (sqlite: Db['$client'], requireApproval: boolean) => {
  const approval = requireApproval ? `AND NOT ${AWAITS_APPROVAL_SQL}` : '';
  return {
    // The queue's orders are chosen first, on the order's own columns alone, and only those few are
    // joined to their lines and stations: an index on the queue's order (packing, not waiting; by
    // priority, placed_at, id) is used when there is one, else the sort reads only these columns.
    queue: sqlite.prepare(
      `WITH top AS (SELECT o.id FROM orders o INDEXED BY orders_station_queue_idx WHERE o.status = 'packing' AND o.waiting = 0 ${approval} ORDER BY o.priority DESC, o.placed_at, o.id LIMIT ?)
       SELECT o.id, o.code, o.priority, o.customer_name AS customerName, o.ship_city AS shipCity, o.ship_country AS shipCountry,
              (SELECT coalesce(sum(l.quantity - l.shipped_quantity), 0) FROM order_lines l WHERE l.order_id = o.id) AS units,
              (SELECT count(*) FROM order_lines l WHERE l.order_id = o.id AND l.shipped_quantity > 0) AS partlyShipped,
              coalesce(
                (SELECT s.name || ' — ' || u.name FROM stations s JOIN users u ON u.id = s.user_id WHERE s.current_order_id = o.id),
                (SELECT s.name || ' — ' || u.name FROM deliveries d JOIN stations s ON s.id = d.station_id JOIN users u ON u.id = s.user_id
                  WHERE d.order_id = o.id AND d.status = 'draft')) AS heldAt,
              coalesce(
                (SELECT s.id FROM stations s WHERE s.current_order_id = o.id),
                (SELECT d.station_id FROM deliveries d WHERE d.order_id = o.id AND d.status = 'draft')) AS heldById
         FROM top JOIN orders o ON o.id = top.id
        ORDER BY o.priority DESC, o.placed_at, o.id`,
    ),
    // The queue's size, counted on its own partial index and only up to a cap: counting 20,000
    // packing orders on every scan and page costs milliseconds, and a packer reads "1,000+" as well.
    queueCount: sqlite
      .prepare(`SELECT count(*) FROM (SELECT 1 FROM orders o INDEXED BY orders_station_queue_idx WHERE o.status = 'packing' AND o.waiting = 0 ${approval} LIMIT ?)`)
      .pluck(),
  };
};
const queueAll = preparedFor((sqlite) => queueStatements(sqlite, false));
const queueApproved = preparedFor((sqlite) => queueStatements(sqlite, true));

const stmts = preparedFor((sqlite) => ({
  byName: sqlite.prepare(`${stationSql} WHERE s.user_id = ? AND s.name = ?`),
  byId: sqlite.prepare(`${stationSql} WHERE s.id = ?`),
  insert: sqlite.prepare('INSERT INTO stations (user_id, name, created_at, last_seen_at) VALUES (?, ?, ?, ?)'),
  seen: sqlite.prepare('UPDATE stations SET last_seen_at = ? WHERE id = ?'),
  openHere: sqlite.prepare('UPDATE stations SET current_order_id = ? WHERE id = ?'),
  releaseEverywhere: sqlite.prepare('UPDATE stations SET current_order_id = NULL WHERE current_order_id = ?'),
  openAt: sqlite.prepare(
    `SELECT s.id AS stationId, s.name, u.name AS userName FROM stations s JOIN users u ON u.id = s.user_id WHERE s.current_order_id = ?`,
  ),
  draftAt: sqlite.prepare(
    `SELECT s.id AS stationId, s.name, u.name AS userName
       FROM deliveries d JOIN stations s ON s.id = d.station_id JOIN users u ON u.id = s.user_id
      WHERE d.order_id = ? AND d.status = 'draft'`,
  ),
  claimDraft: sqlite.prepare("UPDATE deliveries SET station_id = ? WHERE order_id = ? AND status = 'draft'"),
  drafts: sqlite.prepare(
    `SELECT o.id AS orderId, o.code, o.customer_name AS customerName, d.partial,
            (SELECT count(*) FROM delivery_parcels p WHERE p.delivery_id = d.id) AS parcels
       FROM deliveries d JOIN orders o ON o.id = d.order_id
      WHERE d.station_id = ? AND d.status = 'draft' AND o.status = 'packing'
      ORDER BY d.id`,
  ),
  scanKey: sqlite.prepare('INSERT OR IGNORE INTO station_scan_keys (station_id, key, created_at) VALUES (?, ?, ?)'),
  pruneScanKeys: sqlite.prepare('DELETE FROM station_scan_keys WHERE created_at < ?'),
}));

export function findStationByName(db: Db, userId: number, name: string): StationRow | undefined {
  return stmts(db).byName.get(userId, name) as StationRow | undefined;
}

export function findStationById(db: Db, id: number): StationRow | undefined {
  return stmts(db).byId.get(id) as StationRow | undefined;
}

/** A new station for the user; returns its id. */
export function insertStation(db: Db, userId: number, name: string, now: Date): number {
  return Number(stmts(db).insert.run(userId, name, now.getTime(), now.getTime()).lastInsertRowid);
}

export function markStationSeen(db: Db, stationId: number, now: Date): void {
  stmts(db).seen.run(now.getTime(), stationId);
}

/** Makes `orderId` (or nothing) the order open at the station. */
export function setStationOrder(db: Db, stationId: number, orderId: number | null): void {
  stmts(db).openHere.run(orderId, stationId);
}

/** Closes the order at whichever station has it open. */
export function releaseOrderEverywhere(db: Db, orderId: number): void {
  stmts(db).releaseEverywhere.run(orderId);
}

/** The station where the order is open, if any. */
export function stationWithOrderOpen(db: Db, orderId: number): HolderRow | undefined {
  return stmts(db).openAt.get(orderId) as HolderRow | undefined;
}

/** The station the order's open delivery belongs to, if any. */
export function stationOfDraft(db: Db, orderId: number): HolderRow | undefined {
  return stmts(db).draftAt.get(orderId) as HolderRow | undefined;
}

/** Gives the order's open delivery (if it has one) to the station, or to none (`null`: Outbound's takeover). */
export function claimDraftFor(db: Db, stationId: number | null, orderId: number): void {
  stmts(db).claimDraft.run(stationId, orderId);
}

/** The station's open deliveries of packing orders, oldest first. */
export function listStationDrafts(db: Db, stationId: number): StationDraftRow[] {
  return stmts(db).drafts.all(stationId) as StationDraftRow[];
}

/** How far the queue is counted: beyond it the station says "1,000+". */
export const QUEUE_COUNT_CAP = 1000;

/**
 * The most urgent packing orders not on hold (at most `limit`), and how many there are in all up
 * to {@link QUEUE_COUNT_CAP} (`more`: there are more than that). On hold is both halves of the
 * hold rule: waiting, and awaiting approval while `hold.requireApproval` (Settings → Pack script).
 */
export function stationQueue(db: Db, limit: number, hold: HoldSettings, cap = QUEUE_COUNT_CAP): { rows: QueueRow[]; total: number; more: boolean } {
  const s = hold.requireApproval ? queueApproved(db) : queueAll(db);
  const counted = s.queueCount.get(cap + 1) as number;
  return { rows: s.queue.all(limit) as QueueRow[], total: Math.min(counted, cap), more: counted > cap };
}

/** Records a scan's key; false when the station already sent a scan with this key. */
export function recordScanKey(db: Db, stationId: number, key: string, now: Date): boolean {
  return stmts(db).scanKey.run(stationId, key, now.getTime()).changes === 1;
}

/** Forgets scan keys older than `before` (a page keeps a scan queued for minutes, not days). */
export function pruneScanKeys(db: Db, before: Date): number {
  return stmts(db).pruneScanKeys.run(before.getTime()).changes;
}
