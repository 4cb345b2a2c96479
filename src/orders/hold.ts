import type { Conn } from '../db/client.js';
import { holdReason, type OrderHold } from '../domain/hold.js';
import { can, type Role } from '../domain/permissions.js';
import { AppError } from '../errors.js';
import { getPackSettings } from '../pack/settings.js';
import { findHoldFacts } from './repo/orders.js';

/** The refusal of a write to an order on hold: why, and (in the message) how to release it. */
export function onHoldError(code: string, reason: OrderHold): AppError {
  return new AppError('order_on_hold', `errors.onHold.${reason}`, { code, reason }, { reason });
}

/**
 * Refuses with `order_on_hold` when the hold rule (domain/hold.ts) holds the order. The flags are
 * read here, on the caller's connection and inside its transaction, not taken from an order the
 * caller loaded earlier: a hold set a moment ago must stop the write that follows it.
 */
export function refuseIfOnHold(conn: Conn, orderId: number): void {
  const held = holdOf(conn, orderId);
  if (held?.reason) throw onHoldError(held.code, held.reason);
}

/** Why the order is on hold now (domain/hold.ts), read on the caller's connection; undefined: no such order. */
export function holdOf(conn: Conn, orderId: number): { code: string; reason: OrderHold | null } | undefined {
  const row = findHoldFacts(conn, orderId);
  if (!row) return undefined;
  return { code: row.code, reason: holdReason(row, getPackSettings(conn)) };
}

/**
 * The catalog key of a hold refusal for its reader: each is told what they can do about it, and
 * never sent to a page they cannot open. A packer (no order page, no Settings) is told to ask an
 * operator; an operator is sent to the order page (untick Waiting, Approve); an admin, and a
 * program (no role: the API), also get the setting behind an approval hold.
 */
export function holdMessageKey(reason: OrderHold, role: Role | null): string {
  if (role !== null && !can(role, 'orders')) return `errors.onHold.${reason}Packer`;
  if (reason === 'approval' && role !== null && !can(role, 'settings')) return 'errors.onHold.approvalOperator';
  return `errors.onHold.${reason}`;
}

/** The key a refusal is said with to this reader: a hold's by {@link holdMessageKey}, any other its own. */
export function readerKey(err: AppError, role: Role | null): string {
  const reason = err.details?.reason;
  return err.code === 'order_on_hold' && (reason === 'waiting' || reason === 'approval') ? holdMessageKey(reason, role) : err.key;
}

/** A page that releases a held order, for a reader who may open it: the order page, Settings → Pack script. */
export interface HoldLink {
  href: string;
  /** Catalog key of the link's text (takes `code`). */
  key: string;
}

/** Where this reader can release the hold: nothing for a packer (the message says whom to ask). */
export function holdLinks(reason: OrderHold, code: string, role: Role): HoldLink[] {
  const links: HoldLink[] = [];
  if (can(role, 'orders'))
    links.push({ href: `/orders/${encodeURIComponent(code)}${reason === 'approval' ? '#approve' : ''}`, key: 'outbound.hold.openOrder' });
  if (reason === 'approval' && can(role, 'settings')) links.push({ href: '/settings/pack-script', key: 'outbound.hold.openSettings' });
  return links;
}
