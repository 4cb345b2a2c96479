import { preparedFor, type Db } from '../db/client.js';
import { holdReason, type HoldFacts, type OrderHold } from '../domain/hold.js';
import type { PaymentMethod } from '../domain/order-status.js';
import { AppError } from '../errors.js';
import { getPackSettings } from '../pack/settings.js';

const read = preparedFor((sqlite) => sqlite.prepare('SELECT code, waiting, approved, paid, payment_method AS paymentMethod FROM orders WHERE id = ?'));

/** The refusal of a write to an order on hold: why, and (in the message) how to release it. */
export function onHoldError(code: string, reason: OrderHold): AppError {
  return new AppError('order_on_hold', `errors.onHold.${reason}`, { code, reason }, { reason });
}

/**
 * Refuses with `order_on_hold` when the hold rule (domain/hold.ts) holds the order. The flags are
 * read here, on the caller's connection and inside its transaction, not taken from an order the
 * caller loaded earlier: a hold set a moment ago must stop the write that follows it.
 */
export function refuseIfOnHold(db: Db, orderId: number): void {
  const row = read(db).get(orderId) as { code: string; waiting: number; approved: number; paid: number; paymentMethod: PaymentMethod | null } | undefined;
  if (!row) return;
  const facts: HoldFacts = { waiting: row.waiting === 1, approved: row.approved === 1, paid: row.paid === 1, paymentMethod: row.paymentMethod };
  const reason = holdReason(facts, getPackSettings(db));
  if (reason) throw onHoldError(row.code, reason);
}
