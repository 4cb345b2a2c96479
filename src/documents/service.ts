import { walkSettings } from '../warehouse/settings.js';
import { logOrderEvent } from '../events/repo.js';
import { deliveryParcelIds } from '../shipping/repo/deliveries.js';
import { writeTransaction, type Conn, type Db } from '../db/client.js';
import type { Actor } from '../domain/actor.js';
import { luhnCheckDigit } from '../domain/gtin.js';
import { normalizeParcelId } from '../domain/parcel-id.js';
import { addDays, dayOf, startOfDay } from '../domain/time.js';
import { isLanguage, type Language } from '../i18n/index.js';
import { AppError } from '../errors.js';
import { refuseIfOnHold } from '../orders/hold.js';
import { DOCUMENT_STATUSES, MAX_DOCUMENT_ORDERS, PRINTED_KINDS, type DocumentKind, type InvoiceInfo, type Seller } from './model.js';
import type { DocumentRenderer } from './render-queue.js';
import {
  deliveryOfParcel,
  earlierPrints,
  insertInvoice,
  insertPrintedDocument,
  invoiceOfOrder,
  loadDocOrders,
  type DocOrderRow,
  type InvoiceRow,
} from './repo.js';
import { getSeller } from './settings.js';
import { takeNumbers } from '../series/repo.js';

export interface DocumentDeps {
  db: Db;
  clock: () => Date;
  renderer: DocumentRenderer;
  timezone: string;
}

export interface PrintRequest {
  kind: DocumentKind;
  codes: readonly string[];
  actor: Actor;
  /** Pick slips and batch lists. */
  lang: Language;
  /**
   * Receipts, invoices, packing slips, labels: each order's in its customer's language (the order's
   * `language`), this one for an order without one (the shop's DEFAULT_LANGUAGE).
   */
  customerLang: Language;
  /** Every customer document in `customerLang`, whatever the customers' languages (an API call's `?lang=`). */
  sameLanguageForAll?: boolean;
  /** For a label: the parcel ID, which must be on one of the order's deliveries. */
  parcelId?: string;
}

/** The file name a browser saves: `pick-slip-1234567890.pdf`, `batch-pick-list-2026-11-22.pdf`. */
export function documentFileName(kind: DocumentKind, codes: readonly string[], now: Date): string {
  const name = kind.replace(/_/g, '-');
  return codes.length === 1 ? `${name}-${codes[0]}.pdf` : `${name}-${now.toISOString().slice(0, 10)}-${codes.length}.pdf`;
}

/** The documents a picker works from: an order on hold is not printed for picking (the hold rule). */
const FOR_PICKING: readonly DocumentKind[] = ['pick_slip', 'pick_slip_receipt', 'batch_pick_list'];

/** Refuses the request unless every order exists and is in a status the document is for. */
function checkOrders(kind: DocumentKind, codes: readonly string[], orders: DocOrderRow[]): void {
  if (codes.length === 0)
    throw new AppError('validation_failed', 'validation.tooFew', { min: 1 }, { fields: [{ path: 'orders', key: 'validation.tooFew', params: { min: 1 } }] });
  if (codes.length > MAX_DOCUMENT_ORDERS) {
    throw new AppError(
      'validation_failed',
      'validation.tooMany',
      { max: MAX_DOCUMENT_ORDERS },
      { fields: [{ path: 'orders', key: 'validation.tooMany', params: { max: MAX_DOCUMENT_ORDERS } }] },
    );
  }
  if (kind === 'invoice' && codes.length > 1) throw new AppError('invoice_one_at_a_time', 'errors.invoiceOneAtATime');
  const found = new Set(orders.map((o) => o.code));
  const missing = codes.find((c) => !found.has(c));
  if (missing) throw new AppError('order_not_found', 'errors.orderNotFound', { code: missing });
  const allowed = DOCUMENT_STATUSES[kind];
  for (const order of orders) {
    if (!allowed.includes(order.status)) {
      throw new AppError('order_not_packing', allowed.length === 1 ? 'errors.orderNotPacking' : 'errors.orderNotPackedYet', {
        code: order.code,
        status: order.status,
        kind,
      });
    }
    if (kind === 'invoice' && order.paymentMethod !== 'invoice') {
      throw new AppError('not_invoice_order', 'errors.notInvoiceOrder', { code: order.code, paymentMethod: order.paymentMethod ?? 'none' });
    }
  }
}

/**
 * The order's invoice: made on its first print with the next number of the gap-free series (the
 * number is taken in the same transaction as the invoice row is written), the same on a reprint.
 * Called by a POST only (Outbound's Print, the order page's Print invoice, the API's
 * `POST /api/v1/orders/:code/invoice`): a GET, which a link on another site can make, only shows an
 * invoice already numbered (`numberedInvoice`).
 */
export function issueInvoice(db: Db, order: DocOrderRow, now: Date, by: string, timezone: string): InvoiceInfo {
  return takeInvoiceNumber(db, order, now, by, timezone).invoice;
}

/** issueInvoice, saying whether the number was taken now (false: the order had one already). */
function takeInvoiceNumber(db: Db, order: DocOrderRow, now: Date, by: string, timezone: string): { invoice: InvoiceInfo; issuedNow: boolean } {
  return writeTransaction(db, (tx) => {
    const existing = invoiceOfOrder(tx, order.id);
    const row =
      existing ??
      (() => {
        const seller = getSeller(tx);
        const number = takeNumbers(tx, 'invoice', { first: seller.firstInvoiceNumber })!;
        const reference = `${number}${luhnCheckDigit(String(number))}`;
        // Due at the start of the day `paymentTermsDays` after the invoice date, in the shop's zone.
        const dueAt = startOfDay(addDays(dayOf(now, timezone), seller.paymentTermsDays), timezone);
        return insertInvoice(tx, { orderId: order.id, orderCode: order.code, number, reference, issuedAt: now, dueAt, issuedBy: by });
      })();
    return { invoice: invoiceInfo(row), issuedNow: !existing };
  });
}

/**
 * Numbers one order's invoice (the API's `POST /api/v1/orders/:code/invoice`): the same checks as
 * printing it (own invoice, packing or shipped), then its number, the next of the series on the
 * first call and the same one on every later call. `code` is resolved already.
 */
export function numberInvoice(db: Db, code: string, now: Date, by: string, timezone: string): { order: DocOrderRow; invoice: InvoiceInfo; issuedNow: boolean } {
  const [order] = checkPrint(db, 'invoice', [code]);
  return { order: order!, ...takeInvoiceNumber(db, order!, now, by, timezone) };
}

/** The order's invoice as numbered by its first print, or 409 `invoice_not_numbered`: nothing is taken here. */
function numberedInvoice(conn: Conn, order: DocOrderRow): InvoiceInfo {
  const row = invoiceOfOrder(conn, order.id);
  if (!row) throw new AppError('invoice_not_numbered', 'errors.invoiceNotNumbered', { code: order.code });
  return invoiceInfo(row);
}

/** An invoice as the documents print it. */
function invoiceInfo(row: InvoiceRow): InvoiceInfo {
  return { number: row.number, reference: row.reference, issuedAt: row.issuedAt.getTime(), dueAt: row.dueAt.getTime() };
}

/**
 * Whether the document can be printed for these orders, as printDocuments decides it, without
 * printing or recording anything (a page asks before it opens the PDF's address): the orders as
 * loaded, or the refusal printDocuments would give.
 */
export function checkPrint(db: Db, kind: DocumentKind, codes: readonly string[]): DocOrderRow[] {
  const unique = [...new Set(codes)];
  const orders = loadDocOrders(db, unique);
  checkOrders(kind, unique, orders);
  if (FOR_PICKING.includes(kind)) for (const order of orders) refuseIfOnHold(db, order.id);
  // An invoice printed for a held order still being packed would take a number of the gap-free
  // series for goods that may never leave (an approval refused means a credit note). Shipped: its
  // invoice is a copy of what went out, whatever the hold says now.
  if (kind === 'invoice') for (const order of orders) if (order.status === 'packing') refuseIfOnHold(db, order.id);
  return orders;
}

/**
 * Prints a document for the orders: checks them, renders one PDF in the documents worker, then
 * records the print on each order (a marker and an event). Nothing is recorded when rendering
 * fails; an invoice number, once taken, stays with its order.
 */
export async function printDocuments(deps: DocumentDeps, req: PrintRequest): Promise<{ pdf: Uint8Array; fileName: string; orders: DocOrderRow[] }> {
  const { db, clock } = deps;
  const codes = [...new Set(req.codes)];
  const orders = checkPrint(db, req.kind, codes);
  const now = clock();
  // Never a number here: printDocuments is what every GET address calls.
  const invoice = req.kind === 'invoice' ? numberedInvoice(db, orders[0]!) : undefined;
  const parcel = req.kind === 'label' ? parcelOf(db, orders[0]!, req.parcelId ?? '') : undefined;
  const pdf = await deps.renderer.render({
    kind: req.kind,
    orders: req.sameLanguageForAll ? orders : orders.map((o) => (isLanguage(o.language) ? { ...o, customerLang: o.language } : o)),
    lang: req.lang,
    customerLang: req.customerLang,
    timeZone: deps.timezone,
    printedAt: now.getTime(),
    printedBy: req.actor.name,
    seller: getSeller(db),
    walk: walkSettings(db),
    ...(invoice && { invoice }),
    ...(parcel && { parcel }),
  });
  recordPrints(db, req.kind, orders, req.actor, clock(), invoice ? String(invoice.number) : (parcel?.parcelId ?? null));
  return { pdf, fileName: parcel ? `label-${parcel.parcelId}.pdf` : documentFileName(req.kind, codes, now), orders };
}

/** The parcel on one of the order's deliveries, with its place among that delivery's parcels. */
function parcelOf(conn: Conn, order: DocOrderRow, raw: string): { parcelId: string; index: number; of: number } {
  const parcelId = normalizeParcelId(raw);
  const delivery = deliveryOfParcel(conn, order.id, parcelId);
  if (delivery === undefined) throw new AppError('parcel_not_found', 'errors.parcelNotOnOrder', { parcelId, code: order.code });
  const all = deliveryParcelIds(conn, delivery);
  return { parcelId, index: all.indexOf(parcelId) + 1, of: all.length };
}

/**
 * A parcel's label as printDocuments loads and checks it for the PDF, for a label printed another
 * way (ZPL on a network printer, printers/service.ts): the order, the parcel's place among its
 * delivery's parcels, the seller. `code` is resolved already.
 */
export function loadLabel(
  db: Db,
  code: string,
  parcelId: string,
): { order: DocOrderRow; parcel: { parcelId: string; index: number; of: number }; seller: Seller } {
  const orders = loadDocOrders(db, [code]);
  checkOrders('label', [code], orders);
  const order = orders[0]!;
  return { order, parcel: parcelOf(db, order, parcelId), seller: getSeller(db) };
}

/** Records a label printed another way as a PDF label is recorded; `extra` goes in the event (the printer it went to). */
export function recordLabelPrint(db: Db, order: DocOrderRow, actor: Actor, now: Date, parcelId: string, extra: Record<string, unknown>): void {
  recordPrints(db, 'label', [order], actor, now, parcelId, extra);
}

/** One printed_documents row and one order event per order and kind, in one transaction. */
function recordPrints(
  db: Db,
  kind: DocumentKind,
  orders: DocOrderRow[],
  actor: Actor,
  now: Date,
  reference: string | null,
  extra: Record<string, unknown> = {},
): void {
  const at = now.getTime();
  writeTransaction(db, (tx) => {
    for (const order of orders) {
      for (const printed of PRINTED_KINDS[kind]) {
        // A label is one parcel's: the first print of the second parcel's label is no reprint.
        const reprint = earlierPrints(tx, order.id, printed, printed === 'label' ? reference : undefined) > 0;
        insertPrintedDocument(tx, { orderId: order.id, kind: printed, linesVersion: order.linesVersion, reference, printedBy: actor.name, printedAt: now });
        logOrderEvent(tx, order, 'document_printed', actor, at, { kind: printed, reprint, ...(reference && { reference }), ...extra });
      }
    }
  });
}
