import { logOrderEvent, type OrderEventType } from '../events/repo.js';
import { savepoint, writeTransaction, type Conn, type Db, type Tx } from '../db/client.js';
import { groupCommit } from '../db/group-commit.js';
import { actorLabel, type Actor } from '../domain/actor.js';
import { carrierTrackingUrl } from '../domain/tracking.js';
import { MAX_PARCELS_PER_DELIVERY, normalizeParcelId, parcelIdProblem } from '../domain/parcel-id.js';
import type { OrderStatus } from '../domain/order-status.js';
import type { ParcelTracking } from '../carriers/tracking.js';
import { findOrderByCodeOrThrow, resolveOrderCode } from '../orders/lookup.js';
import { refuseIfOnHold } from '../orders/hold.js';
import { listLines } from '../orders/repo/orders.js';
import { AppError, fieldError, type ErrorCode } from '../errors.js';
import type { CarrierAdapter } from '../carriers/types.js';
import {
  countDraftParcels,
  deleteDraftParcel,
  draftRows,
  draftRowsOf,
  findDraftId,
  findParcelOwner,
  findStationOrder,
  insertDraft,
  insertDraftParcel,
  listReportableDrafts,
  replaceDraftLines,
  setParcelSlots,
  touchDraft,
  type DraftLineRow,
  type DraftParcelRow,
  type ParcelBooking,
  type StationOrderRow,
} from './repo/drafts.js';
import { refuseIfPickup, refuseNonParcel } from './parcel-rules.js';
import { shipDelivery } from './service.js';
import { claimOrder, otherHolder, releaseOrder, type StationRow } from './stations.js';

// The station's rules for open deliveries (drafts): what may be added, removed, chosen and reported,
// and by whom; the SQL they run is in repo/drafts.ts.

export const PARCEL_SOURCES = ['manual', 'scanner', 'camera', 'broker'] as const;
export type ParcelSource = (typeof PARCEL_SOURCES)[number];
/** Where a parcel ID came from as kept and logged: a source a request may name, or what only "Fetch parcel ID" gives: the shop's own SSCC series, a carrier's booking. */
export type ParcelOrigin = ParcelSource | 'sscc' | 'carrier';

export interface StationCtx {
  actor: Actor;
  now: Date;
  /** The packing station writing (the pages); none for the API, which works on any open delivery. */
  station?: StationRow;
}

export interface DraftView {
  code: string;
  deliveryId: number | null;
  /** Each parcel; a carrier's parcel with its booking (removing it cancels that booking) and tracking page. */
  parcels: { parcelId: string; source: string; createdAt: string; bookingId: number | null; trackingUrl: string | null }[];
  /** Set when the packer chose quantities; otherwise everything remaining goes. */
  partial: boolean;
  /** Parcel slots open on the station (at least the parcels there are). */
  slots: number;
  lines: { sku: string; name: string; ordered: number; shipped: number; remaining: number; quantity: number }[];
}

function event(tx: Tx, order: { id: number; code: string }, type: OrderEventType, ctx: StationCtx, data: Record<string, unknown>) {
  logOrderEvent(tx, order, type, ctx.actor, ctx.now.getTime(), data);
}

/** The order `input` names (read by resolveOrderCode), or `order_not_found`. */
function orderByCode(conn: Conn, input: string): StationOrderRow {
  const code = resolveOrderCode(input);
  const order = findStationOrder(conn, code);
  if (!order) throw new AppError('order_not_found', 'errors.orderNotFound', { code });
  return order;
}

/** The order, which must be packing: parcels and deliveries are for packed orders only. */
function packingOrder(conn: Conn, input: string): StationOrderRow {
  return requirePacking(orderByCode(conn, input));
}

/**
 * The order a parcel, a slot or a delivery's quantities may be written for: packing and not on hold
 * (`order_on_hold`); for a parcel, not collected in store (`pickup_takes_no_parcels`), checked
 * before the station claims it. Taking a parcel off stays open to a held order: it gives nothing.
 */
function shippableOrder(tx: Tx, input: string, ctx: StationCtx, opts: { parcel?: boolean } = {}): StationOrderRow {
  const order = packingOrder(tx, input);
  refuseIfOnHold(tx, order.id);
  if (opts.parcel) refuseIfPickup(tx, order);
  if (ctx.station) claimOrder(tx, ctx.station, order);
  return order;
}

function requirePacking<O extends { code: string; status: string }>(order: O): O {
  if (order.status !== 'packing') throw new AppError('order_not_packing', 'errors.parcelNeedsPacking', { code: order.code, status: order.status });
  return order;
}

/** The order's open delivery, made when it has none yet; call inside a transaction. */
function openDraft(tx: Tx, orderId: number, ctx: StationCtx): number {
  return findDraftId(tx, orderId) ?? insertDraft(tx, orderId, ctx.station?.id ?? null, ctx.now);
}

/** Cleans and checks a parcel ID, each rule with its own message (422 on the field `parcelId`). */
export function cleanParcelId(raw: string, field = 'parcelId'): string {
  const parcelId = normalizeParcelId(raw);
  const problem = parcelIdProblem(parcelId);
  if (problem) throw fieldError(field, `validation.parcel.${problem}`, { parcelId });
  return parcelId;
}

/** Refuses a parcel ID some delivery already has, naming the order that has it. */
function assertUnused(conn: Conn, parcelId: string, code: string): void {
  const owner = findParcelOwner(conn, parcelId);
  if (owner) {
    throw new AppError(
      'parcel_in_use',
      owner.code === code ? 'errors.parcelOnThisOrder' : 'errors.parcelOnOrder',
      { parcelId, orderCode: owner.code },
      { orderCode: owner.code, status: owner.status },
    );
  }
}

/**
 * Adds a parcel ID to the order's open delivery (made on the first parcel), saved before the
 * answer: a closed tab or a dropped connection loses nothing already answered. Scans arriving
 * together are committed together (db/group-commit.ts).
 */
export function addParcel(db: Db, code: string, raw: string, source: ParcelSource, ctx: StationCtx): Promise<DraftView> {
  const parcelId = cleanParcelId(raw);
  return groupCommit(db).run((tx) => {
    addParcelIn(tx, code, parcelId, source, ctx);
    return draftView(tx, code);
  });
}

/** The write of one cleaned parcel ID (cleanParcelId); call inside a transaction. A carrier's parcel comes with its booking. */
export function addParcelIn(tx: Tx, code: string, parcelId: string, source: ParcelOrigin, ctx: StationCtx, booking: ParcelBooking | null = null): void {
  refuseNonParcel(tx, parcelId, source);
  // The one place a parcel ID joins an open delivery (the station's scan, the API's parcels, a
  // restored parcel): a pickup order is refused here. A carrier's booking is recordBookedParcels'.
  const order = shippableOrder(tx, code, ctx, { parcel: true });
  assertUnused(tx, parcelId, order.code);
  const draftId = openDraft(tx, order.id, ctx);
  if (countDraftParcels(tx, draftId) >= MAX_PARCELS_PER_DELIVERY) {
    throw new AppError('too_many_parcels', 'errors.tooManyParcels', { max: MAX_PARCELS_PER_DELIVERY, code: order.code });
  }
  insertDraftParcel(tx, draftId, { parcelId, source, createdBy: actorLabel(ctx.actor), createdAt: ctx.now }, booking);
  event(tx, order, 'parcel_added', ctx, { parcelId, source });
}

/**
 * Before a carrier is asked to book (carriers/booking.ts): the order must take parcels (packing, not
 * on hold, this station's), its open delivery is made if it has none, and the parcels asked for
 * (default: the open slots not yet filled, at least one) must fit. Call inside the transaction that
 * records the attempt.
 */
export function openForBooking(
  tx: Tx,
  code: string,
  count: number | undefined,
  ctx: StationCtx,
): { order: StationOrderRow; deliveryId: number; count: number } {
  const order = shippableOrder(tx, code, ctx);
  const deliveryId = openDraft(tx, order.id, ctx);
  const view = draftView(tx, order.code);
  const room = MAX_PARCELS_PER_DELIVERY - view.parcels.length;
  // A booking fills the empty slots only: a second press (or a double one) with every slot filled
  // books nothing, where a number series would just give one more.
  const wanted = count ?? view.slots - view.parcels.length;
  if (wanted <= 0) throw new AppError('no_empty_slot', 'errors.noEmptySlot', { code: order.code, count: view.parcels.length });
  if (wanted > room)
    throw new AppError('too_many_parcels', 'errors.noRoomForParcels', { max: MAX_PARCELS_PER_DELIVERY, code: order.code, count: room, room, wanted });
  return { order, deliveryId, count: wanted };
}

/**
 * A carrier's booking written onto the delivery it was made for: the carrier has it, so it is
 * recorded whatever happened meanwhile (a hold, a takeover, parcels typed in): those rules stop the
 * delivery from shipping, not the record of what was bought. Call inside a transaction.
 */
export function recordBookedParcels(
  tx: Tx,
  order: { id: number; code: string },
  deliveryId: number,
  bookingId: number,
  parcels: readonly { parcelId: string; trackingUrl: string | null }[],
  ctx: StationCtx,
): string[] {
  const written: string[] = [];
  for (const p of parcels) {
    const parcelId = normalizeParcelId(p.parcelId);
    assertUnused(tx, parcelId, order.code);
    insertDraftParcel(
      tx,
      deliveryId,
      { parcelId, source: 'carrier', createdBy: actorLabel(ctx.actor), createdAt: ctx.now },
      // Kept only as an absolute http(s) address, as every page and e-mail links it.
      { bookingId, trackingUrl: carrierTrackingUrl(p.trackingUrl) },
    );
    event(tx, order, 'parcel_added', ctx, { parcelId, source: 'carrier', bookingId });
    written.push(parcelId);
  }
  touchDraft(tx, deliveryId, ctx.now);
  return written;
}

/**
 * Takes a booking's parcels off the delivery, one slot fewer for the parcel the packer removed
 * (the others, cancelled with it, are booked again into theirs).
 */
export function removeBookedParcels(tx: Tx, order: { id: number; code: string }, deliveryId: number, parcelIds: readonly string[], ctx: StationCtx): void {
  const before = draftView(tx, order.code);
  for (const parcelId of parcelIds) {
    if (deleteDraftParcel(tx, deliveryId, parcelId)) event(tx, order, 'parcel_removed', ctx, { parcelId });
  }
  setParcelSlots(tx, deliveryId, Math.max(before.slots - 1, 1), ctx.now);
  touchDraft(tx, deliveryId, ctx.now);
}

/** Opens one more parcel slot on the order's delivery: at most four. */
export function addSlot(db: Db, code: string, ctx: StationCtx): DraftView {
  writeTransaction(db, (tx) => {
    const order = shippableOrder(tx, code, ctx);
    const draftId = openDraft(tx, order.id, ctx);
    const view = draftView(tx, code);
    if (view.slots >= MAX_PARCELS_PER_DELIVERY)
      throw new AppError('too_many_parcels', 'errors.tooManyParcels', { max: MAX_PARCELS_PER_DELIVERY, code: order.code });
    setParcelSlots(tx, draftId, view.slots + 1, ctx.now);
  });
  return draftView(db, code);
}

/** Several parcel IDs at once (from the broker): all or none. */
export function addParcels(db: Db, code: string, parcelIds: string[], source: ParcelOrigin, ctx: StationCtx): DraftView {
  const cleaned = parcelIds.map((id, i) => cleanParcelId(id, `parcelIds.${i}`));
  return writeTransaction(db, (tx) => {
    for (const id of cleaned) addParcelIn(tx, code, id, source, ctx);
    return draftView(tx, code);
  });
}

/** Whether a parcel may be taken off the order's delivery here (packing, and this station's, claimed if free): checked before a carrier cancels. */
export function claimForRemoval(db: Db, code: string, ctx: StationCtx): void {
  writeTransaction(db, (tx) => {
    const order = packingOrder(tx, code);
    if (ctx.station) claimOrder(tx, ctx.station, order);
  });
}

export function removeParcel(db: Db, code: string, raw: string, ctx: StationCtx): { code: string; parcelId: string } {
  const parcelId = normalizeParcelId(raw);
  return writeTransaction(db, (tx) => {
    const order = packingOrder(tx, code);
    if (ctx.station) claimOrder(tx, ctx.station, order);
    const draftId = findDraftId(tx, order.id);
    const removed = draftId === undefined ? 0 : deleteDraftParcel(tx, draftId, parcelId);
    if (!removed) throw new AppError('parcel_not_found', 'errors.parcelNotOnDraft', { parcelId, code: order.code });
    touchDraft(tx, draftId!, ctx.now);
    event(tx, order, 'parcel_removed', ctx, { parcelId });
    return { code: order.code, parcelId };
  });
}

/**
 * Puts a parcel just removed back on the order's open delivery (the undo beside "removed"): the
 * same rules as any parcel ID added at this station.
 */
export function restoreParcel(db: Db, code: string, raw: string, ctx: StationCtx): { code: string; parcelId: string } {
  const parcelId = cleanParcelId(raw);
  return writeTransaction(db, (tx) => {
    addParcelIn(tx, code, parcelId, 'manual', ctx);
    return { code: resolveOrderCode(code), parcelId };
  });
}

/**
 * A partial delivery: how many of each SKU go now (the rest stay allocated for a later delivery).
 * Each quantity is 0 up to what is still unshipped; at least one unit goes. Lines not named send 0.
 */
export function setDeliveryLines(db: Db, code: string, lines: { sku: string; quantity: number }[], ctx: StationCtx): DraftView {
  writeTransaction(db, (tx) => {
    const order = shippableOrder(tx, code, ctx);
    const orderLines = listLines(tx, order.id);
    const bySku = new Map(orderLines.map((l) => [l.sku, l]));
    lines.forEach((l, i) => {
      const line = bySku.get(l.sku);
      if (!line) throw fieldError(`lines.${i}.sku`, 'validation.skuNotOnOrder', { sku: l.sku });
      const remaining = line.quantity - line.shippedQuantity;
      if (l.quantity > remaining) throw fieldError(`lines.${i}.quantity`, 'validation.shipMoreThanRemaining', { sku: l.sku, remaining });
    });
    const quantities = new Map(lines.map((l) => [l.sku, l.quantity]));
    if (![...quantities.values()].some((q) => q > 0)) throw fieldError('lines', 'validation.nothingToShip');
    const draftId = openDraft(tx, order.id, ctx);
    replaceDraftLines(
      tx,
      draftId,
      orderLines.map((line) => ({ orderLineId: line.id, quantity: quantities.get(line.sku) ?? 0 })),
      ctx.now,
    );
    event(tx, order, 'delivery_lines_set', ctx, { lines: orderLines.map((l) => ({ sku: l.sku, quantity: quantities.get(l.sku) ?? 0 })) });
  });
  return draftView(db, code);
}

/** The order's open delivery as the station and the API show it (an empty one when there is none). */
export function draftView(conn: Conn, code: string): DraftView {
  const order = orderByCode(conn, code);
  const rows = draftRows(conn, order.id);
  return collectViews(rows.lines, rows.parcels).get(order.id) ?? { code: order.code, deliveryId: null, parcels: [], partial: false, slots: 1, lines: [] };
}

/** Rows to views: the station shows what goes now (the chosen quantity of a partial delivery, else all that remains). */
function collectViews(lines: DraftLineRow[], parcels: DraftParcelRow[], out = new Map<number, DraftView>()): Map<number, DraftView> {
  for (const r of lines) {
    let view = out.get(r.orderId);
    if (!view) out.set(r.orderId, (view = { code: r.code, deliveryId: r.deliveryId, parcels: [], partial: r.partial === 1, slots: r.slots, lines: [] }));
    if (r.remaining > 0 || r.chosen)
      view.lines.push({
        sku: r.sku,
        name: r.name,
        ordered: r.ordered,
        shipped: r.shipped,
        remaining: r.remaining,
        quantity: view.partial ? (r.chosen ?? 0) : r.remaining,
      });
  }
  for (const p of parcels)
    out
      .get(p.orderId)
      ?.parcels.push({ parcelId: p.parcelId, source: p.source, createdAt: p.createdAt.toISOString(), bookingId: p.bookingId, trackingUrl: p.trackingUrl });
  for (const view of out.values()) view.slots = Math.min(Math.max(view.slots, view.parcels.length), MAX_PARCELS_PER_DELIVERY);
  return out;
}

/** Open deliveries of many orders at once (the station lists up to 500), by order id. */
export function draftViews(conn: Conn, orderIds: readonly number[]): Map<number, DraftView> {
  const out = new Map<number, DraftView>();
  if (orderIds.length === 0) return out;
  const rows = draftRowsOf(conn, orderIds);
  collectViews(rows.lines, rows.parcels, out);
  return out;
}

export interface ReportedDelivery {
  code: string;
  deliveryId: number;
  status: OrderStatus;
  parcels: string[];
  tracking: ParcelTracking[];
  lines: { sku: string; quantity: number }[];
}

/** An order Report in could not report, and why (an AppError's code, catalog key and parameters). */
export interface ReportFailure {
  /** The order's code, or the input as given when it reads as no order's code. */
  code: string;
  error: { code: ErrorCode; key: string; params: Record<string, unknown>; details?: AppError['details'] };
}

/**
 * Report in: every open delivery with at least one parcel (or only those of `codes`) becomes
 * reported: stock leaves on_hand, the order ships when nothing remains. Each order is reported in a
 * savepoint of its own, so one order's refusal (a draft that no longer fits its lines, say) is
 * rolled back and listed in `failed` with its code while the other orders are still reported.
 * A code in `codes` that reads as no order (resolveOrderCode) is listed in `failed` too.
 */
export function reportDrafts(db: Db, codes: readonly string[] | undefined, ctx: StationCtx): { reported: ReportedDelivery[]; failed: ReportFailure[] } {
  const failed: ReportFailure[] = [];
  const refusal = (code: string, err: unknown): ReportFailure => {
    if (!(err instanceof AppError) || err.status >= 500) throw err;
    return { code, error: { code: err.code, key: err.key, params: err.params, ...(err.details && { details: err.details }) } };
  };
  let wanted: Set<string> | null = null;
  if (codes) {
    wanted = new Set();
    for (const input of codes) {
      try {
        wanted.add(resolveOrderCode(input));
      } catch (err) {
        failed.push(refusal(input, err));
      }
    }
  }
  const station = ctx.station;
  return writeTransaction(db, (tx) => {
    const drafts = listReportableDrafts(tx);
    const reported: ReportedDelivery[] = [];
    // Each order in its own savepoint: a throw undoes this order's writes only.
    const reportOne = (draft: (typeof drafts)[number]) =>
      savepoint(tx, () => {
        // A station reports only its own deliveries; one named that another station holds is refused.
        if (station) claimOrder(tx, station, draft);
        const shipped = shipDelivery(tx, draft, { draftId: draft.draftId }, ctx);
        // The delivery is done: the order is no longer open at any station.
        releaseOrder(tx, draft.id);
        return shipped;
      });
    for (const draft of drafts) {
      if (wanted ? !wanted.has(draft.code) : station && draft.stationId !== station.id) continue;
      try {
        reported.push({ code: draft.code, ...reportOne(draft) });
      } catch (err) {
        failed.push(refusal(draft.code, err));
      }
    }
    return { reported, failed };
  });
}

/**
 * Before a source of parcel IDs is asked (the series, the broker, a carrier): a held order takes
 * none, and an order open at another station, or whose open delivery is another's, is theirs.
 * Checked again where the numbers are written.
 */
export function refuseBeforeAsking(conn: Conn, order: { id: number; code: string }, ctx: StationCtx): void {
  refuseIfOnHold(conn, order.id);
  const holder = ctx.station && otherHolder(conn, ctx.station.id, order.id);
  if (holder)
    throw new AppError(
      'order_taken',
      'errors.orderTaken',
      { code: order.code, station: holder.name, packer: holder.userName },
      { station: holder.name, packer: holder.userName },
    );
}

/**
 * "Fetch parcel ID" from the station's own source (`own`: carriers/sscc.ts, the shop's SSCC series,
 * or carriers/http-broker.ts, the generic broker): `count` parcel IDs (default: the open slots not
 * yet filled, at least one) added to the open delivery. The source is asked outside any transaction
 * (it may be slow); its failure changes nothing and is passed on with its message. These sources
 * sell nothing, so no booking is recorded: a number fetched twice is a number not used.
 */
export async function fetchParcels(
  db: Db,
  code: string,
  count: number | undefined,
  own: CarrierAdapter & { kind: 'sscc' | 'broker' },
  ctx: StationCtx,
): Promise<{ parcelIds: string[]; draft: DraftView; source: 'sscc' | 'broker' }> {
  const order = requirePacking(findOrderByCodeOrThrow(db, code));
  refuseBeforeAsking(db, order, ctx);
  const before = draftView(db, code);
  const room = MAX_PARCELS_PER_DELIVERY - before.parcels.length;
  const wanted = count ?? Math.max(before.slots - before.parcels.length, 1);
  if (wanted > room)
    throw new AppError('too_many_parcels', 'errors.noRoomForParcels', { max: MAX_PARCELS_PER_DELIVERY, code: order.code, count: room, room, wanted });
  const booking = await own.book(
    {
      reference: order.code,
      orderCode: order.code,
      service: own.kind,
      // Neither source reads the sender; the recipient as the order has it ('' where it has none).
      sender: { name: '', line1: '', postalCode: '', city: '', country: '' },
      recipient: {
        name: order.customerName ?? '',
        line1: order.shipLine1 ?? '',
        line2: order.shipLine2,
        postalCode: order.shipPostalCode ?? '',
        city: order.shipCity ?? '',
        country: order.shipCountry ?? '',
      },
      parcels: Array.from({ length: wanted }, () => ({ weightGrams: 1 })),
      labelFormat: 'pdf',
      test: false,
    },
    { signal: AbortSignal.timeout(120_000) },
  );
  const parcelIds = booking.parcels.map((p) => p.parcelId);
  // Which source gave the numbers: the shop's own SSCC series or an outside shipping broker (kept and logged so).
  const draft = addParcels(db, code, parcelIds, own.kind, ctx);
  return { parcelIds: parcelIds.map(normalizeParcelId), draft, source: own.kind };
}
