import { SHIPS_BEFORE_PAYMENT, type PaymentMethod } from './order-status.js';

/**
 * Why an order is on hold: `waiting` (a person put it on hold) or `approval` (a pay-later order
 * that Settings wants approved before it is packed, and nobody has approved yet).
 */
export type OrderHold = 'waiting' | 'approval';

/** What the hold rule reads of an order. */
export interface HoldFacts {
  waiting: boolean;
  paid: boolean;
  approved: boolean;
  paymentMethod: PaymentMethod | null;
}

/** The one setting the hold rule reads (Settings → Pack script). */
export interface HoldSettings {
  requireApproval: boolean;
}

/**
 * An unpaid own-invoice or cash-on-delivery order that needs a manual approval (Settings requires
 * it) and has none. A paid order needs no approval: the money is in.
 */
export function awaitsApproval(order: Omit<HoldFacts, 'waiting'>, settings: HoldSettings): boolean {
  return settings.requireApproval && !order.paid && !order.approved && order.paymentMethod !== null && SHIPS_BEFORE_PAYMENT.includes(order.paymentMethod);
}

/**
 * The hold rule: an order on hold is neither promoted, printed for picking, given parcels nor
 * reported, whatever path asks. Waiting comes first: it is the reason a person can lift at once.
 */
export function holdReason(order: HoldFacts, settings: HoldSettings): OrderHold | null {
  if (order.waiting) return 'waiting';
  if (awaitsApproval(order, settings)) return 'approval';
  return null;
}
