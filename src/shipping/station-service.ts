import { once } from '../api/idempotency.js';
import { writeTransaction, type Db } from '../db/client.js';
import { getVerificationMode, uncheckedUnits } from './checks.js';
import { reportDrafts, type ReportedDelivery, type ReportFailure, type StationCtx } from './drafts.js';
import { deleteScanKeysBefore, listStationDrafts } from './repo/stations.js';
import { closeOrderAt, ensureStation, type StationRow } from './stations.js';

// The station's writes that open their own transaction, for its routes (shipping/web/station.ts)
// and its commands (shipping/commands.ts): a route calls one of these, never writeTransaction.

/** A page keeps a scan queued while offline for minutes; its key is kept for a week. */
const SCAN_KEY_DAYS = 7;
const DAY_MS = 24 * 3600 * 1000;

/** Names a station for this user (the device's cookie says the name): made on first use, marked as seen. Returns the station. */
export function nameStation(db: Db, userId: number, name: string, now: Date): StationRow {
  return writeTransaction(db, (tx) => ensureStation(tx, userId, name, now));
}

/** Puts the order open at the station back in the queue; its open delivery stays with the station. */
export function closeStationOrder(db: Db, station: StationRow): void {
  writeTransaction(db, (tx) => closeOrderAt(tx, station));
}

/** What Report in at a station did, and what it shipped unchecked (with verification "warn"). */
export interface StationReport {
  reported: ReportedDelivery[];
  failed: ReportFailure[];
  /** "ORDER SKU 1/2" for each line of a reported delivery with units not checked (only with verification "warn"). */
  unchecked: string[];
}

/**
 * Report in at a station: its deliveries with parcels (or only the orders named) are reported, once
 * per `key` (a page's double press or a resent form reports nothing twice: the first answer is
 * given again). `pruneKeys` drops keys older than a week first (the station's Report in form does so
 * now and then). Returns the reported deliveries, the orders left out with their reasons, and what
 * went unchecked.
 */
export function reportAtStation(
  db: Db,
  input: { orders: string[]; key: string; pruneKeys?: boolean },
  ctx: StationCtx & { station: StationRow },
): StationReport {
  // Old keys go now and then (a commit of their own, as before the report); a page's key lives for minutes.
  if (input.pruneKeys) writeTransaction(db, (tx) => deleteScanKeysBefore(tx, new Date(ctx.now.getTime() - SCAN_KEY_DAYS * DAY_MS)));
  const { orders } = input;
  // With verification "warn", what is about to go unchecked is read before the report ships it.
  const unchecked = getVerificationMode(db) === 'warn' ? uncheckedOfStation(db, ctx.station, orders) : [];
  const reply = once(db, `station:${ctx.station.id}:report`, input.key, { orders }, ctx.now, () => ({
    status: 200,
    body: reportDrafts(db, orders.length ? orders : undefined, ctx),
  }));
  // The reply is this report's, or the one first given for the key (kept as JSON by `once`).
  const { reported, failed } = reply.body as ReturnType<typeof reportDrafts>;
  return { reported, failed, unchecked };
}

/** "SKU 1/2" for each line of this station's deliveries (or the ticked ones) with units not checked. */
function uncheckedOfStation(db: Db, station: StationRow, orders: string[]): string[] {
  const wanted = new Set(orders.map((o) => o.replace(/[\s-]/g, '')));
  return listStationDrafts(db, station.id)
    .filter((d) => d.parcels > 0 && (wanted.size === 0 || wanted.has(d.code)))
    .flatMap((d) => uncheckedUnits(db, d.orderId).map((u) => `${d.code} ${u.sku} ${u.checked}/${u.of}`));
}
