import { z } from 'zod';
import type { Conn, Db } from '../db/client.js';
import { matchesParcelPattern, MIN_PARCEL_ID, parcelFormOf } from '../domain/parcel-id.js';
import { readOrderCode } from '../domain/order-code.js';
import { COMMAND_KEYS, readCommand } from '../domain/station-command.js';
import { AppError, fieldError } from '../errors.js';
import { methodFor } from '../carriers/methods.js';
import { findOrderByCode } from '../orders/repo/orders.js';
import { findProductForScan } from '../products/repo.js';
import { settingsGroup } from '../settings/service.js';

// What a parcel ID may be. A scan at the station that is not an order, a command or (with checks
// on) an item becomes a parcel ID, and a parcel ID goes into the customer's shipped e-mail and the
// webhooks: so a product's own barcode, a SKU, "12" or a key's name typed out must not become one.
// The shape rules are pure (domain/parcel-id.ts); this adds what needs the database and the shop's
// own forms (Settings → Shipping, "Other parcel ID forms"), and is asked where parcels are written.

const formsSchema = z.object({ patterns: z.array(z.string()).max(20) });
const group = settingsGroup('parcelForms', formsSchema, { patterns: [] });

/** The shop's own parcel ID forms (admin patterns, each matched against the whole ID). */
export const getParcelPatterns = (conn: Conn): string[] => group.get(conn).patterns;
export const putParcelPatterns = (db: Db, patterns: string[], now: Date, by: string): void => group.put(db, { patterns }, now, by);

/** Where a parcel ID came from: the broker's, a carrier's booking and the shop's own SSCC series are taken as they come. */
type Origin = 'manual' | 'scanner' | 'camera' | 'broker' | 'sscc' | 'carrier' | 'api';

/**
 * Refuses, on `field`, a cleaned parcel ID that is something else or has no carrier's form: a
 * product's barcode or SKU, an order's code, a station command or a key's name, fewer than 8
 * characters, or none of the known forms and none of the shop's. Call where the parcel is written.
 */
export function refuseNonParcel(conn: Conn, parcelId: string, origin: Origin, field = 'parcelId'): void {
  if (origin === 'broker' || origin === 'sscc' || origin === 'carrier') return;
  const refuse = (problem: string, params: Record<string, unknown> = {}) => {
    throw fieldError(field, `validation.parcel.${problem}`, { parcelId, ...params });
  };
  const product = findProductForScan(conn, parcelId);
  if (product) refuse('product', { sku: product.sku });
  const order = readOrderCode(parcelId);
  if (order.kind === 'valid' && findOrderByCode(conn, order.code)) refuse('order_code');
  const command = readCommand(parcelId);
  if (command) refuse('command', { command });
  const key = Object.entries(COMMAND_KEYS).find(([, k]) => k.toUpperCase() === parcelId.toUpperCase());
  if (key) refuse('command_key', { key: key[1], command: key[0] });
  if (matchesParcelPattern(parcelId, getParcelPatterns(conn))) return;
  if (parcelId.length < MIN_PARCEL_ID) refuse('too_short', { min: MIN_PARCEL_ID });
  const form = parcelFormOf(parcelId);
  if (form === 'upu_check_digit') refuse('upu_check_digit');
  if (form === null) refuse('unknown_form');
}

/**
 * Refuses parcel IDs for an order collected in store (409 `pickup_takes_no_parcels`): it is handed
 * over at the counter without any. One read of the order's method by its code (the default method
 * when the code maps none). Call where the parcel is written.
 */
export function refuseIfPickup(conn: Conn, order: { code: string; shippingMethod: string | null }): void {
  const method = methodFor(conn, order.shippingMethod);
  if (method?.kind === 'pickup') throw new AppError('pickup_takes_no_parcels', 'errors.pickupTakesNoParcels', { code: order.code, method: method.name });
}
