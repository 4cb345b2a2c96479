import { sql } from 'drizzle-orm';
import { check, index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { flag, timestamp } from './common.js';

/**
 * A stock keeping unit. `onHand` is what is physically on the shelf; `reserved` and `allocated`
 * are running totals kept by the stock module in the same transaction as every order change, so
 * sellable/available are one row read instead of a sum over millions of lines:
 *  - reserved  = unshipped quantity of lines on `order` and `packing` orders
 *  - allocated = unshipped quantity of lines on `packing` orders
 */
export const products = sqliteTable(
  'products',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    sku: text('sku').notNull(),
    name: text('name').notNull(),
    barcode: text('barcode'),
    location: text('location'),
    trackStock: flag('track_stock').notNull().default(true),
    onHand: integer('on_hand').notNull().default(0),
    reserved: integer('reserved').notNull().default(0),
    allocated: integer('allocated').notNull().default(0),
    /** Gross unit price (VAT included) in minor units of the shop currency; null = no list price. */
    price: integer('price'),
    /** VAT rate in basis points (2500 = 25 %). */
    vatRate: integer('vat_rate').notNull().default(2500),
    /** At or under this on_hand the product is on the low-stock list; null = not watched. */
    lowStockThreshold: integer('low_stock_threshold'),
    /** Archived: no longer sold (new order lines are refused); its history stays. */
    archivedAt: timestamp('archived_at'),
    createdAt: timestamp('created_at').notNull(),
    updatedAt: timestamp('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('products_sku_unique').on(t.sku),
    uniqueIndex('products_barcode_unique')
      .on(t.barcode)
      .where(sql`${t.barcode} IS NOT NULL`),
    index('products_location_idx').on(t.location),
    // Safety net: a bug in the counter arithmetic fails the transaction instead of corrupting stock.
    check('products_counters_check', sql`${t.reserved} >= 0 AND ${t.allocated} >= 0 AND ${t.allocated} <= ${t.reserved}`),
  ],
);

/** Every change of a product's on_hand, with why and who. Keeps sku so history survives a deleted product. */
export const stockLedger = sqliteTable(
  'stock_ledger',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    productId: integer('product_id').references(() => products.id, { onDelete: 'set null' }),
    sku: text('sku').notNull(),
    delta: integer('delta').notNull(),
    onHandAfter: integer('on_hand_after').notNull(),
    /** stock_count (set by a count or the API), shipment (a reported delivery), adjustment, return. */
    reason: text('reason').notNull(),
    orderId: integer('order_id'),
    deliveryId: integer('delivery_id'),
    /** The goods-in (stock/goods-in) that booked this row. */
    goodsInId: integer('goods_in_id'),
    actor: text('actor').notNull(),
    note: text('note'),
    createdAt: timestamp('created_at').notNull(),
  },
  (t) => [index('stock_ledger_product_idx').on(t.productId, t.id), index('stock_ledger_order_idx').on(t.orderId)],
);

/** A delivery from a supplier booked in: its reference goes on every ledger row it writes. */
export const goodsIns = sqliteTable('goods_ins', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  /** The supplier's delivery note or any reference the warehouse files it under. */
  reference: text('reference').notNull(),
  startedBy: text('started_by').notNull(),
  startedAt: timestamp('started_at').notNull(),
  finishedAt: timestamp('finished_at'),
  /** Orders that could be packed once it was finished (what the stock released). */
  released: integer('released'),
});

/** A stock count (inventering): open until finished, so a count left open survives a reload. */
export const stockCounts = sqliteTable(
  'stock_counts',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    /** Counting one bin location (prefix), or null for any product. */
    location: text('location'),
    startedBy: text('started_by').notNull(),
    startedAt: timestamp('started_at').notNull(),
    finishedAt: timestamp('finished_at'),
  },
  (t) => [index('stock_counts_open_idx').on(t.finishedAt)],
);

/** What was counted of one product in one count; written to the ledger when the count is finished. */
export const stockCountLines = sqliteTable(
  'stock_count_lines',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    countId: integer('count_id')
      .notNull()
      .references(() => stockCounts.id, { onDelete: 'cascade' }),
    productId: integer('product_id')
      .notNull()
      .references(() => products.id, { onDelete: 'cascade' }),
    counted: integer('counted').notNull(),
    /**
     * on_hand when this line was counted (last counted): finishing applies counted − this, so
     * shipments and goods-in between counting and finishing stay. Null only on lines finished
     * before the column existed (open lines were given on_hand at migration, docs/decisions.md).
     */
    onHandAtCount: integer('on_hand_at_count'),
    /** The difference written when the count was finished; null while open. */
    delta: integer('delta'),
    countedAt: timestamp('counted_at').notNull(),
  },
  (t) => [uniqueIndex('stock_count_lines_unique').on(t.countId, t.productId)],
);
