import type { Conn } from '../db/client.js';
import { defaultMethod, methodByCode, type MethodRow } from './repo.js';

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
