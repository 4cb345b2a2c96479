import { writeTransaction, type Conn, type Db, type Tx } from '../db/client.js';
import { isPickup } from '../carriers/methods.js';
import type { Actor } from '../domain/actor.js';
import { pickupExtra, queueOrderMail, queueStatusMail, statusMailSends } from '../email/queue.js';
import { logOrderEvent } from '../events/repo.js';
import { AppError } from '../errors.js';
import { refuseIfOnHold } from '../orders/hold.js';
import { findOrderByCodeOrThrow } from '../orders/lookup.js';
import type { OrderRow } from '../orders/repo/orders.js';
import { recordPaymentIn } from '../orders/service.js';
import { moveOrder } from '../orders/status-writer.js';
import { settingsGroup } from '../settings/service.js';
import { findDraftId } from '../shipping/repo/drafts.js';
import { shipDelivery } from '../shipping/service.js';
import { lastEventOf, shelfOrders } from './repo.js';
import { pickupSettingsSchema, type PickupSettings } from './schemas.js';

// Pickup in store: packed orders whose shipping method is `pickup` wait on the shelf; the counter
// hands one over by its code (a delivery without parcel IDs, through shipDelivery, and `picked_up`
// in the history); those not collected after Settings' days get a reminder or are cancelled.

const DAY_MS = 24 * 60 * 60 * 1000;

const group = settingsGroup('pickup', pickupSettingsSchema, { reminderDays: 7 });

/** The pickup settings, each field over its default. */
export const getPickupSettings = (conn: Conn): PickupSettings => group.get(conn);

/** Saves the pickup settings in a write transaction of its own, with who changed them. */
export const putPickupSettings = (db: Db, settings: PickupSettings, now: Date, by: string): void => group.put(db, settings, now, by);

/** Whole days between two instants (a day on the shelf counts once it is over). */
const daysBetween = (from: number, to: number) => Math.max(Math.floor((to - from) / DAY_MS), 0);

/** A pay-at-pickup order not yet paid: the money is taken at the counter, before the goods leave. */
const paysAtCounter = (o: { paymentMethod: string | null; paid: boolean }) => o.paymentMethod === 'pickup' && !o.paid;

export interface ShelfEntry {
  code: string;
  customerName: string | null;
  readySince: Date;
  daysWaiting: number;
  onHold: boolean;
  /** What a pay-at-pickup order still owes (minor units); 0 when nothing is taken at the counter. */
  dueAtCounter: number;
  currency: string;
  remindedAt: Date | null;
}

/** The shelf: pickup orders waiting (oldest ready first), and those not collected after the reminder days. */
export function pickupShelf(conn: Conn, now: Date): { waiting: ShelfEntry[]; notCollected: ShelfEntry[]; reminderDays: number } {
  const { reminderDays } = getPickupSettings(conn);
  const entries = shelfOrders(conn).map((r): ShelfEntry => ({
    code: r.code,
    customerName: r.customerName,
    readySince: new Date(r.readySince),
    daysWaiting: daysBetween(r.readySince, now.getTime()),
    onHold: r.waiting,
    dueAtCounter: paysAtCounter(r) ? Math.max(r.total - r.paidAmount, 0) : 0,
    currency: r.currency,
    remindedAt: r.remindedAt === null ? null : new Date(r.remindedAt),
  }));
  return {
    waiting: entries.filter((e) => e.daysWaiting < reminderDays),
    notCollected: entries.filter((e) => e.daysWaiting >= reminderDays),
    reminderDays,
  };
}

/**
 * The order a counter action is about, checked in the caller's transaction: a pickup order still on
 * the shelf (packing). Refused in words: an unknown code (orders/lookup.ts), not a pickup order,
 * already handed over or shipped, not packed yet (its status).
 */
function shelfOrder(tx: Tx, code: string): OrderRow {
  const order = findOrderByCodeOrThrow(tx, code);
  if (!isPickup(tx, order.shippingMethod)) throw new AppError('conflict', 'errors.notPickupOrder', { code: order.code });
  if (order.status === 'shipped') {
    const handed = lastEventOf(tx, order.id, 'picked_up');
    if (handed) throw new AppError('conflict', 'errors.pickupAlreadyHandedOver', { code: order.code, by: handed.actorName });
    throw new AppError('conflict', 'errors.pickupAlreadyShipped', { code: order.code });
  }
  if (order.status !== 'packing') throw new AppError('order_not_packing', 'errors.pickupNotPacked', { code: order.code, status: order.status });
  return order;
}

export interface HandOverOptions {
  /** The counter took the money of a pay-at-pickup order: the payment is recorded with the hand-over. */
  paidAtCounter?: boolean;
  /**
   * The amount the clerk was shown and took (minor units). Recorded only while it is still what the
   * order owes: a line changed since is refused with the new amount, offered again.
   */
  shownDue?: number;
}

/**
 * Hands a pickup order over at the counter, in one write transaction: the checks of the shelf, the
 * hold rule, the payment of a pay-at-pickup order (refused unless the counter records it now, and
 * only the amount the clerk was shown), then every remaining unit shipped by shipDelivery without
 * parcel IDs, through the order's open delivery when it has one (its item checks count, and no
 * draft is left beside the hand-over), the order becoming shipped, and `picked_up` in the history
 * with who handed it over. No shipped e-mail (docs/decisions.md).
 */
export function handOver(db: Db, code: string, opts: HandOverOptions, ctx: { actor: Actor; now: Date }): { code: string; customerName: string | null } {
  return writeTransaction(db, (tx) => {
    let order = shelfOrder(tx, code);
    refuseIfOnHold(tx, order.id);
    if (paysAtCounter(order)) {
      const due = Math.max(order.total - order.paidAmount, 0);
      const offer = { due, currency: order.currency, payAtCounter: true };
      if (!opts.paidAtCounter) {
        throw new AppError('order_unpaid', 'errors.pickupPayAtCounter', { code: order.code, due: { minor: due, currency: order.currency } }, offer);
      }
      if (opts.shownDue !== due) {
        throw new AppError(
          'order_unpaid',
          'errors.pickupDueChanged',
          { code: order.code, due: { minor: due, currency: order.currency }, shown: { minor: opts.shownDue ?? 0, currency: order.currency } },
          offer,
        );
      }
      order = recordPaymentIn(tx, order, { amount: due, reference: `counter:${order.code}` }, ctx);
    }
    const draftId = findDraftId(tx, order.id);
    const shipped = shipDelivery(tx, order, { handOver: true, ...(draftId !== undefined && { draftId }) }, ctx);
    logOrderEvent(tx, order, 'picked_up', ctx.actor, ctx.now.getTime(), { deliveryId: shipped.deliveryId, lines: shipped.lines, by: ctx.actor.name });
    return { code: order.code, customerName: order.customerName };
  });
}

/** Who handed an order over, and when (the last `picked_up` of its history), for the counter's answer. */
export function handedOver(conn: Conn, code: string): { code: string; by: string; at: Date } | null {
  const order = findOrderByCodeOrThrow(conn, code);
  const event = lastEventOf(conn, order.id, 'picked_up');
  return event ? { code: order.code, by: event.actorName, at: event.createdAt } : null;
}

/**
 * Reminds the customer of a pickup order still on the shelf: the `pickup_reminder` e-mail (its
 * mode permitting, and given an address) and `pickup_reminded` in the history, with the days it
 * has waited. Returns how many e-mails were written.
 */
export function remindPickup(db: Db, code: string, ctx: { actor: Actor; now: Date }): number {
  return writeTransaction(db, (tx) => {
    const order = shelfOrder(tx, code);
    const ready = shelfOrders(tx).find((r) => r.id === order.id);
    const days = ready ? daysBetween(ready.readySince, ctx.now.getTime()) : 0;
    const emails = queueOrderMail(tx, order.id, 'pickup_reminder', { actor: ctx.actor, now: ctx.now, extra: pickupExtra(order.code, days) });
    logOrderEvent(tx, order, 'pickup_reminded', ctx.actor, ctx.now.getTime(), { days, emails: emails.length });
    return emails.length;
  });
}

/**
 * Cancels a pickup order nobody collected: the status writer's move to cancelled (which releases
 * its allocation) and the cancelled e-mail as its mode says, as the order page's cancel does. The
 * move's event says whether that e-mail goes (decided before the move is written, and kept to).
 */
export function cancelUncollected(db: Db, code: string, ctx: { actor: Actor; now: Date }): void {
  writeTransaction(db, (tx) => {
    const order = shelfOrder(tx, code);
    const notifyCustomer = statusMailSends(tx, order, 'cancelled', 'auto');
    const moved = moveOrder(tx, order, 'cancelled', { actor: ctx.actor, now: ctx.now, data: { notifyCustomer, reason: 'not_collected' } });
    queueStatusMail(tx, order, moved.status, { actor: ctx.actor, now: ctx.now, notify: notifyCustomer });
  });
}
