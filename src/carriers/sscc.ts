import type { Db } from '../db/client.js';
import { writeTransaction } from '../db/client.js';
import { gs1CheckDigit } from '../domain/gtin.js';
import { AppError } from '../errors.js';
import { takeNumbers } from '../series/repo.js';
import type { Booking, BookingRequest, CarrierAdapter } from './types.js';

/**
 * The built-in source of parcel IDs, as an adapter like the carriers': SSCC-18 numbers from the
 * shop's own GS1 company prefix. The serial is kept by the number series (series/repo.ts) in a
 * transaction of its own, so a number is never given twice: nothing is ever lost in a call (no
 * lookup is needed: `findByReference` finds nothing), and a number fetched and then removed is
 * skipped, never reused (so `cancel` has nothing to do). No labels: the shop prints its own.
 */
export class SsccSeries implements CarrierAdapter {
  readonly kind = 'sscc';

  constructor(
    private readonly db: Db,
    private readonly settings: { companyPrefix: string; extensionDigit: number },
  ) {}

  // The interface is async because the carriers' adapters await; this one is synchronous (SQLite),
  // so its answer and its refusal are wrapped in a promise rather than thrown at the caller.
  book(request: BookingRequest): Promise<Booking> {
    const count = request.parcels.length;
    const serialDigits = 16 - this.settings.companyPrefix.length;
    const max = 10 ** serialDigits - 1;
    try {
      const first = writeTransaction(this.db, (tx) => takeNumbers(tx, 'sscc', { count, max }));
      if (first === null)
        throw new AppError('broker_failed', 'errors.brokerFailed', { message: `the SSCC serials of prefix ${this.settings.companyPrefix} are used up` });
      const parcels = Array.from({ length: count }, (_, i) => ({
        parcelId: ssccOf(this.settings.extensionDigit, this.settings.companyPrefix, first + i),
        trackingUrl: null,
      }));
      return Promise.resolve({ carrierRef: parcels[0]!.parcelId, parcels, labels: [] });
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }

  findByReference(): Promise<Booking | null> {
    return Promise.resolve(null);
  }

  cancel(): Promise<void> {
    return Promise.resolve();
  }
}

/** SSCC-18: extension digit, company prefix, serial, GS1 check digit. */
export function ssccOf(extensionDigit: number, companyPrefix: string, serial: number): string {
  const body = `${extensionDigit}${companyPrefix}${String(serial).padStart(16 - companyPrefix.length, '0')}`;
  return body + gs1CheckDigit(body);
}
