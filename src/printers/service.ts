import { writeTransaction, type Conn, type Db } from '../db/client.js';
import type { Actor } from '../domain/actor.js';
import { normalizeParcelId } from '../domain/parcel-id.js';
import { loadLabel, recordLabelPrint } from '../documents/service.js';
import { AppError, fieldError, toAppError } from '../errors.js';
import { logOrderEvent } from '../events/repo.js';
import { isLanguage, translator, type Language } from '../i18n/index.js';
import { resolveOrderCode } from '../orders/lookup.js';
import { ensureStation } from '../shipping/stations.js';
import {
  deletePrinter,
  findPrinter,
  insertPrinter,
  listPrinters,
  printerIdByName,
  setStationPrinter,
  stationPrinter,
  stationsUsing,
  updatePrinter,
  type PrinterRow,
} from './repo.js';
import type { PrinterInput } from './schemas.js';
import { sendRaw } from './send.js';
import { labelZpl, testLabelZpl } from './zpl.js';
import { bookingZpl, carrierZplOfParcel } from '../carriers/labels.js';
import { orderCodeOfBooking, parcelsOfBooking } from '../carriers/repo.js';

export type { PrinterRow } from './repo.js';
export { listPrinters } from './repo.js';

/** What printing needs besides the database: the time, how long a printer may take, the label's language. */
export interface PrintDeps {
  db: Db;
  clock: () => Date;
  /** Connect, send and the printer's close, in all (PRINTER_TIMEOUT_MS). */
  timeoutMs: number;
  /** The label's language for an order without a customer language of its own (the shop's). */
  lang: Language;
}

/** The station a print is for: the user signed in and the device's station name. */
export interface StationRef {
  userId: number;
  stationName: string;
}

export function getPrinterOrThrow(conn: Conn, id: number): PrinterRow {
  const printer = findPrinter(conn, id);
  if (!printer) throw new AppError('printer_not_found', 'errors.printerNotFound', { id });
  return printer;
}

/** Adds a printer (`id` null) or changes one. Names are unique, whatever their case. */
export function savePrinter(db: Db, id: number | null, input: PrinterInput, now: Date): PrinterRow {
  return writeTransaction(db, (tx) => {
    if (id !== null) getPrinterOrThrow(tx, id);
    const other = printerIdByName(tx, input.name);
    if (other !== undefined && other !== id) throw fieldError('name', 'validation.printerNameInUse', { name: input.name });
    const saved = id === null ? insertPrinter(tx, input, now) : (updatePrinter(tx, id, input, now), id);
    return findPrinter(tx, saved)!;
  });
}

/** Deletes a printer; the stations that used it print PDF labels again. Returns how many stations that was. */
export function removePrinter(db: Db, id: number): { name: string; stations: number } {
  return writeTransaction(db, (tx) => {
    const printer = getPrinterOrThrow(tx, id);
    const stations = stationsUsing(tx, id);
    deletePrinter(tx, id);
    return { name: printer.name, stations };
  });
}

/** Sends the test page to a printer; a fault is thrown as the station would show it. */
export async function testPrint(deps: Pick<PrintDeps, 'db' | 'timeoutMs'>, id: number, lang: Language): Promise<PrinterRow> {
  const printer = getPrinterOrThrow(deps.db, id);
  await sendRaw(printer, testLabelZpl(printer, translator(lang)), deps.timeoutMs);
  return printer;
}

/** The station's label printer (null: PDF in the browser) and whether it prints when a parcel ID is added. */
export function stationPrinterChoice(conn: Conn, station: StationRef): { printer: PrinterRow | null; autoPrint: boolean } {
  const row = stationPrinter(conn, station.userId, station.stationName);
  return { printer: row?.printer ?? null, autoPrint: row?.printer ? row.autoPrint : false };
}

/** Settings → Printers: every printer with how many stations print their labels on it. */
export function printersWithStations(conn: Conn): (PrinterRow & { stations: number })[] {
  return listPrinters(conn).map((p) => ({ ...p, stations: stationsUsing(conn, p.id) }));
}

/** What views/printers/station-printer.ejs shows: every printer, the station's choice (null: PDF) and its flag. */
export function stationPrinterModel(conn: Conn, station: StationRef): { printers: PrinterRow[]; chosenId: number | null; autoPrint: boolean } {
  const choice = stationPrinterChoice(conn, station);
  return { printers: listPrinters(conn), chosenId: choice.printer?.id ?? null, autoPrint: choice.autoPrint };
}

/**
 * Sets the station's label printer (null: PDF in the browser) and its auto-print flag; the station
 * is made on first use. Printing automatically needs a printer: with PDF the flag is kept off.
 */
export function chooseStationPrinter(
  db: Db,
  station: StationRef,
  choice: { printerId: number | null; autoPrint: boolean },
  now: Date,
): { printer: PrinterRow | null; autoPrint: boolean } {
  return writeTransaction(db, (tx) => {
    const printer = choice.printerId === null ? null : getPrinterOrThrow(tx, choice.printerId);
    const row = ensureStation(tx, station.userId, station.stationName, now);
    const autoPrint = printer !== null && choice.autoPrint;
    setStationPrinter(tx, row.id, printer?.id ?? null, autoPrint);
    return { printer, autoPrint };
  });
}

export interface PrintRequest {
  code: string;
  parcelId: string;
  actor: Actor;
  /** The printer to use; else the station's. */
  printerId?: number;
  station?: StationRef;
}

export interface PrintedLabel {
  code: string;
  parcelId: string;
  index: number;
  of: number;
  printer: { id: number; name: string };
}

/**
 * Prints a parcel's label as ZPL on a network printer: the printer given, else the station's.
 * The order and parcel are checked as for the PDF label (the same loading), the label is sent, and
 * the print is logged on the order either way: printed (the printed-documents record and a
 * `document_printed` event naming the printer) or not (`label_print_failed` with the printer and
 * the fault, which is thrown on). Nothing else changes, so a failed print is retried as it is.
 */
export async function printParcelLabel(deps: PrintDeps, req: PrintRequest): Promise<PrintedLabel> {
  const { db, clock } = deps;
  const code = resolveOrderCode(req.code);
  const parcelId = normalizeParcelId(req.parcelId);
  let printer: PrinterRow | null;
  if (req.printerId !== undefined) printer = getPrinterOrThrow(db, req.printerId);
  else printer = req.station ? stationPrinterChoice(db, req.station).printer : null;
  if (!printer) throw new AppError('no_label_printer', 'errors.noLabelPrinter', { station: req.station?.stationName ?? '' });
  const { order, parcel, seller } = loadLabel(db, code, parcelId);
  // A carrier's parcel prints the carrier's own label; any other the shop's, in the customer's
  // language as the PDF label: the order's own, else the shop's.
  const carrierZpl = carrierZplOfParcel(db, parcel.parcelId);
  // A carrier that sent its labels as PDF: the shop's own label would carry its number but not its routing.
  if (carrierZpl === null) throw new AppError('no_label_printer', 'errors.carrierLabelPdfOnly', { parcelId: parcel.parcelId });
  const zpl = carrierZpl ?? labelZpl({ order, seller, parcel, t: translator(isLanguage(order.language) ? order.language : deps.lang) }, printer.dpi);
  const target = { id: printer.id, name: printer.name };
  try {
    await sendRaw(printer, zpl, deps.timeoutMs);
  } catch (err) {
    const fault = toAppError(err);
    writeTransaction(db, (tx) =>
      logOrderEvent(tx, order, 'label_print_failed', req.actor, clock().getTime(), {
        parcelId: parcel.parcelId,
        printer: printer.name,
        printerId: printer.id,
        error: fault.code,
        errorKey: fault.key,
        errorParams: fault.params,
      }),
    );
    throw fault;
  }
  recordLabelPrint(db, order, req.actor, clock(), parcel.parcelId, { printer: printer.name, printerId: printer.id });
  return { code: order.code, parcelId: parcel.parcelId, index: parcel.index, of: parcel.of, printer: target };
}

/** What printBookingLabels did: nothing (no printer here, or no ZPL from the carrier), printed on a printer, or failed with the fault. */
export type BookingPrintResult = { status: 'off' } | { status: 'printed'; printer: string } | { status: 'failed'; error: AppError };

/**
 * A carrier booking's ZPL labels, sent as the carrier made them to the station's printer in one job,
 * and recorded as each parcel's label print. Never throws for a printer fault: the booking stands,
 * and the packer prints again from a parcel.
 */
export async function printBookingLabels(deps: PrintDeps, station: StationRef, bookingId: number, actor: Actor): Promise<BookingPrintResult> {
  const printer = stationPrinterChoice(deps.db, station).printer;
  const zpl = bookingZpl(deps.db, bookingId);
  if (!printer || zpl === null) return { status: 'off' };
  const parcels = parcelsOfBooking(deps.db, bookingId);
  const first = parcels[0];
  if (!first) return { status: 'off' };
  const { order } = loadLabel(deps.db, orderCodeOfBooking(deps.db, bookingId), first.parcelId);
  try {
    await sendRaw(printer, zpl, deps.timeoutMs);
  } catch (err) {
    const error = toAppError(err);
    if (error.status >= 500 && !error.code.startsWith('printer_')) throw err;
    writeTransaction(deps.db, (tx) =>
      logOrderEvent(tx, order, 'label_print_failed', actor, deps.clock().getTime(), {
        parcelId: parcels.map((p) => p.parcelId).join(', '),
        printer: printer.name,
        printerId: printer.id,
        error: error.code,
        errorKey: error.key,
        errorParams: error.params,
      }),
    );
    return { status: 'failed', error };
  }
  for (const p of parcels) recordLabelPrint(deps.db, order, actor, deps.clock(), p.parcelId, { printer: printer.name, printerId: printer.id, carrier: true });
  return { status: 'printed', printer: printer.name };
}

/** What autoPrintAfterParcel did: nothing (no printer or the flag is off), printed, or failed with the fault. */
export type AutoPrintResult = { status: 'off' } | { status: 'printed'; label: PrintedLabel } | { status: 'failed'; error: AppError };

/**
 * Called by the station after a parcel ID was added to the order open there: prints its label on
 * the station's printer when the station prints automatically. Never throws for a printer fault
 * (the parcel is added and stays added): the result says what to tell the packer, who can print
 * again from the parcel.
 */
export async function autoPrintAfterParcel(
  deps: PrintDeps,
  station: StationRef,
  parcel: { code: string; parcelId: string },
  actor: Actor,
): Promise<AutoPrintResult> {
  const choice = stationPrinterChoice(deps.db, station);
  if (!choice.printer || !choice.autoPrint) return { status: 'off' };
  try {
    return { status: 'printed', label: await printParcelLabel(deps, { ...parcel, actor, printerId: choice.printer.id }) };
  } catch (err) {
    const error = toAppError(err);
    if (error.status >= 500 && !error.code.startsWith('printer_')) throw err;
    return { status: 'failed', error };
  }
}
