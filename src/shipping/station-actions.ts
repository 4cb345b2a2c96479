import { localizedParams } from '../i18n/refusal.js';
import type { Db } from '../db/client.js';
import type { Actor } from '../domain/actor.js';
import { AppError } from '../errors.js';
import type { Translate } from '../i18n/index.js';
import { findOrderByCodeOrThrow } from '../orders/lookup.js';
import { autoPrintAfterParcel, printBookingLabels, type PrintDeps } from '../printers/service.js';
import type { BookingResult, CarrierDeps } from '../carriers/booking.js';
import { fetchParcelIdsFor, removeParcelFrom } from './parcel-sources.js';
import { checkedQuantities, undoCheck } from './checks.js';
import { addSlot, restoreParcel, setDeliveryLines, type ReportFailure, type StationCtx } from './drafts.js';
import { stationScan, type ScanInput } from './scan.js';
import { closeStationOrder, reportAtStation } from './station-service.js';
import { takeOverOrder, type StationRow } from './stations.js';

// What each of the station's actions does and says: one function per action, for its routes
// (shipping/web/station.ts) and its command barcodes and keys (shipping/commands.ts). Each writes
// through a service that opens its own transaction and answers with an outcome in catalog words.

/** What the station says after an action: a catalog key in one of three tones. */
export interface StationOutcome {
  kind: 'ok' | 'duplicate' | 'error';
  key: string;
  params: Record<string, unknown>;
  /** The queue changed (an order was opened, closed or reported): send it along. */
  queue?: boolean;
  /** The page should open this next: the partial form, or the label to print. */
  open?: 'partial' | 'label';
  /** The order another station holds: the page offers to take it over. */
  takeover?: string;
  /** A parcel just removed: the page offers to put it back. */
  undo?: { code: string; parcelId: string };
  /** The orders Report in left out, each with its reason: the page names them (`failures`) in the reader's words. */
  failures?: ReportFailure[];
}

/** Where and by whom a station action is done: the packer signed in at the station named on this device. */
export interface StationDesk {
  db: Db;
  user: { id: number };
  actor: Actor;
  stationName: string;
  now: Date;
  /** The packer's language, for the words a message carries inside it (a printer's name, a count). */
  t: Translate;
  /** What printing a label needs (a station that prints automatically prints each new parcel's). */
  printing: PrintDeps;
  /** What booking with a carrier needs. */
  carriers: CarrierDeps;
}

/** A station action's context: the desk and its station, made on first use. */
export interface StationActionCtx extends StationDesk {
  station: StationRow;
}

/** The station's "ready" line: nothing done, nothing refused. */
export function ready(): StationOutcome {
  return { kind: 'ok', key: 'shipping.ready', params: {} };
}

/** The context the station's writers take (drafts.ts, checks.ts). */
function writeCtx(ctx: StationActionCtx): StationCtx & { station: StationRow } {
  return { actor: ctx.actor, now: ctx.now, station: ctx.station };
}

/**
 * A scan that is no command: an order's code opens the order here, anything else is a parcel ID
 * for the order open here (shipping/scan.ts). A new parcel's label is printed when the station
 * prints automatically.
 */
export async function scanAt(desk: StationDesk, input: ScanInput): Promise<StationOutcome> {
  const result = stationScan(desk.db, { userId: desk.user.id, stationName: desk.stationName }, input, { actor: desk.actor, now: desk.now });
  const outcome: StationOutcome = { kind: 'ok', key: result.key, params: result.params, queue: result.opened };
  if (result.key !== 'shipping.parcelAdded') return outcome;
  return withAutoPrint(desk, outcome, String(result.params.code), [String(result.params.parcelId)]);
}

/**
 * "Fetch parcel ID": parcels booked with the order's carrier, with their labels printed on the
 * station's printer (ZPL) or opened as PDF; else parcel IDs from the broker (or the shop's SSCC
 * series), each label printed when the station prints automatically.
 */
export async function fetchParcelIds(ctx: StationActionCtx, code: string): Promise<StationOutcome> {
  const fetched = await fetchParcelIdsFor(ctx.db, ctx.carriers, code, undefined, writeCtx(ctx));
  const params = { count: fetched.parcelIds.length, parcelIds: fetched.parcelIds.join(', '), code };
  if (fetched.source === 'carrier') return carrierLabels(ctx, fetched.booking, params);
  const key = fetched.source === 'sscc' ? 'shipping.fetchedSscc' : 'shipping.fetched';
  return withAutoPrint(ctx, { kind: 'ok', key, params }, code, fetched.parcelIds);
}

/**
 * A carrier's booking at the station: its ZPL labels go to the station's printer as the carrier sent
 * them; PDF labels (or ZPL with no printer here) are offered to open. A printer fault leaves the
 * booking as it is and says so (the packer prints again from the parcel).
 */
async function carrierLabels(ctx: StationActionCtx, booking: BookingResult, params: Record<string, unknown>): Promise<StationOutcome> {
  const said = { ...params, carrier: booking.carrier };
  const key = booking.how === 'found' ? 'shipping.bookingFound' : 'shipping.booked';
  const printed = await printBookingLabels(ctx.printing, { userId: ctx.user.id, stationName: ctx.stationName }, booking.bookingId, ctx.actor);
  if (printed.status === 'failed')
    return { kind: 'error', key: 'printers.station.autoFailed', params: { error: ctx.t(printed.error.key, printed.error.params) } };
  if (printed.status === 'printed')
    return { kind: 'ok', key: `${key}Printed`, params: { ...said, printed: ctx.t('printers.station.autoPrinted', { printer: printed.printer }) } };
  // No printer here, or PDF labels: the page opens the last parcel's label (the booking's PDF).
  return { kind: 'ok', key, params: said, open: booking.labelFormats.includes('pdf') ? 'label' : undefined };
}

/**
 * A station that prints automatically prints each new parcel's label on its printer. A printer
 * fault leaves the parcel added and says so (the packer prints again from the parcel).
 */
async function withAutoPrint(desk: StationDesk, outcome: StationOutcome, code: string, parcelIds: string[]): Promise<StationOutcome> {
  const station = { userId: desk.user.id, stationName: desk.stationName };
  const printed: string[] = [];
  for (const parcelId of parcelIds) {
    const r = await autoPrintAfterParcel(desk.printing, station, { code, parcelId }, desk.actor);
    if (r.status === 'failed') return { kind: 'error', key: 'printers.station.autoFailed', params: { error: desk.t(r.error.key, r.error.params) } };
    if (r.status === 'printed') printed.push(r.label.printer.name);
  }
  if (!printed.length) return outcome;
  return { ...outcome, params: { ...outcome.params, printed: desk.t('printers.station.autoPrinted', { printer: printed[0] }) }, key: `${outcome.key}Printed` };
}

/** "New parcel": one more parcel slot on the order's delivery. */
export function addParcelSlot(ctx: StationActionCtx, code: string): StationOutcome {
  addSlot(ctx.db, code, writeCtx(ctx));
  return { kind: 'ok', key: 'shipping.slotAdded', params: { code } };
}

/** "Undo check": the order's last item check taken back. */
export function undoLastCheck(ctx: StationActionCtx, code: string): StationOutcome {
  const undone = undoCheck(ctx.db, code, 'last', writeCtx(ctx));
  return { kind: 'ok', key: 'shipping.checkUndone', params: { ...undone, code } };
}

/** "Ship checked": the delivery's quantities become the units checked so far. */
export function shipCheckedUnits(ctx: StationActionCtx, code: string): StationOutcome {
  const order = findOrderByCodeOrThrow(ctx.db, code);
  setDeliveryLines(ctx.db, code, checkedQuantities(ctx.db, order.id), writeCtx(ctx));
  return { kind: 'ok', key: 'shipping.shipChecked', params: { code } };
}

/** The partial delivery's form, saved: the quantity of each SKU that goes. */
export function saveDeliveryLines(ctx: StationActionCtx, code: string, lines: { sku: string; quantity: number }[]): StationOutcome {
  setDeliveryLines(ctx.db, code, lines, writeCtx(ctx));
  return { kind: 'ok', key: 'shipping.partialSaved', params: { code } };
}

/** "Cancel": the order open here goes back to the queue. */
export function closeOrderHere(ctx: StationActionCtx): StationOutcome {
  closeStationOrder(ctx.db, ctx.station);
  return { kind: 'ok', key: 'shipping.closed', params: {}, queue: true };
}

/** Takes the order over from the station that holds it (or opens it here when none does). */
export function takeOverHere(desk: StationDesk, code: string): StationOutcome {
  const taken = takeOverOrder(desk.db, desk.user, desk.stationName, code, { actor: desk.actor, now: desk.now });
  return { kind: 'ok', key: taken.from ? 'shipping.takenOver' : 'shipping.selected', params: { code: taken.code, from: taken.from }, queue: true };
}

/**
 * A parcel taken off the order's delivery; the page offers to put it back. A carrier's parcel
 * cancels its booking there (with the booking's other parcels), which no undo puts back.
 */
export async function removeParcelHere(ctx: StationActionCtx, code: string, parcelId: string): Promise<StationOutcome> {
  const removed = await removeParcelFrom(ctx.db, ctx.carriers, code, parcelId, writeCtx(ctx));
  const said = { parcelId: removed.parcelId, code: removed.code };
  const carrier = removed.carrier;
  if (!carrier) return { kind: 'ok', key: 'shipping.parcelRemoved', params: said, undo: { code: removed.code, parcelId: removed.parcelId } };
  if (!carrier.cancelled)
    return { kind: 'duplicate', key: 'shipping.bookingNotCancelled', params: { ...said, carrier: carrier.carrier, message: carrier.problem } };
  if (carrier.rebookFailed)
    return {
      kind: 'error',
      key: 'shipping.bookingCancelledRebookFailed',
      params: { ...said, carrier: carrier.carrier, error: ctx.t(carrier.rebookFailed.key, localizedParams(carrier.rebookFailed, ctx.t, 'UTC')) },
    };
  if (!carrier.rebooked) return { kind: 'ok', key: 'shipping.bookingCancelled', params: { ...said, carrier: carrier.carrier } };
  // The others, booked again under new numbers: their new labels go to the printer (or open) as a booking's do.
  const rebooked = carrier.rebooked.parcels.map((p) => p.parcelId).join(', ');
  const labels = await carrierLabels(ctx, carrier.rebooked, { ...said, parcelIds: rebooked, count: carrier.rebooked.parcels.length });
  if (labels.kind === 'error') return labels;
  const printed = labels.key.endsWith('Printed');
  return {
    kind: 'ok',
    key: printed ? 'shipping.bookingCancelledRebookedPrinted' : 'shipping.bookingCancelledRebooked',
    params: { ...labels.params, ...said, carrier: carrier.carrier, parcelIds: rebooked },
    open: labels.open,
  };
}

/** The undo of a removal: the parcel goes back on the delivery. */
export function restoreParcelHere(ctx: StationActionCtx, code: string, parcelId: string): StationOutcome {
  const restored = restoreParcel(ctx.db, code, parcelId, writeCtx(ctx));
  return { kind: 'ok', key: 'scan.parcelRestored', params: { parcelId, code: restored.code } };
}

/**
 * Report in at the station (its deliveries with parcels, or the orders ticked), once per `key`.
 * Orders left out make it an error naming each; with verification "warn" the units that went
 * unchecked are named; nothing to report is an error too.
 */
export function reportIn(ctx: StationActionCtx, input: { orders: string[]; key: string; pruneKeys?: boolean }): StationOutcome {
  const { reported, failed, unchecked } = reportAtStation(ctx.db, input, writeCtx(ctx));
  const shipped = reported.filter((r) => r.status === 'shipped').length;
  const counts = { count: reported.length, shipped: ctx.t('shipping.ordersShipped', { count: shipped }), partial: reported.length - shipped };
  if (failed.length) {
    // The rest were reported; each order left out is named with its reason (by the page, in its reader's words).
    return { kind: 'error', key: 'shipping.reportedWithFailures', params: { ...counts, failed: failed.length }, failures: failed, queue: true };
  }
  if (reported.length && unchecked.length) {
    // "Warn": reported, with the units that were not checked named.
    return { kind: 'duplicate', key: 'shipping.reportedUnchecked', params: { ...counts, lines: unchecked.join(', ') }, queue: true };
  }
  return { kind: reported.length ? 'ok' : 'error', key: reported.length ? 'shipping.reported' : 'shipping.nothingToReport', params: counts, queue: true };
}

/** Refuses a command about the order open at the station when none is open; otherwise its code. */
export function openOrderCode(station: StationRow): string {
  if (!station.currentCode) throw new AppError('validation_failed', 'shipping.openFirst');
  return station.currentCode;
}
