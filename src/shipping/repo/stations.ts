import { and, asc, count, desc, eq, lt, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/sqlite-core';
import { isDraft, isPacking } from './conditions.js';
import { preparedQuery, type Conn, type Tx, asStored } from '../../db/client.js';
import { notHeldSql } from '../../db/rules.js';
import { deliveries, deliveryParcels, orderLines, orders, stationScanKeys, stations, users } from '../../db/schema/index.js';
import type { HoldSettings } from '../../domain/hold.js';

// Queries of packing stations: who they are, which order is open where, whose open delivery is
// whose, and the station page's compact queue. No rules here: stations.ts decides.

const currentOrder = alias(orders, 'current_order');

const stationByName = preparedQuery((conn) =>
  conn
    .select({
      id: stations.id,
      userId: stations.userId,
      name: stations.name,
      userName: users.name,
      currentOrderId: stations.currentOrderId,
      /** The code of the order open here, if any. */
      currentCode: currentOrder.code,
      /** When the station last acted, renewed at most once a minute. */
      lastSeenAt: stations.lastSeenAt,
    })
    .from(stations)
    .innerJoin(users, eq(users.id, stations.userId))
    .leftJoin(currentOrder, eq(currentOrder.id, stations.currentOrderId))
    .where(and(eq(stations.userId, sql.placeholder('userId')), eq(stations.name, sql.placeholder('name'))))
    .prepare(),
);

/** A station with the packer signed in there and the code of the order open there. */
export type StationRow = ReturnType<ReturnType<typeof stationByName>['all']>[number];

/** The station of this user and name, if it exists. */
export function findStationByName(conn: Conn, userId: number, name: string): StationRow | undefined {
  return stationByName(conn).get({ userId, name });
}

const insertStationRow = preparedQuery((conn) =>
  conn
    .insert(stations)
    .values({ userId: sql.placeholder('userId'), name: sql.placeholder('name'), createdAt: sql.placeholder('now'), lastSeenAt: sql.placeholder('now') })
    .prepare(),
);

/** A new station for the user; returns its id. */
export function insertStation(tx: Tx, userId: number, name: string, now: Date): number {
  return Number(insertStationRow(tx).run({ userId, name, now }).lastInsertRowid);
}

const stationSeen = preparedQuery((conn) =>
  conn
    .update(stations)
    .set({ lastSeenAt: asStored('now') })
    .where(eq(stations.id, sql.placeholder('stationId')))
    .prepare(),
);

/** Renews the station's last-seen time. */
export function markStationSeen(tx: Tx, stationId: number, now: Date): void {
  stationSeen(tx).run({ stationId, now: now.getTime() });
}

const openHere = preparedQuery((conn) =>
  conn
    .update(stations)
    .set({ currentOrderId: asStored('orderId') })
    .where(eq(stations.id, sql.placeholder('stationId')))
    .prepare(),
);

/** Makes `orderId` (or nothing) the order open at the station. */
export function setStationOrder(tx: Tx, stationId: number, orderId: number | null): void {
  openHere(tx).run({ stationId, orderId });
}

const releaseEverywhere = preparedQuery((conn) =>
  conn
    .update(stations)
    .set({ currentOrderId: null })
    .where(eq(stations.currentOrderId, sql.placeholder('orderId')))
    .prepare(),
);

/** Closes the order at whichever station has it open. */
export function releaseOrderEverywhere(tx: Tx, orderId: number): void {
  releaseEverywhere(tx).run({ orderId });
}

const holderFields = { stationId: stations.id, name: stations.name, userName: users.name };

const openAt = preparedQuery((conn) =>
  conn
    .select(holderFields)
    .from(stations)
    .innerJoin(users, eq(users.id, stations.userId))
    .where(eq(stations.currentOrderId, sql.placeholder('orderId')))
    .prepare(),
);

/** Where an order is held by a station (open there, or its open delivery belongs there): the station, its name and its packer's. */
export type HolderRow = ReturnType<ReturnType<typeof openAt>['all']>[number];

/** The station where the order is open, if any. */
export function stationWithOrderOpen(conn: Conn, orderId: number): HolderRow | undefined {
  return openAt(conn).get({ orderId });
}

const draftAt = preparedQuery((conn) =>
  conn
    .select(holderFields)
    .from(deliveries)
    .innerJoin(stations, eq(stations.id, deliveries.stationId))
    .innerJoin(users, eq(users.id, stations.userId))
    .where(and(eq(deliveries.orderId, sql.placeholder('orderId')), isDraft))
    .prepare(),
);

/** The station the order's open delivery belongs to, if any. */
export function stationOfDraft(conn: Conn, orderId: number): HolderRow | undefined {
  return draftAt(conn).get({ orderId });
}

const claimDraft = preparedQuery((conn) =>
  conn
    .update(deliveries)
    .set({ stationId: asStored('stationId') })
    .where(and(eq(deliveries.orderId, sql.placeholder('orderId')), isDraft))
    .prepare(),
);

/** Gives the order's open delivery (if it has one) to the station, or to none (`null`: Outbound's takeover). */
export function claimDraftFor(tx: Tx, stationId: number | null, orderId: number): void {
  claimDraft(tx).run({ stationId, orderId });
}

const draftsOfStation = preparedQuery((conn) =>
  conn
    .select({
      orderId: orders.id,
      code: orders.code,
      customerName: orders.customerName,
      partial: deliveries.partial,
      parcels: sql<number>`(SELECT count(*) FROM ${deliveryParcels} WHERE ${deliveryParcels.deliveryId} = ${deliveries.id})`,
    })
    .from(deliveries)
    .innerJoin(orders, eq(orders.id, deliveries.orderId))
    .where(and(eq(deliveries.stationId, sql.placeholder('stationId')), isDraft, isPacking))
    .orderBy(asc(deliveries.id))
    .prepare(),
);

/** One of a station's open deliveries: its order, whether quantities were chosen, how many parcels. */
export type StationDraftRow = ReturnType<ReturnType<typeof draftsOfStation>['all']>[number];

/** The station's open deliveries of packing orders, oldest first. */
export function listStationDrafts(conn: Conn, stationId: number): StationDraftRow[] {
  return draftsOfStation(conn).all({ stationId });
}

/** The queue's orders, chosen under an alias: the table comes in through sql`` to carry its INDEXED BY. */
const o = alias(orders, 'o');

/**
 * The queue's candidates: packing and not on hold (db/rules.ts `notHeldSql`: not waiting and, while
 * Settings → Pack script requires approval, not awaiting it), read on the queue's partial index.
 * The rule is written with literals, so that SQLite sees the index's own condition in the WHERE;
 * test/integration/station-queue.test.ts checks the queue against holdReason for every combination.
 */
function queueSource(hold: HoldSettings) {
  return {
    from: sql`${orders} AS ${o} INDEXED BY orders_station_queue_idx`,
    where: sql`${o.status} = 'packing' AND ${notHeldSql(o, hold)}`,
  };
}

/** "Bench 2 — Pia" of the station a subquery finds. */
const stationAndPacker = sql`${stations.name} || ' — ' || ${users.name}`;

/** The queue's queries (to be prepared), with or without the approval half of the hold rule. */
function queueQueries(conn: Conn, hold: HoldSettings) {
  const source = queueSource(hold);
  // The queue's orders are chosen first, on the order's own columns alone, and only those few are
  // joined to their lines and stations: an index on the queue's order (packing, not waiting; by
  // priority, placed_at, id) is used when there is one, else the sort reads only these columns.
  const top = conn.$with('top').as(
    conn
      // The alias is SQL text to drizzle (the table comes in through sql``), so its column is too.
      .select({ id: sql<number>`${o.id}`.as('top_id') })
      .from(source.from)
      .where(source.where)
      .orderBy(desc(o.priority), asc(o.placedAt), asc(o.id))
      .limit(sql.placeholder('limit')),
  );
  const queue = conn
    .with(top)
    .select({
      id: orders.id,
      code: orders.code,
      priority: orders.priority,
      customerName: orders.customerName,
      shipCity: orders.shipCity,
      shipCountry: orders.shipCountry,
      units: sql<number>`(SELECT coalesce(sum(${orderLines.quantity} - ${orderLines.shippedQuantity}), 0) FROM ${orderLines} WHERE ${orderLines.orderId} = ${orders.id})`,
      partlyShipped: sql<number>`(SELECT count(*) FROM ${orderLines} WHERE ${orderLines.orderId} = ${orders.id} AND ${orderLines.shippedQuantity} > 0)`,
      /** "Bench 2 — Pia" when the order is open at a station or its open delivery belongs to one. */
      heldAt: sql<string | null>`coalesce(
        (SELECT ${stationAndPacker} FROM ${stations} JOIN ${users} ON ${users.id} = ${stations.userId} WHERE ${stations.currentOrderId} = ${orders.id}),
        (SELECT ${stationAndPacker} FROM ${deliveries} JOIN ${stations} ON ${stations.id} = ${deliveries.stationId} JOIN ${users} ON ${users.id} = ${stations.userId}
          WHERE ${deliveries.orderId} = ${orders.id} AND ${deliveries.status} = 'draft'))`,
      heldById: sql<number | null>`coalesce(
        (SELECT ${stations.id} FROM ${stations} WHERE ${stations.currentOrderId} = ${orders.id}),
        (SELECT ${deliveries.stationId} FROM ${deliveries} WHERE ${deliveries.orderId} = ${orders.id} AND ${deliveries.status} = 'draft'))`,
    })
    .from(top)
    .innerJoin(orders, eq(orders.id, top.id))
    .orderBy(desc(orders.priority), asc(orders.placedAt), asc(orders.id));
  // The queue's size, counted on its own partial index and only up to a cap: counting 20,000
  // packing orders on every scan and page costs milliseconds, and a packer reads "1,000+" as well.
  const capped = conn
    .select({ one: sql`1` })
    .from(source.from)
    .where(source.where)
    .limit(sql.placeholder('cap'))
    .as('capped');
  const queueCount = conn.select({ n: count() }).from(capped);
  return { queue, queueCount };
}
const queueAll = preparedQuery((conn) => {
  const q = queueQueries(conn, { requireApproval: false });
  return { queue: q.queue.prepare(), queueCount: q.queueCount.prepare() };
});
const queueApproved = preparedQuery((conn) => {
  const q = queueQueries(conn, { requireApproval: true });
  return { queue: q.queue.prepare(), queueCount: q.queueCount.prepare() };
});

/** One row of the station's queue. */
export type QueueRow = ReturnType<ReturnType<typeof queueAll>['queue']['all']>[number];

/** How far the queue is counted: beyond it the station says "1,000+". */
export const QUEUE_COUNT_CAP = 1000;

/**
 * The most urgent packing orders not on hold (at most `limit`), and how many there are in all up
 * to {@link QUEUE_COUNT_CAP} (`more`: there are more than that). On hold is both halves of the
 * hold rule: waiting, and awaiting approval while `hold.requireApproval` (Settings → Pack script).
 */
export function stationQueue(conn: Conn, limit: number, hold: HoldSettings, cap = QUEUE_COUNT_CAP): { rows: QueueRow[]; total: number; more: boolean } {
  const s = hold.requireApproval ? queueApproved(conn) : queueAll(conn);
  const counted = s.queueCount.get({ cap: cap + 1 })?.n ?? 0;
  return { rows: s.queue.all({ limit }), total: Math.min(counted, cap), more: counted > cap };
}

const insertScanKey = preparedQuery((conn) =>
  conn
    .insert(stationScanKeys)
    .values({ stationId: sql.placeholder('stationId'), key: sql.placeholder('key'), createdAt: sql.placeholder('now') })
    .onConflictDoNothing()
    .prepare(),
);

/** Records a scan's key; false when the station already sent a scan with this key. */
export function recordScanKey(tx: Tx, stationId: number, key: string, now: Date): boolean {
  return insertScanKey(tx).run({ stationId, key, now }).changes === 1;
}

const scanKeysBefore = preparedQuery((conn) =>
  conn
    .delete(stationScanKeys)
    .where(lt(stationScanKeys.createdAt, sql.placeholder('before')))
    .prepare(),
);

/** Forgets scan keys older than `before`; returns how many went. */
export function deleteScanKeysBefore(tx: Tx, before: Date): number {
  // A placeholder in a WHERE is bound as given (no column mapping): the column holds epoch ms.
  return scanKeysBefore(tx).run({ before: before.getTime() }).changes;
}
