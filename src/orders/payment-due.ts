import { writeTransaction, type Conn, type Db, type Tx } from '../db/client.js';
import type { Actor } from '../domain/actor.js';
import { amountDue, mayShipWithDue } from '../domain/payment-due.js';
import { appendOrderEvent } from '../events/repo.js';
import { AppError, fieldError } from '../errors.js';
import { resolveOrderCode } from './lookup.js';
import { findDueFacts, findDueFactsByCode, releasedDue, type DueRow } from './repo/orders.js';

// Money before the door (domain/payment-due.ts): the refusal where deliveries are written, and the
// operator's "let it go", kept as an `unpaid_released` event with the amount and the reason.

/** What an order owes before it ships, and what an operator let go (both minor units). */
export interface Due {
  due: number;
  released: number | null;
  currency: string;
  mayShip: boolean;
}

function dueOf(conn: Conn, row: DueRow): Due {
  const due = amountDue({ paymentMethod: row.paymentMethod, paid: row.paid, total: row.total, paidAmount: row.paidAmount });
  const released = due === 0 ? null : releasedDue(conn, row.id);
  return { due, released, currency: row.currency, mayShip: mayShipWithDue(due, released) };
}

/** The words of what an order owes before it ships: a pay-at-pickup order's is taken at the counter, not "paid by" before. */
export function unpaidKey(paymentMethod: string | null): 'errors.unpaid' | 'errors.unpaidPickup' {
  return paymentMethod === 'pickup' ? 'errors.unpaidPickup' : 'errors.unpaid';
}

/** The order's due, read on the caller's connection (inside its transaction when it writes). */
export function dueBeforeShipping(conn: Conn, orderId: number): Due | null {
  const row = findDueFacts(conn, orderId);
  return row ? dueOf(conn, row) : null;
}

/**
 * Refuses with `order_unpaid` a delivery of an order paid before shipping that is short, unless an
 * operator let at least that much go. Read inside the caller's transaction, like the hold rule: a
 * line raised a moment ago must stop the Report in that follows it.
 */
export function refuseIfUnpaid(tx: Tx, orderId: number): void {
  const row = findDueFacts(tx, orderId);
  if (!row) return;
  const d = dueOf(tx, row);
  if (d.mayShip) return;
  const money = (minor: number) => ({ minor, currency: row.currency });
  throw new AppError(
    'order_unpaid',
    unpaidKey(row.paymentMethod),
    { code: row.code, due: money(d.due), received: money(row.paidAmount), total: money(row.total), paymentMethod: row.paymentMethod },
    { due: d.due, received: row.paidAmount, total: row.total, currency: row.currency, paymentMethod: row.paymentMethod },
  );
}

/**
 * An operator lets a short order ship (the customer pays the rest otherwise, or it was agreed): the
 * amount let go and why, in the order's history. Refused when nothing is due or no reason is given.
 */
export function releaseUnpaid(db: Db, code: string, input: { reason: string }, ctx: { actor: Actor; now: Date }): Due {
  const reason = input.reason.trim();
  if (!reason) throw fieldError('reason', 'validation.required');
  if (reason.length > 200) throw fieldError('reason', 'validation.tooLong', { max: 200 });
  return writeTransaction(db, (tx) => {
    const row = findDueFactsByCode(tx, resolveOrderCode(code));
    if (!row) throw new AppError('order_not_found', 'errors.orderNotFound', { code });
    const d = dueOf(tx, row);
    if (d.due === 0) throw new AppError('conflict', 'errors.nothingDue', { code: row.code });
    if (d.mayShip) return d;
    appendOrderEvent(tx, row, 'unpaid_released', ctx.actor, ctx.now, { due: d.due, currency: row.currency, reason });
    return { ...d, released: d.due, mayShip: true };
  });
}
