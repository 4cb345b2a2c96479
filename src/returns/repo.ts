import { eq, sql } from 'drizzle-orm';
import { preparedFor, preparedQuery, type Conn, type Db, type Tx } from '../db/client.js';
import { invoices } from '../db/schema/index.js';
import { gtinVariants } from '../domain/item-scan.js';
import type { Disposition } from '../domain/return-disposition.js';

/** What becomes of a returned unit (the schema's list, for the forms' and the API's checks). */

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

const HEAD = `SELECT id, number, order_id AS orderId, order_code AS orderCode, credit_note_number AS creditNoteNumber, currency,
                     refund_amount AS refundAmount, created_by AS createdBy, created_at AS createdAt FROM returns`;

const stmts = preparedFor((sqlite) => ({
  ofOrder: sqlite.prepare<[number], ReturnHead>(`${HEAD} WHERE order_id = ? ORDER BY id`),
  byNumber: sqlite.prepare<[number], ReturnHead>(`${HEAD} WHERE number = ?`),
  lines: sqlite.prepare<[number], ReturnLineRecord>(
    `SELECT order_line_id AS orderLineId, product_id AS productId, sku, name, quantity, disposition, reason, unit_price AS unitPrice, vat_rate AS vatRate
       FROM return_lines WHERE return_id = ? ORDER BY id`,
  ),
  returnedByLine: sqlite.prepare<[number], { orderLineId: number; quantity: number }>(
    `SELECT rl.order_line_id AS orderLineId, sum(rl.quantity) AS quantity
       FROM return_lines rl JOIN returns r ON r.id = rl.return_id
      WHERE r.order_id = ? AND rl.order_line_id IS NOT NULL GROUP BY rl.order_line_id`,
  ),
}));

// The return's two writes, apart from the reads above.
const writes = preparedFor((sqlite) => ({
  insert: sqlite.prepare<[number, number, string, number | null, string, number, string, number], { id: number }>(
    'INSERT INTO returns (number, order_id, order_code, credit_note_number, currency, refund_amount, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id',
  ),
  insertLine: sqlite.prepare<[number, number | null, number | null, string, string, number, string, string | null, number, number]>(
    'INSERT INTO return_lines (return_id, order_line_id, product_id, sku, name, quantity, disposition, reason, unit_price, vat_rate) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  ),
}));

const withLines = (conn: Db, head: ReturnHead): ReturnRecord => ({ ...head, lines: stmts(conn).lines.all(head.id) });

/** The returns of an order, oldest first. */
export function returnsOfOrder(conn: Db, orderId: number): ReturnRecord[] {
  return stmts(conn)
    .ofOrder.all(orderId)
    .map((h) => withLines(conn, h));
}

export function findReturn(conn: Db, number: number): ReturnRecord | undefined {
  const head = stmts(conn).byNumber.get(number);
  return head && withLines(conn, head);
}

/** Units returned so far per order line id. */
export function returnedByLine(conn: Db, orderId: number): Map<number, number> {
  return new Map(
    stmts(conn)
      .returnedByLine.all(orderId)
      .map((r) => [r.orderLineId, r.quantity]),
  );
}

/** Writes a return and its lines. Call inside the write transaction that took its numbers. */
export function insertReturn(tx: Tx, head: Omit<ReturnHead, 'id'>, lines: readonly ReturnLineRecord[]): number {
  const s = writes(tx);
  const { id } = s.insert.get(
    head.number,
    head.orderId!,
    head.orderCode,
    head.creditNoteNumber,
    head.currency,
    head.refundAmount,
    head.createdBy,
    head.createdAt,
  )!;
  for (const l of lines) s.insertLine.run(id, l.orderLineId, l.productId, l.sku, l.name, l.quantity, l.disposition, l.reason, l.unitPrice, l.vatRate);
  return id;
}

// The order line a scan names (service.ts lineForScan): by any stored length of a GTIN, or by SKU or barcode.
const lineStmts = preparedFor((sqlite) => ({
  byBarcode: sqlite
    .prepare<[orderId: number, barcodes: string], number>(
      'SELECT l.id FROM order_lines l JOIN products p ON p.id = l.product_id WHERE l.order_id = ? AND p.barcode IN (SELECT value FROM json_each(?)) ORDER BY l.id LIMIT 1',
    )
    .pluck(),
  byText: sqlite
    .prepare<[orderId: number, sku: string, barcode: string], number>(
      'SELECT l.id FROM order_lines l LEFT JOIN products p ON p.id = l.product_id WHERE l.order_id = ? AND (l.sku = ? OR p.barcode = ?) ORDER BY l.id LIMIT 1',
    )
    .pluck(),
}));

/** The first line of the order whose product has the GTIN `gtin` in any stored length; its id. */
export function lineByBarcodes(db: Db, orderId: number, gtin: string): number | undefined {
  return lineStmts(db).byBarcode.get(orderId, JSON.stringify(gtinVariants(gtin)));
}

/** The first line of the order with the SKU `text`, or whose product has the barcode `text`; its id. */
export function lineBySkuOrBarcode(db: Db, orderId: number, text: string): number | undefined {
  return lineStmts(db).byText.get(orderId, text, text);
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
