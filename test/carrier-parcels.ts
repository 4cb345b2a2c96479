import { writeTransaction, type Db } from '../src/db/client.js';
import { finishBooking, insertAccount, insertBooking } from '../src/carriers/repo.js';
import type { CarrierKind } from '../src/carriers/types.js';
import { openForBooking, recordBookedParcels } from '../src/shipping/drafts.js';

const SYSTEM = { type: 'system' as const, id: null, name: 'test' };

/**
 * Parcels a carrier booked for a packing order's open delivery, written as the booking service
 * writes them (carriers/booking.ts): an account, the attempt recorded pending and finished as
 * booked, then its parcels on the open delivery with their tracking pages. No carrier is called.
 */
export function bookParcels(
  db: Db,
  order: { code: string },
  booking: { kind: CarrierKind; service: string; parcels: { parcelId: string; trackingUrl: string | null }[] },
  now = new Date(),
): { deliveryId: number; bookingId: number } {
  const ctx = { actor: SYSTEM, now };
  return writeTransaction(db, (tx) => {
    const accountId = insertAccount(
      tx,
      {
        name: `${booking.kind} account`,
        kind: booking.kind,
        test: true,
        baseUrl: null,
        labelFormat: 'pdf',
        parcelWeightGrams: 1000,
        senderName: 'Nordic Socks',
        senderLine1: 'Lagervägen 1',
        senderLine2: null,
        senderPostalCode: '111 22',
        senderCity: 'Stockholm',
        senderCountry: 'SE',
        senderPhone: null,
        senderEmail: null,
      },
      'v1.test.only.not-a-secret',
      now,
    );
    const open = openForBooking(tx, order.code, booking.parcels.length, ctx);
    const row = insertBooking(
      tx,
      {
        orderId: open.order.id,
        deliveryId: open.deliveryId,
        accountId,
        carrierKind: booking.kind,
        service: booking.service,
        reference: `${open.order.code}-${open.deliveryId}-1`,
        attempt: 1,
        parcelCount: open.count,
        owner: 'test',
        createdBy: 'test',
      },
      now,
    );
    finishBooking(tx, row.id, 'pending', 'booked', { carrierRef: `SHIPMENT-${row.id}` }, now);
    recordBookedParcels(tx, open.order, open.deliveryId, row.id, booking.parcels, ctx);
    return { deliveryId: open.deliveryId, bookingId: row.id };
  });
}
