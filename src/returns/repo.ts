import { and, asc, eq, isNotNull, or, sql } from 'drizzle-orm';
import { preparedQuery, type Conn, type Tx } from '../db/client.js';
import { invoices, orderLines, products, returnLines, returns } from '../db/schema/index.js';
import { gtinVariants } from '../domain/item-scan.js';
import type { Disposition } from '../domain/return-disposition.js';

/** A return as stored, with its lines. */
export interface ReturnRecord {
  id: number;
  number: number;
  orderId: number | null;
  orderCode: string;
  creditNoteNumber: number | null;
  currency: string;
  refundAmount: number;
  createdBy: string;
  createdAt: number;
  lines: ReturnLineRecord[];
}

export interface ReturnLineRecord {
  orderLineId: number | null;
  productId: number | null;
  sku: string;
  name: string;
  quantity: number;
  disposition: Disposition;
  reason: string | null;
  unitPrice: number;
  vatRate: number;
}

type ReturnHead = Omit<ReturnRecord, 'lines'>;

const head = {
  id: returns.id,
  number: returns.number,
  orderId: returns.orderId,
  orderCode: returns.orderCode,
  creditNoteNumber: returns.creditNoteNumber,
  currency: returns.currency,
  refundAmount: returns.refundAmount,
  createdBy: returns.createdBy,
  // As stored (epoch ms): what presentReturn and the credit note read.
  createdAt: sql<number>`${returns.createdAt}`,
};

const reads = preparedQuery((conn) => ({
  ofOrder: conn
    .select(head)
    .from(returns)
    .where(eq(returns.orderId, sql.placeholder('orderId')))
    .orderBy(asc(returns.id))
    .prepare(),
  byNumber: conn
    .select(head)
    .from(returns)
    .where(eq(returns.number, sql.placeholder('number')))
    .prepare(),
  lines: conn
    .select({
      orderLineId: returnLines.orderLineId,
      productId: returnLines.productId,
      sku: returnLines.sku,
      name: returnLines.name,
      quantity: returnLines.quantity,
      disposition: returnLines.disposition,
      reason: returnLines.reason,
      unitPrice: returnLines.unitPrice,
      vatRate: returnLines.vatRate,
    })
    .from(returnLines)
    .where(eq(returnLines.returnId, sql.placeholder('returnId')))
    .orderBy(asc(returnLines.id))
    .prepare(),
  returnedByLine: conn
    .select({ orderLineId: sql<number>`${returnLines.orderLineId}`, quantity: sql<number>`sum(${returnLines.quantity})` })
    .from(returnLines)
    .innerJoin(returns, eq(returns.id, returnLines.returnId))
    .where(and(eq(returns.orderId, sql.placeholder('orderId')), isNotNull(returnLines.orderLineId)))
    .groupBy(returnLines.orderLineId)
    .prepare(),
  // The order line a scan names (service.ts lineForScan): by any stored length of a GTIN, or by SKU or barcode.
  lineByBarcodes: conn
    .select({ id: orderLines.id })
    .from(orderLines)
    .innerJoin(products, eq(products.id, orderLines.productId))
    .where(and(eq(orderLines.orderId, sql.placeholder('orderId')), sql`${products.barcode} IN (SELECT value FROM json_each(${sql.placeholder('barcodes')}))`))
    .orderBy(asc(orderLines.id))
    .limit(1)
    .prepare(),
  lineByText: conn
    .select({ id: orderLines.id })
    .from(orderLines)
    .leftJoin(products, eq(products.id, orderLines.productId))
    .where(
      and(eq(orderLines.orderId, sql.placeholder('orderId')), or(eq(orderLines.sku, sql.placeholder('text')), eq(products.barcode, sql.placeholder('text')))),
    )
    .orderBy(asc(orderLines.id))
    .limit(1)
    .prepare(),
}));

// The return's two writes, apart from the reads above.
const writes = preparedQuery((conn) => ({
  insert: conn
    .insert(returns)
    .values({
      number: sql.placeholder('number'),
      orderId: sql.placeholder('orderId'),
      orderCode: sql.placeholder('orderCode'),
      creditNoteNumber: sql.placeholder('creditNoteNumber'),
      currency: sql.placeholder('currency'),
      refundAmount: sql.placeholder('refundAmount'),
      createdBy: sql.placeholder('createdBy'),
      createdAt: sql.placeholder('createdAt'),
    })
    .returning({ id: returns.id })
    .prepare(),
  insertLine: conn
    .insert(returnLines)
    .values({
      returnId: sql.placeholder('returnId'),
      orderLineId: sql.placeholder('orderLineId'),
      productId: sql.placeholder('productId'),
      sku: sql.placeholder('sku'),
      name: sql.placeholder('name'),
      quantity: sql.placeholder('quantity'),
      disposition: sql.placeholder('disposition'),
      reason: sql.placeholder('reason'),
      unitPrice: sql.placeholder('unitPrice'),
      vatRate: sql.placeholder('vatRate'),
    })
    .prepare(),
}));

const withLines = (conn: Conn, h: ReturnHead): ReturnRecord => ({ ...h, lines: reads(conn).lines.all({ returnId: h.id }) });

/** The returns of an order, oldest first. */
export function returnsOfOrder(conn: Conn, orderId: number): ReturnRecord[] {
  return reads(conn)
    .ofOrder.all({ orderId })
    .map((h) => withLines(conn, h));
}

/** The return with this number, with its lines. */
export function findReturn(conn: Conn, number: number): ReturnRecord | undefined {
  const h = reads(conn).byNumber.get({ number });
  return h && withLines(conn, h);
}

/** Units returned so far per order line id. */
export function returnedByLine(conn: Conn, orderId: number): Map<number, number> {
  return new Map(
    reads(conn)
      .returnedByLine.all({ orderId })
      .map((r) => [r.orderLineId, r.quantity]),
  );
}

/** Writes a return and its lines. Call inside the write transaction that took its numbers. */
export function insertReturn(tx: Tx, h: Omit<ReturnHead, 'id'>, lines: readonly ReturnLineRecord[]): number {
  const s = writes(tx);
  const { id } = s.insert.get({ ...h, createdAt: new Date(h.createdAt) });
  for (const l of lines) s.insertLine.run({ returnId: id, ...l });
  return id;
}

/** The first line of the order whose product has the GTIN `gtin` in any stored length; its id. */
export function lineByBarcodes(conn: Conn, orderId: number, gtin: string): number | undefined {
  return reads(conn).lineByBarcodes.get({ orderId, barcodes: JSON.stringify(gtinVariants(gtin)) })?.id;
}

/** The first line of the order with the SKU `text`, or whose product has the barcode `text`; its id. */
export function lineBySkuOrBarcode(conn: Conn, orderId: number, text: string): number | undefined {
  return reads(conn).lineByText.get({ orderId, text })?.id;
}

const invoiceOfOrder = preparedQuery((conn) =>
  conn
    .select({ number: invoices.number })
    .from(invoices)
    .where(eq(invoices.orderId, sql.placeholder('orderId')))
    .prepare(),
);

/** The number of the order's invoice, if it has one. */
export function invoiceNumberOf(conn: Conn, orderId: number): number | undefined {
  return invoiceOfOrder(conn).get({ orderId })?.number;
}
