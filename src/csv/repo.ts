import { and, eq, lt, sql, type SQL } from 'drizzle-orm';
import { SQLiteSyncDialect } from 'drizzle-orm/sqlite-core';
import { preparedFor, preparedQuery, type Conn, type Db, type Tx } from '../db/client.js';
import { csvUploads } from '../db/schema/index.js';

export type UploadRow = typeof csvUploads.$inferSelect;

const ofUser = and(eq(csvUploads.token, sql.placeholder('token')), eq(csvUploads.userId, sql.placeholder('userId')));
const uploadOfUser = preparedQuery((conn) => conn.select().from(csvUploads).where(ofUser).prepare());
const deleteOfUser = preparedQuery((conn) => conn.delete(csvUploads).where(ofUser).prepare());
// A placeholder in a WHERE is bound as given (not through the column's type): epoch ms.
const deleteBefore = preparedQuery((conn) =>
  conn
    .delete(csvUploads)
    .where(lt(csvUploads.createdAt, sql.placeholder('before')))
    .prepare(),
);
const insertStmt = preparedQuery((conn) =>
  conn
    .insert(csvUploads)
    .values({
      token: sql.placeholder('token'),
      userId: sql.placeholder('userId'),
      fileName: sql.placeholder('fileName'),
      content: sql.placeholder('content'),
      createdAt: sql.placeholder('createdAt'),
    })
    .prepare(),
);

/** The user's kept upload `token`, whatever its age; undefined when there is none. */
export function findUploadRow(conn: Conn, userId: number, token: string): UploadRow | undefined {
  return uploadOfUser(conn).get({ token, userId });
}

/** Keeps an uploaded file. Call inside a write transaction. */
export function insertUpload(tx: Tx, upload: { token: string; userId: number; fileName: string; content: Buffer; createdAt: Date }): void {
  insertStmt(tx).run(upload);
}

/** Drops the user's kept upload `token`. Call inside a write transaction. */
export function deleteUpload(tx: Tx, userId: number, token: string): void {
  deleteOfUser(tx).run({ token, userId });
}

/** Drops the uploads kept since before `before`. Call inside a write transaction. */
export function deleteUploadsBefore(tx: Tx, before: Date): void {
  deleteBefore(tx).run({ before: before.getTime() });
}

// ── The exports (export.ts) ──────────────────────────────────────────────────────────────────
// better-sqlite3 statements read with .iterate(), a chunk per call: drizzle has no iterating read,
// and a whole chunk's rows as objects would cost the stream memory and time.

/** Orders read per chunk: a chunk is one short read of the database, its lines a few thousand rows. */
const ORDER_CHUNK = 1000;
const PRODUCT_CHUNK = 2000;

export type OrderLineRow = [
  id: number,
  code: string,
  createdAt: number,
  status: string,
  customStatus: string | null,
  paymentMethod: string | null,
  paid: number,
  currency: string,
  total: number,
  shippingFee: number,
  customerName: string | null,
  customerEmail: string | null,
  customerPhone: string | null,
  shipLine1: string | null,
  shipLine2: string | null,
  shipPostalCode: string | null,
  shipCity: string | null,
  shipCountry: string | null,
  sku: string | null,
  name: string | null,
  quantity: number | null,
  shippedQuantity: number | null,
  unitPrice: number | null,
  vatRate: number | null,
];

export type ProductCsvRow = [
  sku: string,
  name: string,
  barcode: string | null,
  location: string | null,
  price: number | null,
  vatRate: number,
  trackStock: number,
  onHand: number,
  reserved: number,
  allocated: number,
];

const dialect = new SQLiteSyncDialect();

/**
 * The order lines of the next ORDER_CHUNK orders matching `condition` (the order list's filters,
 * orders/list.ts) below an id, newest order first, each order's lines in line order (an order
 * without lines as one row with the line columns null). The statement is made per export: its
 * WHERE is the filters the user picked.
 */
export function orderExportReader(db: Db, condition: SQL | undefined): (beforeId: number) => IterableIterator<OrderLineRow> {
  const filter = condition ? dialect.sqlToQuery(condition) : { sql: '1', params: [] };
  // eslint-disable-next-line local/prepared-once -- the WHERE is the filters the user picked: its shape varies per export
  const statement = db.$client
    .prepare<unknown[], OrderLineRow>(
      `SELECT o.id, o.code, o.created_at, o.status, cs.label, o.payment_method, o.paid, o.currency, o.total, o.shipping_fee,
              o.customer_name, o.customer_email, o.customer_phone, o.ship_line1, o.ship_line2, o.ship_postal_code, o.ship_city, o.ship_country,
              l.sku, l.name, l.quantity, l.shipped_quantity, l.unit_price, l.vat_rate
         FROM orders o
         LEFT JOIN custom_statuses cs ON cs.id = o.custom_status_id
         LEFT JOIN order_lines l ON l.order_id = o.id
        WHERE o.id IN (SELECT "orders"."id" FROM "orders" WHERE "orders"."id" < ? AND (${filter.sql}) ORDER BY "orders"."id" DESC LIMIT ${ORDER_CHUNK})
        ORDER BY o.id DESC, l.id`,
    )
    .raw();
  return (beforeId) => statement.iterate(beforeId, ...filter.params);
}

const productChunk = preparedFor((sqlite) =>
  sqlite
    .prepare<[string], ProductCsvRow>(
      `SELECT sku, name, barcode, location, price, vat_rate, track_stock, on_hand, reserved, allocated
         FROM products WHERE sku > ? ORDER BY sku LIMIT ${PRODUCT_CHUNK}`,
    )
    .raw(),
);

/** The next PRODUCT_CHUNK products after a SKU, by SKU, with their stock figures. */
export function productExportReader(db: Db): (afterSku: string) => IterableIterator<ProductCsvRow> {
  const statement = productChunk(db);
  return (afterSku) => statement.iterate(afterSku);
}
