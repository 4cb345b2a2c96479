import { and, asc, desc, eq, getTableColumns, inArray, isNotNull, isNull, lt, sql } from 'drizzle-orm';
import { preparedFor, preparedQuery, type Conn, type Db, type Tx } from '../db/client.js';
import { goodsIns, orders, products, stockLedger } from '../db/schema/index.js';
import { gtinVariants, readItemScan } from '../domain/item-scan.js';

export type ProductRow = typeof products.$inferSelect;

// A product by SKU or barcode: read for every row of an import, every API upsert and every scan,
// so prepared once per connection (drizzle building the SQL each time cost more than the read).
const productBySku = preparedQuery((conn) => conn.select().from(products).where(eq(products.sku, sql.placeholder('sku'))).prepare());
const productByBarcode = preparedQuery((conn) => conn.select().from(products).where(eq(products.barcode, sql.placeholder('barcode'))).prepare());

export function findProductBySku(conn: Conn, sku: string): ProductRow | undefined {
  return productBySku(conn).get({ sku });
}

export function findProductByBarcode(conn: Conn, barcode: string): ProductRow | undefined {
  return productByBarcode(conn).get({ barcode });
}

/** What the API and the import set on a product (on hand and the counters are the stock writer's). */
export interface ProductFields {
  name: string;
  barcode: string | null;
  location: string | null;
  trackStock: boolean;
  price: number | null;
  vatRate: number;
}

// The upsert's writes (products/service.ts upsertProduct), prepared once per connection: an import
// runs them for each of up to 20,000 rows.
const writes = preparedFor((sqlite) => ({
  insert: sqlite
    .prepare<[string, string, string | null, string | null, number, number | null, number, number, number], number>(
      'INSERT INTO products (sku, name, barcode, location, track_stock, price, vat_rate, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id',
    )
    .pluck(),
  update: sqlite.prepare<[string, string | null, string | null, number, number | null, number, number, number]>(
    'UPDATE products SET name = ?, barcode = ?, location = ?, track_stock = ?, price = ?, vat_rate = ?, updated_at = ? WHERE id = ?',
  ),
}));

/** A new product (nothing on hand); its id. Call inside a write transaction. */
export function insertProduct(tx: Tx, sku: string, f: ProductFields, now: Date): number {
  const at = now.getTime();
  return writes(tx).insert.get(sku, f.name, f.barcode, f.location, f.trackStock ? 1 : 0, f.price, f.vatRate, at, at)!;
}

/** Sets a product's fields (all of them: the caller keeps what does not change). Call inside a write transaction. */
export function updateProductFields(tx: Tx, id: number, f: ProductFields, now: Date): void {
  writes(tx).update.run(f.name, f.barcode, f.location, f.trackStock ? 1 : 0, f.price, f.vatRate, now.getTime(), id);
}

/** What an order line copies from its product when it is sold. */
export interface ProductForLine {
  id: number;
  sku: string;
  name: string;
  /** Null: no list price, the line must name one. */
  price: number | null;
  vatRate: number;
  /** Set when the product is archived: no longer sold. */
  archivedAt: number | null;
}

// One statement for any number of SKUs (the list is bound as JSON), prepared once per connection.
const forLines = preparedFor((sqlite) =>
  sqlite.prepare<[string], ProductForLine>('SELECT id, sku, name, price, vat_rate AS vatRate, archived_at AS archivedAt FROM products WHERE sku IN (SELECT value FROM json_each(?))'),
);

/** The products of an order's lines by SKU (order intake); unknown SKUs are simply absent. */
export function findProductsForLines(db: Db, skus: string[]): Map<string, ProductForLine> {
  if (skus.length === 0) return new Map();
  return new Map(forLines(db).all(JSON.stringify(skus)).map((r) => [r.sku, r]));
}

export function findProductsByIds(conn: Conn, ids: number[]): Map<number, ProductRow> {
  if (ids.length === 0) return new Map();
  const rows = conn.select().from(products).where(inArray(products.id, ids)).all();
  return new Map(rows.map((r) => [r.id, r]));
}

/** Products whose SKU, name or barcode contains `text`, SKU order; for the "add a product" search. */
export function searchProducts(conn: Conn, text: string, limit: number): ProductRow[] {
  const pattern = `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return conn
    .select()
    .from(products)
    .where(sql`${products.sku} LIKE ${pattern} ESCAPE '\\' OR ${products.name} LIKE ${pattern} ESCAPE '\\' OR ${products.barcode} LIKE ${pattern} ESCAPE '\\'`)
    .orderBy(asc(products.sku))
    .limit(limit)
    .all();
}

/**
 * What a scanner or a person typed into a product field: an exact SKU or barcode finds one
 * product; anything else is searched, and the caller lets the person choose.
 */
export function findProductsForInput(conn: Conn, input: string, limit = 10): { exact: ProductRow | null; matches: ProductRow[] } {
  const text = input.trim();
  const exact = findProductBySku(conn, text) ?? findProductByBarcode(conn, text) ?? null;
  if (exact) return { exact, matches: [exact] };
  const matches = text.length >= 2 ? searchProducts(conn, text, limit) : [];
  return { exact: matches.length === 1 ? matches[0]! : null, matches };
}

/** The product a scan or a typed code names: a GTIN in any stored length, else an exact SKU or barcode. */
export function findProductForScan(conn: Conn, input: string): ProductRow | undefined {
  const scan = readItemScan(input);
  if (scan.kind === 'gtin') {
    return conn.select().from(products).where(inArray(products.barcode, gtinVariants(scan.gtin))).get() ?? findProductBySku(conn, scan.gtin);
  }
  if (scan.kind === 'text') return findProductBySku(conn, scan.text) ?? findProductByBarcode(conn, scan.text);
  return undefined;
}

export type LedgerRow = typeof stockLedger.$inferSelect & { orderCode: string | null; goodsInReference: string | null };

/** A product's ledger, newest first, keyset-paged by id, with the order code or goods-in reference to link. */
export function listLedger(conn: Conn, productId: number, opts: { limit: number; beforeId?: number | undefined }): LedgerRow[] {
  return conn
    .select({ ...getTableColumns(stockLedger), orderCode: orders.code, goodsInReference: goodsIns.reference })
    .from(stockLedger)
    .leftJoin(orders, eq(orders.id, stockLedger.orderId))
    .leftJoin(goodsIns, eq(goodsIns.id, stockLedger.goodsInId))
    .where(and(eq(stockLedger.productId, productId), opts.beforeId ? lt(stockLedger.id, opts.beforeId) : undefined))
    .orderBy(desc(stockLedger.id))
    .limit(opts.limit)
    .all();
}

/** Stock-tracked, not archived products at or under their low-stock threshold, lowest stock first. */
export function listLowStock(conn: Conn, limit: number): ProductRow[] {
  return conn
    .select()
    .from(products)
    .where(and(isNotNull(products.lowStockThreshold), isNull(products.archivedAt), eq(products.trackStock, true), sql`${products.onHand} <= ${products.lowStockThreshold}`))
    .orderBy(asc(products.onHand), asc(products.sku))
    .limit(limit)
    .all();
}
