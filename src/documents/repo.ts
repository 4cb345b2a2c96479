import { and, count, eq, sql } from 'drizzle-orm';
import { preparedQuery, type Conn, type Tx } from '../db/client.js';
import { deliveries, deliveryLines, deliveryParcels, invoices, orderLines, orders, printedDocuments, products } from '../db/schema/index.js';
import { PRINTED_KINDS, type DocOrder, type PrintedKind } from './model.js';

export interface DocOrderRow extends DocOrder {
  id: number;
  linesVersion: number;
  /** orders.language as stored: the customer's language, or null. */
  language: string | null;
}

/** `column IN (the JSON array bound to placeholder `name`)`: one statement whatever the list's length. */
const inJsonList = (column: typeof orders.code | typeof orderLines.orderId | typeof printedDocuments.orderId, name: string) =>
  sql`${column} IN (SELECT value FROM json_each(${sql.placeholder(name)}))`;

const ordersByCodes = preparedQuery((conn) => conn.select().from(orders).where(inJsonList(orders.code, 'codes')).prepare());
const linesOfOrders = preparedQuery((conn) =>
  conn
    .select({
      orderId: orderLines.orderId,
      sku: orderLines.sku,
      name: orderLines.name,
      barcode: products.barcode,
      location: products.location,
      quantity: orderLines.quantity,
      shipped: orderLines.shippedQuantity,
      remaining: sql<number>`${orderLines.quantity} - ${orderLines.shippedQuantity}`,
      unitPrice: orderLines.unitPrice,
      vatRate: orderLines.vatRate,
      draftQuantity: deliveryLines.quantity,
      partial: deliveries.partial,
    })
    .from(orderLines)
    .leftJoin(products, eq(products.id, orderLines.productId))
    .leftJoin(deliveries, and(eq(deliveries.orderId, orderLines.orderId), eq(deliveries.status, 'draft')))
    .leftJoin(deliveryLines, and(eq(deliveryLines.deliveryId, deliveries.id), eq(deliveryLines.orderLineId, orderLines.id)))
    .where(inJsonList(orderLines.orderId, 'ids'))
    .orderBy(orderLines.orderId, orderLines.id)
    .prepare(),
);

/**
 * The orders with these codes as the documents print them, in the order asked; codes that match no
 * order are left out (the caller names them). Lines carry the product's bin and barcode as they
 * are now, and the draft delivery's quantities when the packer set a partial delivery.
 */
export function loadDocOrders(conn: Conn, codes: readonly string[]): DocOrderRow[] {
  const byCode = new Map<string, DocOrderRow>();
  const byId = new Map<number, DocOrderRow>();
  for (const r of ordersByCodes(conn).all({ codes: JSON.stringify(codes) })) {
    const order: DocOrderRow = {
      id: r.id,
      linesVersion: r.linesVersion,
      language: r.language,
      code: r.code,
      status: r.status,
      currency: r.currency,
      paymentMethod: r.paymentMethod,
      paid: r.paid,
      placedAt: r.placedAt?.getTime() ?? null,
      createdAt: r.createdAt.getTime(),
      customerName: r.customerName,
      customerEmail: r.customerEmail,
      customerPhone: r.customerPhone,
      shipTo: { line1: r.shipLine1, line2: r.shipLine2, postalCode: r.shipPostalCode, city: r.shipCity, country: r.shipCountry },
      comment: r.comment,
      priority: r.priority,
      subtotal: r.subtotal,
      shippingFee: r.shippingFee,
      total: r.total,
      lines: [],
    };
    byId.set(r.id, order);
    byCode.set(r.code, order);
  }
  if (byId.size > 0) {
    for (const { orderId, draftQuantity, partial, ...line } of linesOfOrders(conn).all({ ids: JSON.stringify([...byId.keys()]) })) {
      byId.get(orderId)!.lines.push({ ...line, thisDelivery: partial === true ? (draftQuantity ?? 0) : line.remaining });
    }
  }
  return codes.flatMap((code) => byCode.get(code) ?? []);
}

export interface PrintMarker {
  kind: PrintedKind;
  printedAt: Date;
  printedBy: string;
  count: number;
  /** A pick slip printed before the order's lines last changed. */
  stale: boolean;
}

const PRINTED: ReadonlySet<string> = new Set(Object.values(PRINTED_KINDS).flat());
const isPrintedKind = (kind: string): kind is PrintedKind => PRINTED.has(kind);

// SQLite takes the other columns from the row holding max(id): the latest print.
const latestPrints = preparedQuery((conn) =>
  conn
    .select({
      orderId: printedDocuments.orderId,
      kind: printedDocuments.kind,
      latestId: sql<number>`max(${printedDocuments.id})`,
      printedAt: printedDocuments.printedAt,
      printedBy: printedDocuments.printedBy,
      count: count(),
      stale: sql<number>`${printedDocuments.linesVersion} < ${orders.linesVersion}`,
    })
    .from(printedDocuments)
    .innerJoin(orders, eq(orders.id, printedDocuments.orderId))
    .where(inJsonList(printedDocuments.orderId, 'ids'))
    .groupBy(printedDocuments.orderId, printedDocuments.kind)
    .prepare(),
);

/** The latest print of each kind for these orders, by order id. */
export function printMarkers(conn: Conn, orderIds: readonly number[]): Map<number, PrintMarker[]> {
  const out = new Map<number, PrintMarker[]>();
  if (orderIds.length === 0) return out;
  for (const r of latestPrints(conn).all({ ids: JSON.stringify(orderIds) })) {
    if (!isPrintedKind(r.kind)) continue;
    const list = out.get(r.orderId) ?? [];
    list.push({ kind: r.kind, printedAt: r.printedAt, printedBy: r.printedBy, count: r.count, stale: r.kind === 'pick_slip' && r.stale === 1 });
    out.set(r.orderId, list);
  }
  return out;
}

const printsOfKind = preparedQuery((conn) =>
  conn
    .select({ n: count() })
    .from(printedDocuments)
    .where(and(eq(printedDocuments.orderId, sql.placeholder('orderId')), eq(printedDocuments.kind, sql.placeholder('kind'))))
    .prepare(),
);
const printsOfReference = preparedQuery((conn) =>
  conn
    .select({ n: count() })
    .from(printedDocuments)
    .where(
      and(
        eq(printedDocuments.orderId, sql.placeholder('orderId')),
        eq(printedDocuments.kind, sql.placeholder('kind')),
        sql`${printedDocuments.reference} IS ${sql.placeholder('reference')}`,
      ),
    )
    .prepare(),
);
const insertPrint = preparedQuery((conn) =>
  conn
    .insert(printedDocuments)
    .values({
      orderId: sql.placeholder('orderId'),
      kind: sql.placeholder('kind'),
      linesVersion: sql.placeholder('linesVersion'),
      reference: sql.placeholder('reference'),
      printedBy: sql.placeholder('printedBy'),
      printedAt: sql.placeholder('printedAt'),
    })
    .prepare(),
);

/** How often the order's document of this kind was printed before (for a label: this parcel's, by `reference`). */
export function earlierPrints(conn: Conn, orderId: number, kind: PrintedKind, reference?: string | null): number {
  const row = reference === undefined ? printsOfKind(conn).get({ orderId, kind }) : printsOfReference(conn).get({ orderId, kind, reference });
  return row?.n ?? 0;
}

/** Records one print of a document of an order. */
export function insertPrintedDocument(
  tx: Tx,
  print: { orderId: number; kind: PrintedKind; linesVersion: number; reference: string | null; printedBy: string; printedAt: Date },
): void {
  insertPrint(tx).run(print);
}

const invoiceOf = preparedQuery((conn) =>
  conn
    .select()
    .from(invoices)
    .where(eq(invoices.orderId, sql.placeholder('orderId')))
    .prepare(),
);
const insertInvoiceRow = preparedQuery((conn) =>
  conn
    .insert(invoices)
    .values({
      orderId: sql.placeholder('orderId'),
      orderCode: sql.placeholder('orderCode'),
      number: sql.placeholder('number'),
      reference: sql.placeholder('reference'),
      issuedAt: sql.placeholder('issuedAt'),
      dueAt: sql.placeholder('dueAt'),
      issuedBy: sql.placeholder('issuedBy'),
    })
    .returning()
    .prepare(),
);

export type InvoiceRow = typeof invoices.$inferSelect;

/** The order's invoice row, or undefined before it is numbered. */
export function invoiceOfOrder(conn: Conn, orderId: number): InvoiceRow | undefined {
  return invoiceOf(conn).get({ orderId });
}

/** Writes an order's invoice with its number; returns the row. */
export function insertInvoice(
  tx: Tx,
  invoice: { orderId: number; orderCode: string; number: number; reference: string; issuedAt: Date; dueAt: Date; issuedBy: string },
): InvoiceRow {
  return insertInvoiceRow(tx).get(invoice);
}

const parcelDelivery = preparedQuery((conn) =>
  conn
    .select({ deliveryId: deliveryParcels.deliveryId })
    .from(deliveryParcels)
    .innerJoin(deliveries, eq(deliveries.id, deliveryParcels.deliveryId))
    .where(and(eq(deliveryParcels.parcelId, sql.placeholder('parcelId')), eq(deliveries.orderId, sql.placeholder('orderId'))))
    .prepare(),
);

/** The delivery of the order that holds this parcel ID, or undefined. */
export function deliveryOfParcel(conn: Conn, orderId: number, parcelId: string): number | undefined {
  return parcelDelivery(conn).get({ parcelId, orderId })?.deliveryId;
}
