import { walkingOrder, type WalkSettings } from '../domain/walking-order.js';
import type { Language } from '../i18n/index.js';
import type { OrderStatus, PaymentMethod } from '../domain/order-status.js';
import { vatByRate, type VatAtRate } from '../domain/vat.js';

/** The documents Outbound prints. `pick_slip_receipt` is both, order by order, in one PDF. */
export const DOCUMENT_KINDS = ['pick_slip', 'receipt', 'pick_slip_receipt', 'invoice', 'packing_slip', 'batch_pick_list'] as const;
/** Outbound's documents, and the shipping label of a parcel (printed from Shipping out). */
export type DocumentKind = (typeof DOCUMENT_KINDS)[number] | 'label' | 'credit_note';
/** What a print records on each order (a pick slip + receipt records both). */
export type PrintedKind = Exclude<DocumentKind, 'pick_slip_receipt'>;

export const PRINTED_KINDS: Record<DocumentKind, PrintedKind[]> = {
  pick_slip: ['pick_slip'],
  receipt: ['receipt'],
  pick_slip_receipt: ['pick_slip', 'receipt'],
  invoice: ['invoice'],
  packing_slip: ['packing_slip'],
  batch_pick_list: ['batch_pick_list'],
  label: ['label'],
  credit_note: ['credit_note'],
};

/** Statuses an order must have for each document: picking is for packing orders only. */
export const DOCUMENT_STATUSES: Record<DocumentKind, readonly OrderStatus[]> = {
  pick_slip: ['packing'],
  pick_slip_receipt: ['packing'],
  batch_pick_list: ['packing'],
  receipt: ['packing', 'shipped'],
  packing_slip: ['packing', 'shipped'],
  invoice: ['packing', 'shipped'],
  label: ['packing', 'shipped'],
  credit_note: ['packing', 'shipped'],
};

/** Orders in one request, at most. */
export const MAX_DOCUMENT_ORDERS = 1000;

/** One order line as the documents print it. Plain data: it crosses to the rendering worker. */
export interface DocLine {
  sku: string;
  name: string;
  barcode: string | null;
  location: string | null;
  quantity: number;
  shipped: number;
  /** Ordered minus shipped: what is still to pick. */
  remaining: number;
  /** What goes in the parcel now: the draft delivery's quantity when a partial delivery is set, else `remaining`. */
  thisDelivery: number;
  /** Gross, minor units. */
  unitPrice: number;
  /** Basis points (2500 = 25 %). */
  vatRate: number;
}

export interface DocOrder {
  code: string;
  status: OrderStatus;
  currency: string;
  paymentMethod: PaymentMethod | null;
  paid: boolean;
  placedAt: number | null;
  createdAt: number;
  customerName: string | null;
  customerEmail: string | null;
  customerPhone: string | null;
  shipTo: { line1: string | null; line2: string | null; postalCode: string | null; city: string | null; country: string | null };
  comment: string | null;
  priority: number;
  subtotal: number;
  shippingFee: number;
  total: number;
  lines: DocLine[];
  /** The language of this order's customer documents when it is not the job's `customerLang`: the customer's own. */
  customerLang?: Language;
}

/** The seller block of an invoice and a receipt (Settings → Documents). */
export interface Seller {
  name: string;
  address: string;
  orgNumber: string;
  vatNumber: string;
  email: string;
  phone: string;
  bankAccount: string;
  paymentTermsDays: number;
  /** Basis points; VAT on the shipping fee. */
  shippingVatRate: number;
  firstInvoiceNumber: number;
}

export interface InvoiceInfo {
  number: number;
  issuedAt: number;
  dueAt: number;
  /** OCR payment reference: the invoice number with a Luhn check digit. */
  reference: string;
}

/** A credit note: what a return gives back on an own-invoice order (returns/service.ts). */
export interface CreditNoteInfo {
  number: number;
  returnNumber: number;
  issuedAt: number;
  /** The order's invoice, when one was made. */
  invoiceNumber: number | null;
  lines: { sku: string; name: string; quantity: number; unitPrice: number; vatRate: number }[];
  /** Gross, minor units: the sum of the lines. */
  refundAmount: number;
}

/** Everything a rendering needs; sent to the worker as is. */
export interface RenderJob {
  kind: DocumentKind;
  orders: DocOrder[];
  /** How the warehouse is walked (Settings → Warehouse): the order of pick slips' and batch lists' lines; none: bins in natural order. */
  walk?: WalkSettings;
  /** Pick slips and batch lists: the packer's language. */
  lang: Language;
  /** Receipts, invoices, packing slips and labels: the language of an order without a `customerLang` of its own. */
  customerLang: Language;
  timeZone: string;
  printedAt: number;
  printedBy: string;
  seller: Seller;
  /** For `invoice`: the invoice of the (one) order. */
  invoice?: InvoiceInfo;
  /** For `label`: the parcel, and its place among the delivery's parcels. */
  parcel?: { parcelId: string; index: number; of: number };
  /** For `credit_note`: the return's credit note. */
  creditNote?: CreditNoteInfo;
}

/** Bins in natural order, no zones, no serpentine: the walk of a shop that set none. */
export const NATURAL_WALK: WalkSettings = { zoneOrder: [], serpentine: false };

/** Pick order: the walk through the bins (lines without one last), lines of one bin by SKU. */
export function inPickOrder<T extends { location: string | null; sku: string }>(lines: readonly T[], walk: WalkSettings = NATURAL_WALK): T[] {
  const bySku = [...lines].sort((a, b) => a.sku.localeCompare(b.sku, 'en', { numeric: true }));
  return walkingOrder(bySku, (l) => l.location, walk);
}

/** One product of a batch pick list: the total and who gets how many. */
export interface BatchRow {
  sku: string;
  name: string;
  barcode: string | null;
  location: string | null;
  total: number;
  split: { code: string; quantity: number }[];
}

/** Consolidates the orders' remaining quantities per SKU, in pick order. */
export function batchRows(orders: readonly DocOrder[], walk: WalkSettings = NATURAL_WALK): BatchRow[] {
  const rows = new Map<string, BatchRow>();
  for (const order of orders) {
    for (const line of order.lines) {
      if (line.remaining <= 0) continue;
      let row = rows.get(line.sku);
      if (!row) rows.set(line.sku, (row = { sku: line.sku, name: line.name, barcode: line.barcode, location: line.location, total: 0, split: [] }));
      row.total += line.remaining;
      row.split.push({ code: order.code, quantity: line.remaining });
    }
  }
  return inPickOrder([...rows.values()], walk);
}

/** VAT by rate of an order's lines and its shipping fee (at the seller's shipping rate), for an invoice or a receipt. */
export function vatSummary(order: DocOrder, shippingVatRate: number): VatAtRate[] {
  return vatByRate([...order.lines.map((l) => ({ gross: l.unitPrice * l.quantity, rate: l.vatRate })), { gross: order.shippingFee, rate: shippingVatRate }]);
}
