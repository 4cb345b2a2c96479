import { carrierServices, parcelTracking } from '../carriers/tracking.js';
import { findCustomStatus } from '../custom-statuses/repo.js';
import { getEmailSettings } from '../email/settings.js';
import { amountDue } from '../domain/payment-due.js';
import type { Db } from '../db/client.js';
import { eventsOfOrder } from '../events/repo.js';
import { presentReturn } from '../returns/present.js';
import { returnedByLine, returnsOfOrder } from '../returns/repo.js';
import { deliveriesOfOrder, listLines, type OrderLineRow, type OrderRow } from './repo/orders.js';
import type { OrderListRow } from './repo/list.js';

function presentCustomer(o: OrderRow) {
  if (o.customerName === null) return null;
  return {
    type: o.customerKind,
    name: o.customerName,
    email: o.customerEmail,
    phone: o.customerPhone,
    address: { line1: o.shipLine1, line2: o.shipLine2, postalCode: o.shipPostalCode, city: o.shipCity, country: o.shipCountry },
  };
}

/**
 * The whole order as GET /api/v1/orders/:code returns it and the order page shows it. `lines`: the
 * order's lines in id order when the caller has just written them (order intake), else read here.
 * (A Db, not a Conn: returns/repo.ts's readers take one.)
 */
export function presentOrder(db: Db, o: OrderRow, lines: OrderLineRow[] = listLines(db, o.id)) {
  const customStatus = findCustomStatus(db, o.customStatusId);
  const returned = returnedByLine(db, o.id);
  const deliveries = deliveriesOfOrder(db, o.id);
  // The shop's tracking address is read only when there are parcels to make addresses for.
  const pattern = deliveries.some((d) => d.parcels.length > 0) ? getEmailSettings(db).trackingUrl : '';
  return {
    code: o.code,
    status: o.status,
    paid: o.paid,
    paidAmount: o.paidAmount,
    /** What an order paid by card, bank transfer or at pickup still owes before it ships (minor units). */
    amountDue: amountDue(o),
    approved: o.approved,
    waiting: o.waiting,
    reviewed: o.reviewed,
    priority: o.priority,
    customStatus: customStatus ? { code: customStatus.code, label: customStatus.label, color: customStatus.color } : null,
    comment: o.comment,
    customer: presentCustomer(o),
    paymentMethod: o.paymentMethod,
    shippingMethod: o.shippingMethod,
    currency: o.currency,
    subtotal: o.subtotal,
    shippingFee: o.shippingFee,
    total: o.total,
    lines: lines.map((l) => ({
      id: l.id,
      sku: l.sku,
      name: l.name,
      quantity: l.quantity,
      shippedQuantity: l.shippedQuantity,
      remainingQuantity: l.quantity - l.shippedQuantity,
      returnedQuantity: returned.get(l.id) ?? 0,
      unitPrice: l.unitPrice,
      vatRate: l.vatRate,
      lineTotal: l.unitPrice * l.quantity,
      productExists: l.productId !== null,
    })),
    deliveries: deliveries.map((d) => ({
      id: d.id,
      status: d.status,
      partial: d.partial,
      reportedAt: d.reportedAt?.toISOString() ?? null,
      reportedBy: d.reportedBy,
      parcels: d.parcels.map((p) => p.parcelId),
      lines: d.lines.map((l) => ({ sku: l.sku, quantity: l.quantity })),
      /** Where each parcel can be followed, and the carrier and service it was booked with (carriers/tracking.ts). */
      tracking: parcelTracking(d.parcels, pattern),
      /** The carriers and services the parcels were booked with, each once; empty when none was booked. */
      carriers: carrierServices(d.parcels),
    })),
    returns: returned.size ? returnsOfOrder(db, o.id).map(presentReturn) : [],
    events: eventsOfOrder(db, o.id).map((e) => ({
      id: e.id,
      type: e.type,
      actor: { type: e.actorType, name: e.actorName },
      data: e.data ?? {},
      createdAt: e.createdAt.toISOString(),
    })),
    source: o.source,
    createdAt: o.createdAt.toISOString(),
    placedAt: o.placedAt?.toISOString() ?? null,
    updatedAt: o.updatedAt.toISOString(),
  };
}
export type OrderView = ReturnType<typeof presentOrder>;

/** One row of a list of orders; `returned`: the order has a registered return (the R marker). */
export function presentOrderSummary({ order: o, customStatus, lineCount, returned }: OrderListRow) {
  return {
    code: o.code,
    status: o.status,
    paid: o.paid,
    waiting: o.waiting,
    reviewed: o.reviewed,
    priority: o.priority,
    customStatus: customStatus?.code ? customStatus : null,
    customerName: o.customerName,
    customerEmail: o.customerEmail,
    comment: o.comment,
    paymentMethod: o.paymentMethod,
    shippingMethod: o.shippingMethod,
    currency: o.currency,
    total: o.total,
    lineCount,
    returned: Boolean(returned),
    createdAt: o.createdAt.toISOString(),
    placedAt: o.placedAt?.toISOString() ?? null,
  };
}
