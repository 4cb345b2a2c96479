import type { PaymentMethod } from './order-status.js';

// Money before the door: an order paid by card or bank transfer is paid before its goods leave, and
// one paid at pickup is paid at the counter before it is handed over. A line raised on a paid order
// leaves it short; it must not ship unseen, so every path that ships refuses it until the rest is
// paid or an operator lets it go (with a reason, kept in the order's history).

/**
 * Payment methods whose money is in before the goods leave. Own invoice and cash on delivery pay
 * after. Pay at pickup is packed unpaid (SHIPS_BEFORE_PAYMENT) but its money is due before the
 * goods leave: the counter records it with the hand-over, and any other way out refuses it unpaid.
 */
export const PAID_BEFORE_SHIPPING: readonly PaymentMethod[] = ['card', 'bank_transfer', 'pickup'];

/** What the rule reads of an order: amounts in minor units. */
export interface DueFacts {
  paymentMethod: PaymentMethod | null;
  paid: boolean;
  total: number;
  paidAmount: number;
}

/** What an order paid before shipping still owes (minor units): 0 when paid or paid later by its method. */
export function amountDue(order: DueFacts): number {
  if (order.paid || order.paymentMethod === null || !PAID_BEFORE_SHIPPING.includes(order.paymentMethod)) return 0;
  return Math.max(order.total - order.paidAmount, 0);
}

/**
 * Whether an order may ship with what it owes: nothing is due, or an operator let go at least as
 * much (`released`, the largest amount let go; a later raise needs another decision).
 */
export function mayShipWithDue(due: number, released: number | null): boolean {
  return due === 0 || (released !== null && released >= due);
}
