import { and, asc, desc, eq, getTableColumns, gt, isNotNull, isNull, lt, sql } from 'drizzle-orm';
import { preparedFor, preparedQuery, type Conn, type Db, type Tx, asStored } from '../db/client.js';
import { goodsIns, orders, products, stockLedger } from '../db/schema/index.js';
import { gtinVariants, readItemScan } from '../domain/item-scan.js';

export type ProductRow = typeof products.$inferSelect;

// A product by SKU or barcode: read for every row of an import, every API upsert and every scan,
// so prepared once per connection (drizzle building the SQL each time cost more than the read).
const productBySku = preparedQuery((conn) =>
  conn
    .select()
    .from(products)
    .where(eq(products.sku, sql.placeholder('sku')))
    .prepare(),
);
const productByBarcode = preparedQuery((conn) =>
  conn
    .select()
    .from(products)
    .where(eq(products.barcode, sql.placeholder('barcode')))
    .prepare(),
);

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
// runs them for each of up to 20,000 rows. better-sqlite3 statements on purpose: as drizzle prepared
// queries they cost 46–78 % (insert) and 66 % (update) more per call (20,000 calls a round, median of 5).
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

// One statement for any number of SKUs (the list is bound as JSON), prepared once per connection; order
// intake reads it for every order. A better-sqlite3 statement: drizzle's cost 57 % more per call (same measurement).
const forLines = preparedFor((sqlite) =>
  sqlite.prepare<[string], ProductForLine>(
    'SELECT id, sku, name, price, vat_rate AS vatRate, archived_at AS archivedAt FROM products WHERE sku IN (SELECT value FROM json_each(?))',
  ),
);

/** The products of an order's lines by SKU (order intake); unknown SKUs are simply absent. */
export function findProductsForLines(db: Db, skus: string[]): Map<string, ProductForLine> {
  if (skus.length === 0) return new Map();
  return new Map(
    forLines(db)
      .all(JSON.stringify(skus))
      .map((r) => [r.sku, r]),
  );
}

const productsByIds = preparedQuery((conn) =>
  conn
    .select()
    .from(products)
    .where(sql`${products.id} IN (SELECT value FROM json_each(${sql.placeholder('ids')}))`)
    .prepare(),
);

/** The products with these ids, by id (ids with no product are absent). */
export function findProductsByIds(conn: Conn, ids: number[]): Map<number, ProductRow> {
  if (ids.length === 0) return new Map();
  const rows = productsByIds(conn).all({ ids: JSON.stringify(ids) });
  return new Map(rows.map((r) => [r.id, r]));
}

const productSearch = preparedQuery((conn) =>
  conn
    .select()
    .from(products)
    .where(
      sql`${products.sku} LIKE ${sql.placeholder('pattern')} ESCAPE '\\' OR ${products.name} LIKE ${sql.placeholder('pattern')} ESCAPE '\\' OR ${products.barcode} LIKE ${sql.placeholder('pattern')} ESCAPE '\\'`,
    )
    .orderBy(asc(products.sku))
    .limit(sql.placeholder('limit'))
    .prepare(),
);

/** Products whose SKU, name or barcode contains `text`, SKU order; for the "add a product" search. */
export function searchProducts(conn: Conn, text: string, limit: number): ProductRow[] {
  const pattern = `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return productSearch(conn).all({ pattern, limit });
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

const productByBarcodes = preparedQuery((conn) =>
  conn
    .select()
    .from(products)
    .where(sql`${products.barcode} IN (SELECT value FROM json_each(${sql.placeholder('barcodes')}))`)
    .limit(1)
    .prepare(),
);

/** The product a scan or a typed code names: a GTIN in any stored length, else an exact SKU or barcode. */
export function findProductForScan(conn: Conn, input: string): ProductRow | undefined {
  const scan = readItemScan(input);
  if (scan.kind === 'gtin') {
    return (
      productByBarcodes(conn).get({
        barcodes: JSON.stringify(gtinVariants(scan.gtin)),
      }) ?? findProductBySku(conn, scan.gtin)
    );
  }
  if (scan.kind === 'text') return findProductBySku(conn, scan.text) ?? findProductByBarcode(conn, scan.text);
  return undefined;
}

export type LedgerRow = typeof stockLedger.$inferSelect & {
  orderCode: string | null;
  goodsInReference: string | null;
};

const ledgerPage = preparedQuery((conn) =>
  conn
    .select({
      ...getTableColumns(stockLedger),
      orderCode: orders.code,
      goodsInReference: goodsIns.reference,
    })
    .from(stockLedger)
    .leftJoin(orders, eq(orders.id, stockLedger.orderId))
    .leftJoin(goodsIns, eq(goodsIns.id, stockLedger.goodsInId))
    .where(and(eq(stockLedger.productId, sql.placeholder('productId')), lt(stockLedger.id, sql.placeholder('before'))))
    .orderBy(desc(stockLedger.id))
    .limit(sql.placeholder('limit'))
    .prepare(),
);

/** A product's ledger, newest first, keyset-paged by id, with the order code or goods-in reference to link. */
export function listLedger(conn: Conn, productId: number, opts: { limit: number; beforeId?: number | undefined }): LedgerRow[] {
  return ledgerPage(conn).all({
    productId,
    before: opts.beforeId || Number.MAX_SAFE_INTEGER,
    limit: opts.limit,
  });
}

const lowStock = preparedQuery((conn) =>
  conn
    .select()
    .from(products)
    .where(
      and(
        isNotNull(products.lowStockThreshold),
        isNull(products.archivedAt),
        eq(products.trackStock, true),
        sql`${products.onHand} <= ${products.lowStockThreshold}`,
      ),
    )
    .orderBy(asc(products.onHand), asc(products.sku))
    .limit(sql.placeholder('limit'))
    .prepare(),
);

/** Stock-tracked, not archived products at or under their low-stock threshold, lowest stock first. */
export function listLowStock(conn: Conn, limit: number): ProductRow[] {
  return lowStock(conn).all({ limit });
}

// The products list's filters as one statement: an empty `after` is before every SKU (none is empty),
// `archived` 1 lists archived products too, a null `pattern` matches all (the % and _ of the text are dropped).
const productsPage = preparedQuery((conn) =>
  conn
    .select()
    .from(products)
    .where(
      and(
        gt(products.sku, sql.placeholder('after')),
        sql`(${sql.placeholder('archived')} = 1 OR ${products.archivedAt} IS NULL)`,
        sql`(${sql.placeholder('pattern')} IS NULL OR ${products.sku} LIKE ${sql.placeholder('pattern')} OR ${products.name} LIKE ${sql.placeholder('pattern')}
             OR ${products.barcode} LIKE ${sql.placeholder('pattern')} OR ${products.location} LIKE ${sql.placeholder('pattern')})`,
      ),
    )
    .orderBy(asc(products.sku))
    .limit(sql.placeholder('limit'))
    .prepare(),
);

/**
 * Tools → Products: products by SKU after `after`, archived ones only with `archived`, those whose
 * SKU, name, barcode or location contains `text` when given; at most `limit`.
 */
export function listProducts(
  conn: Conn,
  opts: {
    after?: string | undefined;
    archived: boolean;
    text?: string | undefined;
    limit: number;
  },
): ProductRow[] {
  const pattern = opts.text ? `%${opts.text.replace(/[\\%_]/g, '')}%` : null;
  return productsPage(conn).all({
    after: opts.after ?? '',
    archived: opts.archived ? 1 : 0,
    pattern,
    limit: opts.limit,
  });
}

const insertFormProduct = preparedQuery((conn) =>
  conn
    .insert(products)
    .values({
      sku: sql.placeholder('sku'),
      name: sql.placeholder('name'),
      barcode: sql.placeholder('barcode'),
      location: sql.placeholder('location'),
      trackStock: sql.placeholder('trackStock'),
      price: sql.placeholder('price'),
      vatRate: sql.placeholder('vatRate'),
      lowStockThreshold: sql.placeholder('lowStockThreshold'),
      onHand: 0,
      createdAt: sql.placeholder('updatedAt'),
      updatedAt: sql.placeholder('updatedAt'),
    })
    .prepare(),
);
const updateFormProduct = preparedQuery((conn) =>
  conn
    .update(products)
    .set({
      name: asStored('name'),
      barcode: asStored('barcode'),
      location: asStored('location'),
      trackStock: asStored('trackStock'),
      price: asStored('price'),
      vatRate: asStored('vatRate'),
      lowStockThreshold: asStored('lowStockThreshold'),
      updatedAt: asStored('updatedAt'),
    })
    .where(eq(products.id, sql.placeholder('id')))
    .prepare(),
);

/** What the pages' product form sets (on hand is not a field there). */
export interface ProductFormFields extends ProductFields {
  lowStockThreshold: number | null;
}

/** A new product from the pages' form, nothing on hand. Call inside a write transaction. */
export function createProductFromForm(tx: Tx, sku: string, f: ProductFormFields, now: Date): void {
  insertFormProduct(tx).run({ sku, ...f, updatedAt: now });
}

/** Sets the form's fields of product `id`. Call inside a write transaction. */
export function updateProductFromForm(tx: Tx, id: number, f: ProductFormFields, now: Date): void {
  updateFormProduct(tx).run({
    id,
    ...f,
    trackStock: f.trackStock ? 1 : 0,
    updatedAt: now.getTime(),
  });
}

const archivedAtStmt = preparedQuery((conn) =>
  conn
    .update(products)
    .set({ archivedAt: asStored('archivedAt'), updatedAt: asStored('updatedAt') })
    .where(eq(products.id, sql.placeholder('id')))
    .prepare(),
);

/** Sets when product `id` was archived (null: not archived). Call inside a write transaction. */
export function setProductArchivedAt(tx: Tx, id: number, archivedAt: Date | null, now: Date): void {
  archivedAtStmt(tx).run({
    id,
    archivedAt: archivedAt?.getTime() ?? null,
    updatedAt: now.getTime(),
  });
}
