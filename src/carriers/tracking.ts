import { trackingUrlOf } from '../domain/tracking.js';
import { carrierDefinition } from './registry.js';
import type { CarrierKind } from './types.js';

// What the shipped e-mail's readers, the `delivery.reported` webhook, the API and the order page are
// told of a parcel: where to follow it and whom it went with. The rows come from one read per set of
// deliveries (shipping/repo/deliveries.ts, orders/repo/orders.ts), never one per parcel.

/** A parcel as read with its booking: the booking's carrier and service are null when it was not booked with a carrier. */
export interface ParcelWithBooking {
  parcelId: string;
  trackingUrl: string | null;
  carrierKind: CarrierKind | null;
  service: string | null;
}

/** One parcel's tracking, as the webhook and the API give it. */
export interface ParcelTracking {
  parcelId: string;
  /** The carrier's page for the parcel, else the shop's pattern (Settings → E-mails), else null. */
  trackingUrl: string | null;
  /** The carrier's name, when the parcel was booked with one. */
  carrier: string | null;
  /** The carrier's service code the parcel was booked with. */
  service: string | null;
}

/** Each parcel's tracking; `pattern` is the shop's tracking address (`{parcel}`), '' for none. */
export function parcelTracking(parcels: readonly ParcelWithBooking[], pattern: string): ParcelTracking[] {
  return parcels.map((p) => ({
    parcelId: p.parcelId,
    trackingUrl: trackingUrlOf(p.parcelId, p.trackingUrl, pattern),
    carrier: p.carrierKind ? carrierDefinition(p.carrierKind).name : null,
    service: p.carrierKind ? p.service : null,
  }));
}

/** A booked carrier and service as people read them: the service's name when the carrier lists the code, else the code. */
export interface CarrierService {
  carrier: string;
  service: string;
  serviceName: string;
}

/** The carriers and services a delivery's parcels were booked with, each once, in parcel order. */
export function carrierServices(parcels: readonly ParcelWithBooking[]): CarrierService[] {
  const seen = new Map<string, CarrierService>();
  for (const p of parcels) {
    if (!p.carrierKind || p.service === null) continue;
    const key = `${p.carrierKind}\n${p.service}`;
    if (seen.has(key)) continue;
    const definition = carrierDefinition(p.carrierKind);
    const known = definition.services.find((s) => s.code === p.service);
    seen.set(key, { carrier: definition.name, service: p.service, serviceName: known?.name ?? p.service });
  }
  return [...seen.values()];
}
