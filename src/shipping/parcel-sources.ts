import { bookDelivery, removeBookedParcel, type BookingResult, type CarrierDeps, type RemovalResult } from '../carriers/booking.js';
import { methodFor } from '../carriers/methods.js';
import type { Db } from '../db/client.js';
import type { Actor } from '../domain/actor.js';
import { bookingPdf } from '../carriers/labels.js';
import { bookingIdOfParcel } from '../carriers/repo.js';
import { loadLabel, recordLabelPrint } from '../documents/service.js';
import { AppError } from '../errors.js';
import { findOrderByCodeOrThrow } from '../orders/lookup.js';
import { normalizeParcelId } from '../domain/parcel-id.js';
import { ownAdapterFor } from './broker.js';
import { claimForRemoval, draftView, fetchParcels, removeParcel, type DraftView, type StationCtx } from './drafts.js';

// Where "Fetch parcel ID" gets its numbers, by the order's shipping method (Settings → Shipping →
// Carriers): a carrier's booking, or the station's own source (the SSCC series or the HTTP broker)
// when the method books with none. A pickup order takes no parcel IDs. Removing a parcel a carrier
// booked cancels that booking at the carrier.

export type Fetched = { source: 'carrier'; booking: BookingResult; parcelIds: string[] } | { source: 'sscc' | 'broker'; booking: null; parcelIds: string[] };

/** "Fetch parcel ID" (the station and the API): `count` parcel IDs for the order's open delivery. */
export async function fetchParcelIdsFor(db: Db, carriers: CarrierDeps, code: string, count: number | undefined, ctx: StationCtx): Promise<Fetched> {
  const order = findOrderByCodeOrThrow(db, code);
  const method = methodFor(db, order.shippingMethod);
  if (method?.kind === 'pickup') throw new AppError('pickup_takes_no_parcels', 'errors.pickupTakesNoParcels', { code: order.code, method: method.name });
  if (method?.kind === 'carrier') {
    const booking = await bookDelivery(db, carriers, order.code, method, count, ctx);
    return { source: 'carrier', booking, parcelIds: booking.parcels.map((p) => p.parcelId) };
  }
  const fetched = await fetchParcels(db, order.code, count, ownAdapterFor(db), ctx);
  return { source: fetched.source, booking: null, parcelIds: fetched.parcelIds };
}

export interface Removed {
  code: string;
  parcelId: string;
  /** Set when the parcel was a carrier's: what cancelling its booking there did. */
  carrier: RemovalResult | null;
}

/** Takes a parcel off the order's open delivery; a carrier's parcel cancels its booking at the carrier first. */
export async function removeParcelFrom(db: Db, carriers: CarrierDeps, code: string, raw: string, ctx: StationCtx): Promise<Removed> {
  const parcelId = normalizeParcelId(raw);
  const view: DraftView = draftView(db, code);
  const parcel = view.parcels.find((p) => p.parcelId === parcelId);
  if (parcel?.bookingId != null) {
    claimForRemoval(db, view.code, ctx);
    return { code: view.code, parcelId, carrier: await removeBookedParcel(db, carriers, parcel.bookingId, parcelId, ctx) };
  }
  return { ...removeParcel(db, code, parcelId, ctx), carrier: null };
}

/**
 * A carrier's parcel's label as the carrier sent it, as PDF (its booking's labels in one document),
 * recorded as the parcel's label print; null for a parcel no carrier booked (the shop's own label).
 */
export async function carrierLabelPdf(
  db: Db,
  code: string,
  raw: string,
  ctx: { actor: Actor; now: Date },
): Promise<{ pdf: Uint8Array; fileName: string } | null> {
  const parcelId = normalizeParcelId(raw);
  const bookingId = bookingIdOfParcel(db, parcelId);
  if (bookingId === undefined) return null;
  // The parcel must be this order's (loadLabel refuses another's).
  const { order } = loadLabel(db, code, parcelId);
  const pdf = await bookingPdf(db, bookingId);
  if (!pdf) throw new AppError('no_label_printer', 'errors.carrierLabelZplOnly', { parcelId });
  recordLabelPrint(db, order, ctx.actor, ctx.now, parcelId, { carrier: true });
  return { pdf, fileName: `label-${order.code}-${parcelId}.pdf` };
}
