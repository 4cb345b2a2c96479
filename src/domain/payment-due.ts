import type { PaymentMethod } from './order-status.js';

// Money before the door: an order paid by card or bank transfer is paid before its goods leave. A
// line raised on a paid order leaves it short; it must not ship unseen, so Report in refuses it
// until the rest is paid or an operator lets it go (with a reason, kept in the order's history).

/** Payment methods whose money is in before the goods leave. Own invoice and cash on delivery pay after; pay at pickup pays at the counter. */
export const PAID_BEFORE_SHIPPING: readonly PaymentMethod[] = ['card', 'bank_transfer'];

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
