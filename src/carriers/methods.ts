import type { Conn } from '../db/client.js';
import { defaultMethod, listMethods, methodByCode, type MethodRow } from './repo.js';

/**
 * The shipping method an order ships by: its own method when Settings maps that code, else the
 * default method, else none (the station's own parcel IDs, as before any method was set up).
 */
export function methodFor(conn: Conn, shippingMethod: string | null): MethodRow | null {
  return (shippingMethod !== null ? methodByCode(conn, shippingMethod) : undefined) ?? defaultMethod(conn) ?? null;
}

/** Whether the order is collected in store (no carrier, no parcel IDs). */
export function isPickup(conn: Conn, shippingMethod: string | null): boolean {
  return methodFor(conn, shippingMethod)?.kind === 'pickup';
}

/**
 * `isPickup` for many orders with one read of the methods (the pack run asks it per batch, not per
 * order): the same rule, an order's own mapped method first, else the default method.
 */
export function pickupRule(conn: Conn): (shippingMethod: string | null) => boolean {
  const kinds = new Map(listMethods(conn).map((m) => [m.code, m.kind]));
  const byDefault = defaultMethod(conn)?.kind === 'pickup';
  return (code) => (code !== null && kinds.has(code) ? kinds.get(code) === 'pickup' : byDefault);
}

/**
 * What the order page calls an order's shipping method: its name when Settings maps the code, else
 * the code as the shop sent it, else null (no method given). Not `methodFor`'s default: the page
 * says what the order asked for.
 */
export function shippingMethodLabel(conn: Conn, shippingMethod: string | null): string | null {
  if (shippingMethod === null || shippingMethod === '') return null;
  return methodByCode(conn, shippingMethod)?.name ?? shippingMethod;
}
