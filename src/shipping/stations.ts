import { writeTransaction, type Conn, type Db, type Tx } from '../db/client.js';
import type { Actor } from '../domain/actor.js';
import { logOrderEvent } from '../events/repo.js';
import { AppError, fieldError } from '../errors.js';
import { refuseIfOnHold } from '../orders/hold.js';
import { findOrderByCodeOrThrow } from '../orders/lookup.js';
import {
  claimDraftFor,
  findStationByName,
  insertStation,
  markStationSeen,
  releaseOrderEverywhere,
  setStationOrder,
  stationOfDraft,
  stationWithOrderOpen,
  type HolderRow,
  type StationRow,
} from './repo/stations.js';

// Packing stations: a station is one packer's place, the user signed in plus the name the device
// remembers ("Bench 2"). The order open at a station, and every open delivery scanned there, belong
// to it: another station sees the order as taken and can take it over on purpose (logged). The
// API has no station: it keeps working on any open delivery, as documented.

export type { StationRow } from './repo/stations.js';

export const STATION_NAME_MAX = 40;

/** A station's name as typed: spaces collapsed, 1–40 characters, no control characters. */
export function cleanStationName(raw: unknown): string {
  const name = typeof raw === 'string' ? raw.replace(/\s+/g, ' ').trim() : '';
  if (!name || name.length > STATION_NAME_MAX || /[\u0000-\u001f\u007f]/.test(name)) {
    throw fieldError('name', 'validation.stationName', { max: STATION_NAME_MAX });
  }
  return name;
}

/** How a station is named to others: "Bench 2 — Pia". */
export function stationLabel(station: { name: string; userName: string }): string {
  return `${station.name} — ${station.userName}`;
}

/** How often a station's last-seen time is renewed: a write per scan would be a write for nothing. */
const SEEN_EVERY_MS = 60_000;

const seenLately = (station: StationRow, now: Date) => now.getTime() - station.lastSeenAt.getTime() < SEEN_EVERY_MS;

/** The station of this user and name, made on first use and marked as seen. Call inside a transaction. */
export function ensureStation(tx: Tx, userId: number, name: string, now: Date): StationRow {
  const found = findStationByName(tx, userId, name);
  if (found) {
    if (!seenLately(found, now)) markStationSeen(tx, found.id, now);
    return found;
  }
  insertStation(tx, userId, name, now);
  return findStationByName(tx, userId, name)!;
}

/**
 * The station of this user and name for a station form: read without a write transaction when it
 * exists and was seen within the minute (nearly every scan), else made or marked in one.
 */
export function stationFor(db: Db, userId: number, name: string, now: Date): StationRow {
  const found = findStationByName(db, userId, name);
  if (found && seenLately(found, now)) return found;
  return writeTransaction(db, (tx) => ensureStation(tx, userId, name, now));
}

function takenError(code: string, holder: HolderRow): AppError {
  return new AppError(
    'order_taken',
    'errors.orderTaken',
    { code, station: holder.name, packer: holder.userName },
    { station: holder.name, packer: holder.userName },
  );
}

/** The other station that holds the order (open there, or its open delivery is), if any. */
export function otherHolder(conn: Conn, stationId: number, orderId: number): HolderRow | undefined {
  const open = stationWithOrderOpen(conn, orderId);
  if (open && open.stationId !== stationId) return open;
  const draft = stationOfDraft(conn, orderId);
  return draft && draft.stationId !== stationId ? draft : undefined;
}

/**
 * Refuses `order_taken` when another station holds the order; otherwise the order's open delivery
 * (one the API made, or none yet) becomes this station's. Call inside the transaction that writes.
 */
export function claimOrder(tx: Tx, station: StationRow, order: { id: number; code: string }): void {
  const holder = otherHolder(tx, station.id, order.id);
  if (holder) throw takenError(order.code, holder);
  claimDraftFor(tx, station.id, order.id);
}

/** Opens a packing order at the station (the one open before goes back to the queue). Call inside a transaction. */
export function openOrderAt(tx: Tx, station: StationRow, order: { id: number; code: string }): void {
  claimOrder(tx, station, order);
  setStationOrder(tx, station.id, order.id);
}

/** Puts the station's open order back in the queue; its open delivery stays with the station. */
export function closeOrderAt(tx: Tx, station: StationRow): void {
  setStationOrder(tx, station.id, null);
}

/** Closes the order wherever it is open: its delivery was reported, nothing is left to pack there. Call inside a transaction. */
export function releaseOrder(tx: Tx, orderId: number): void {
  releaseOrderEverywhere(tx, orderId);
}

/** The station that holds the order (open there, or its open delivery is), if any: what a view without a station must respect. */
export function stationHolding(conn: Conn, orderId: number): HolderRow | undefined {
  return stationWithOrderOpen(conn, orderId) ?? stationOfDraft(conn, orderId);
}

/**
 * For a writer without a station of its own (Outbound's verify view): refuses `order_at_station`,
 * naming the station and its packer, when any station holds the order; the order is that station's
 * work until someone takes it over on purpose (takeOverFromOutbound). Call inside the transaction
 * that writes, so that a station opening the order meanwhile is seen.
 */
export function refuseIfAtStation(tx: Tx, order: { id: number; code: string }): void {
  const holder = stationHolding(tx, order.id);
  if (holder) {
    throw new AppError(
      'order_at_station',
      'errors.orderAtStation',
      { code: order.code, station: holder.name, packer: holder.userName },
      { station: holder.name, packer: holder.userName },
    );
  }
}

/**
 * The one takeover rule, for a station (`to`) and for Outbound (no station): the order must be
 * packing and not on hold; it closes wherever it is open, and its open delivery (parcels, chosen
 * quantities and item checks, which hang on the delivery) moves to `to`, or belongs to no station
 * (as one the API made) when taken to Outbound. Returns the station it was taken from, if any.
 */
function takeOverIn(tx: Tx, order: { id: number; code: string; status: string }, to: StationRow | null): HolderRow | undefined {
  if (order.status !== 'packing') throw new AppError('order_not_packing', 'errors.parcelNeedsPacking', { code: order.code, status: order.status });
  refuseIfOnHold(tx, order.id);
  const holder = to ? otherHolder(tx, to.id, order.id) : stationHolding(tx, order.id);
  if (holder) releaseOrderEverywhere(tx, order.id);
  claimDraftFor(tx, to?.id ?? null, order.id);
  if (to) setStationOrder(tx, to.id, order.id);
  return holder;
}

/**
 * Takes an order over from the station that holds it, on purpose: it opens here with its open
 * delivery (parcels and quantities kept), the other station loses it, and the order's history says
 * who took it from whom (`station_takeover`).
 */
export function takeOverOrder(
  db: Db,
  user: { id: number },
  stationName: string,
  code: string,
  ctx: { actor: Actor; now: Date },
): { code: string; from: string | null } {
  return writeTransaction(db, (tx) => {
    const station = ensureStation(tx, user.id, stationName, ctx.now);
    const order = findOrderByCodeOrThrow(tx, code);
    const holder = takeOverIn(tx, order, station);
    const from = holder ? stationLabel(holder) : null;
    if (holder) logOrderEvent(tx, order, 'station_takeover', ctx.actor, ctx.now.getTime(), { from, to: stationLabel(station) });
    return { code: order.code, from };
  });
}

/**
 * Outbound's takeover (the verify view's "Take over" form): the same rule as a station's, taken to
 * no station. The order closes at the station that had it, its open delivery and checks stay with
 * the order but no longer belong to that station (its Report in leaves them), and the order's
 * history says who took it from whom (`outbound_takeover`). Nothing is written when no station
 * holds the order (`from` is null).
 */
export function takeOverFromOutbound(db: Db, code: string, ctx: { actor: Actor; now: Date }): { code: string; from: string | null } {
  return writeTransaction(db, (tx) => {
    const order = findOrderByCodeOrThrow(tx, code);
    const holder = takeOverIn(tx, order, null);
    const from = holder ? stationLabel(holder) : null;
    if (holder) logOrderEvent(tx, order, 'outbound_takeover', ctx.actor, ctx.now.getTime(), { from });
    return { code: order.code, from };
  });
}
