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
    createdAt: timestamp('created_at').notNull(),
    updatedAt: timestamp('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('products_sku_unique').on(t.sku),
    uniqueIndex('products_barcode_unique').on(t.barcode).where(sql`${t.barcode} IS NOT NULL`),
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
    actor: text('actor').notNull(),
    note: text('note'),
    createdAt: timestamp('created_at').notNull(),
  },
  (t) => [index('stock_ledger_product_idx').on(t.productId, t.id), index('stock_ledger_order_idx').on(t.orderId)],
);
