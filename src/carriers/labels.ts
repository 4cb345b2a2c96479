import { PDFDocument } from 'pdf-lib';
import type { Conn } from '../db/client.js';
import { bookingIdOfParcel, labelsOf, parcelsOfBooking } from './repo.js';

// A booking's labels as the carrier sent them: ZPL to a label printer as is, PDF to the browser.

/** The ZPL labels of one document: each `^XA … ^XZ` block. */
export function zplBlocks(zpl: string): string[] {
  return zpl.match(/\^XA[\s\S]*?\^XZ/g) ?? [];
}

/** A booking's ZPL, all its labels in one print job; null when the carrier sent none. */
export function bookingZpl(conn: Conn, bookingId: number): string | null {
  const zpl = labelsOf(conn, bookingId).filter((l) => l.format === 'zpl');
  return zpl.length ? zpl.map((l) => l.data.toString('utf8')).join('\n') : null;
}

/**
 * The carrier's ZPL label of one parcel, when it was booked with a carrier that sent ZPL: its own
 * block when the labels come one per parcel, in the booking's parcel order; else the booking's whole
 * document (the carrier did not say which label is which). Undefined for a parcel of no booking.
 */
export function carrierZplOfParcel(conn: Conn, parcelId: string): string | null | undefined {
  const bookingId = bookingIdOfParcel(conn, parcelId);
  if (bookingId === undefined) return undefined;
  const zpl = bookingZpl(conn, bookingId);
  if (zpl === null) return null;
  const blocks = zplBlocks(zpl);
  const parcels = parcelsOfBooking(conn, bookingId);
  const index = parcels.findIndex((p) => p.parcelId === parcelId);
  return blocks.length === parcels.length && index >= 0 ? blocks[index]! : zpl;
}

/** A booking's PDF labels as one document (the carriers may send one per parcel); null when it has none. */
export async function bookingPdf(conn: Conn, bookingId: number): Promise<Uint8Array | null> {
  const pdfs = labelsOf(conn, bookingId).filter((l) => l.format === 'pdf');
  if (pdfs.length === 0) return null;
  if (pdfs.length === 1) return pdfs[0]!.data;
  const out = await PDFDocument.create();
  for (const label of pdfs) {
    const doc = await PDFDocument.load(label.data);
    for (const page of await out.copyPages(doc, doc.getPageIndices())) out.addPage(page);
  }
  return out.save();
}
