import { writeTransaction, type Db, type Tx } from '../db/client.js';
import type { Actor } from '../domain/actor.js';
import { actorLabel } from '../domain/actor.js';
import { invalidScanParams, readItemScan, splitCount } from '../domain/item-scan.js';
import type { CreditNoteInfo } from '../documents/model.js';
import type { DocumentRenderer } from '../documents/render-queue.js';
import { loadDocOrders } from '../documents/repo.js';
import { getSeller } from '../documents/settings.js';
import { queueOrderMail } from '../email/queue.js';
import { logOrderEvent } from '../events/repo.js';
import { AppError, fieldError } from '../errors.js';
import { formatters } from '../i18n/format.js';
import type { Language } from '../i18n/index.js';
import { findOrderByCodeOrThrow } from '../orders/lookup.js';
import { listLines } from '../orders/repo/orders.js';
import { takeNumbers } from '../series/repo.js';
import { changeOnHand } from '../stock/writer.js';
import {
  findReturn,
  insertReturn,
  invoiceNumberOf,
  lineByBarcodes,
  lineBySkuOrBarcode,
  returnedByLine,
  returnsOfOrder,
  type ReturnLineRecord,
  type ReturnRecord,
} from './repo.js';
import { presentReturn, type ReturnView } from './present.js';
import type { ReturnLineInput } from './schemas.js';

// Returns: units of a shipped order come back. Each is restocked (on hand again, ledger reason
// "return") or written off (a ledger row with delta 0 and the reason, damaged or missing: the unit
// left the shelf when it shipped and does not come back to it). A return takes its number from the
// `return` series; an own-invoice order's return also takes a credit-note number from its own
// series. The order's status does not change; its history gets a `return_received` event (the
// `return.received` webhook) and the customer the "return received" e-mail.

export interface ReturnCtx {
  actor: Actor;
  now: Date;
}

/** One order line as the return form and the checks see it. */
export interface ReturnableLine {
  id: number;
  productId: number | null;
  sku: string;
  name: string;
  shipped: number;
  returned: number;
  /** Shipped and not yet returned: the most a new return can take. */
  returnable: number;
  unitPrice: number;
  vatRate: number;
}

function returnableLines(db: Db, orderId: number): ReturnableLine[] {
  const returned = returnedByLine(db, orderId);
  return listLines(db, orderId).map((l) => {
    const back = returned.get(l.id) ?? 0;
    return {
      id: l.id,
      productId: l.productId,
      sku: l.sku,
      name: l.name,
      shipped: l.shippedQuantity,
      returned: back,
      returnable: l.shippedQuantity - back,
      unitPrice: l.unitPrice,
      vatRate: l.vatRate,
    };
  });
}

/** The lines of the order a return can be registered for; an order with nothing shipped is refused (409). */
export function returnableOrder(db: Db, code: string) {
  const order = findOrderByCodeOrThrow(db, code);
  const lines = returnableLines(db, order.id);
  if (!lines.some((l) => l.shipped > 0)) throw new AppError('order_not_shipped', 'errors.orderNotShipped', { code: order.code, status: order.status });
  return { order, lines };
}

/**
 * Registers a return and returns it. Checks every line before anything is written: a SKU not on
 * the order, a write-off without its reason, or more units than were shipped and not yet returned
 * (422 naming the line) refuse the whole return. Call inside a write transaction.
 */
export function registerReturn(tx: Tx, code: string, input: readonly ReturnLineInput[], ctx: ReturnCtx): ReturnRecord {
  const { order, lines } = returnableOrder(tx, code);
  const bySku = new Map(lines.map((l) => [l.sku, l]));
  const taking = new Map<number, number>();
  const chosen = input.map((item, i) => {
    const line = bySku.get(item.sku);
    if (!line) throw fieldError(`lines.${i}.sku`, 'validation.skuNotOnOrder', { sku: item.sku });
    if (item.disposition === 'write_off' && !item.reason) throw fieldError(`lines.${i}.reason`, 'validation.writeOffReason', { sku: item.sku });
    const total = (taking.get(line.id) ?? 0) + item.quantity;
    if (total > line.returnable) {
      const params = { line: i, position: i + 1, sku: line.sku, shipped: line.shipped, returned: line.returned, returnable: line.returnable };
      throw new AppError('return_more_than_shipped', 'errors.returnMoreThanShipped', params, {
        line: i,
        sku: line.sku,
        shipped: line.shipped,
        returned: line.returned,
        fields: [{ path: `lines.${i}.quantity`, key: 'validation.returnMoreThanShipped', params }],
      });
    }
    taking.set(line.id, total);
    return { line, item };
  });

  const number = takeNumbers(tx, 'return')!;
  const creditNoteNumber = order.paymentMethod === 'invoice' ? takeNumbers(tx, 'credit_note')! : null;
  const records: ReturnLineRecord[] = chosen.map(({ line, item }) => ({
    orderLineId: line.id,
    productId: line.productId,
    sku: line.sku,
    name: line.name,
    quantity: item.quantity,
    disposition: item.disposition,
    reason: item.reason ?? null,
    unitPrice: line.unitPrice,
    vatRate: line.vatRate,
  }));
  const refundAmount = records.reduce((sum, l) => sum + l.unitPrice * l.quantity, 0);
  const head = {
    number,
    orderId: order.id,
    orderCode: order.code,
    creditNoteNumber,
    currency: order.currency,
    refundAmount,
    createdBy: actorLabel(ctx.actor),
    createdAt: ctx.now.getTime(),
  };
  const id = insertReturn(tx, head, records);

  const note = `return ${number}`;
  for (const l of records) {
    if (l.productId === null) continue;
    if (l.disposition === 'restock')
      changeOnHand(tx, { id: l.productId }, l.quantity, { reason: 'return', actor: ctx.actor, now: ctx.now, orderId: order.id, note });
    else
      changeOnHand(tx, { id: l.productId }, 0, {
        reason: l.reason === 'missing' ? 'missing' : 'damaged',
        actor: ctx.actor,
        now: ctx.now,
        orderId: order.id,
        note: `${note}: ${l.quantity} written off`,
      });
  }
  const summary = records.map((l) => ({ sku: l.sku, quantity: l.quantity, disposition: l.disposition, ...(l.reason && { reason: l.reason }) }));
  logOrderEvent(tx, order, 'return_received', ctx.actor, head.createdAt, {
    returnNumber: number,
    lines: summary,
    refundAmount,
    currency: order.currency,
    ...(creditNoteNumber !== null && { creditNoteNumber }),
  });
  queueOrderMail(tx, order.id, 'return_received', {
    actor: ctx.actor,
    now: ctx.now,
    extra: (language: Language) => {
      const fmt = formatters(language, 'UTC');
      return {
        return_number: String(number),
        returned_lines: records.map((l) => ({ quantity: l.quantity, name: l.name, sku: l.sku, amount: fmt.money(l.unitPrice * l.quantity, order.currency) })),
        refund_amount: fmt.money(refundAmount, order.currency),
        credit_note_number: creditNoteNumber === null ? '' : String(creditNoteNumber),
      };
    },
  });
  return { id, ...head, lines: records };
}

/** registerReturn in a transaction of its own (the pages). */
export function registerReturnIn(db: Db, code: string, input: readonly ReturnLineInput[], ctx: ReturnCtx): ReturnRecord {
  return writeTransaction(db, (tx) => registerReturn(tx, code, input, ctx));
}

/** An order's returns, oldest first. */
export function listReturns(db: Db, code: string): { orderCode: string; returns: ReturnView[] } {
  const order = findOrderByCodeOrThrow(db, code);
  return { orderCode: order.code, returns: returnsOfOrder(db, order.id).map(presentReturn) };
}

/**
 * The order line a scan names, with how many units it counts (`5*code`): an item's barcode
 * (EAN/UPC/GTIN in any stored length, a GS1 element string) or its SKU. Undefined: not on the order.
 */
export function lineForScan(db: Db, orderId: number, raw: string): { lineId: number; quantity: number } | undefined {
  const whole = raw.trim();
  const { quantity, code } = splitCount(whole);
  // A SKU or barcode that reads as a keyed count ("3XL-TEE" as 3 × "L-TEE") names its own line first.
  const named = code === whole ? undefined : lineBySkuOrBarcode(db, orderId, whole);
  if (named !== undefined) return { lineId: named, quantity: 1 };
  const scan = readItemScan(code);
  if (scan.kind === 'invalid' && scan.reason === 'element_string')
    throw fieldError('scan', 'orders.manual.scanUnreadable', { text: code, ...invalidScanParams(scan) });
  let lineId: number | undefined;
  if (scan.kind === 'gtin') lineId = lineByBarcodes(db, orderId, scan.gtin);
  // A number that is not a GTIN with its check digit may still be a SKU.
  lineId ??= lineBySkuOrBarcode(db, orderId, code);
  return lineId === undefined ? undefined : { lineId, quantity };
}

/** The credit note of a return as a PDF, in the customer's language; only own-invoice orders have one. */
export async function creditNotePdf(
  deps: { db: Db; renderer: DocumentRenderer; timezone: string },
  code: string,
  number: number,
  lang: Language,
  printedBy: string,
  now: Date,
): Promise<{ pdf: Uint8Array; fileName: string }> {
  const order = findOrderByCodeOrThrow(deps.db, code);
  const ret = findReturn(deps.db, number);
  if (!ret || ret.orderId !== order.id) throw new AppError('not_found', 'errors.returnNotFound', { number, code: order.code });
  if (ret.creditNoteNumber === null)
    throw new AppError('not_invoice_order', 'errors.notInvoiceOrder', { code: order.code, paymentMethod: order.paymentMethod ?? 'none' });
  const invoiceNumber = invoiceNumberOf(deps.db, order.id);
  const creditNote: CreditNoteInfo = {
    number: ret.creditNoteNumber,
    returnNumber: ret.number,
    issuedAt: ret.createdAt,
    invoiceNumber: invoiceNumber ?? null,
    lines: ret.lines.map((l) => ({ sku: l.sku, name: l.name, quantity: l.quantity, unitPrice: l.unitPrice, vatRate: l.vatRate })),
    refundAmount: ret.refundAmount,
  };
  const pdf = await deps.renderer.render({
    kind: 'credit_note',
    orders: loadDocOrders(deps.db, [order.code]),
    lang,
    customerLang: lang,
    timeZone: deps.timezone,
    printedAt: now.getTime(),
    printedBy,
    seller: getSeller(deps.db),
    creditNote,
  });
  return { pdf, fileName: `credit-note-${ret.creditNoteNumber}.pdf` };
}
