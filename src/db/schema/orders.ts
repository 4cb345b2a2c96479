import { sql } from 'drizzle-orm';
import { check, index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { ORDER_STATUSES, PAYMENT_METHODS } from '../../domain/order-status.js';
import { products } from './catalog.js';
import { flag, timestamp } from './common.js';
import { customers } from './customers.js';

/** Shop-defined labels (seed 001 "Egen status"). Orders point at the row, so a rename shows everywhere. */
export const customStatuses = sqliteTable(
  'custom_statuses',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    code: text('code').notNull(),
    label: text('label').notNull(),
    /** #rrggbb */
    color: text('color').notNull(),
    createdAt: timestamp('created_at').notNull(),
    updatedAt: timestamp('updated_at').notNull(),
  },
  (t) => [uniqueIndex('custom_statuses_code_unique').on(t.code)],
);

export const orders = sqliteTable(
  'orders',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    /** Immutable public code with a check digit (domain/order-code.ts). */
    code: text('code').notNull(),
    status: text('status', { enum: ORDER_STATUSES }).notNull(),
    paymentMethod: text('payment_method', { enum: PAYMENT_METHODS }),
    paid: flag('paid').notNull().default(false),
    paidAt: timestamp('paid_at'),
    paidAmount: integer('paid_amount').notNull().default(0),
    /** Manual clearance of an order that ships before payment (invoice, cash on delivery). */
    approved: flag('approved').notNull().default(false),
    waiting: flag('waiting').notNull().default(false),
    reviewed: flag('reviewed').notNull().default(false),
    priority: integer('priority').notNull().default(5),
    customStatusId: integer('custom_status_id').references(() => customStatuses.id, { onDelete: 'restrict' }),
    comment: text('comment'),
    currency: text('currency').notNull(),
    /** Sum of the lines, gross, minor units. */
    subtotal: integer('subtotal').notNull().default(0),
    shippingFee: integer('shipping_fee').notNull().default(0),
    total: integer('total').notNull().default(0),
    customerId: integer('customer_id').references(() => customers.id, { onDelete: 'set null' }),
    // Snapshot of the buyer at checkout: what the documents print, whatever happens to the customer row.
    customerKind: text('customer_kind', { enum: ['guest', 'account'] }),
    customerName: text('customer_name'),
    customerEmail: text('customer_email'),
    customerPhone: text('customer_phone'),
    /** The phone's last 8 digits: "+46 70-123 45 67" and "070 123 45 67" search alike. */
    customerPhoneKey: text('customer_phone_key'),
    /** Name and e-mail folded for search (lower case, no accents, ø→o, ł→l): what orders_fts indexes. */
    customerSearch: text('customer_search'),
    shipLine1: text('ship_line1'),
    shipLine2: text('ship_line2'),
    shipPostalCode: text('ship_postal_code'),
    shipCity: text('ship_city'),
    shipCountry: text('ship_country'),
    /** The shop's shipping method (Settings → Shipping → Carriers maps it); null: the default method. */
    shippingMethod: text('shipping_method'),
    /** Bumped on every line change; a printed pick slip remembers the version it showed. */
    linesVersion: integer('lines_version').notNull().default(1),
    /** Where the order came from: api token name, demo, web. */
    source: text('source'),
    /** The customer's language for e-mails (en, sv); null: the shop's DEFAULT_LANGUAGE. */
    language: text('language'),
    createdAt: timestamp('created_at').notNull(),
    /** When checkout completed (preorder → order); null for a preorder. */
    placedAt: timestamp('placed_at'),
    updatedAt: timestamp('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('orders_code_unique').on(t.code),
    // The order list is newest first by id, which is also created_at order (orders/repo.ts
    // nextCreatedAt); each common filter has an index ending in id, so a page never sorts the table.
    index('orders_status_id_idx').on(t.status, t.id),
    index('orders_custom_status_id_idx').on(t.customStatusId, t.id),
    index('orders_waiting_id_idx')
      .on(t.id)
      .where(sql`${t.waiting} = 1`),
    index('orders_created_idx').on(t.createdAt),
    index('orders_customer_email_idx').on(t.customerEmail),
    index('orders_customer_phone_key_idx').on(t.customerPhoneKey),
    index('orders_customer_idx').on(t.customerId),
    // The packing station's queue: the most urgent packing orders not waiting, read in index order.
    index('orders_station_queue_idx')
      .on(sql`${t.priority} DESC`, t.placedAt, t.id)
      .where(sql`${t.status} = 'packing' AND ${t.waiting} = 0`),
    check('orders_priority_check', sql`${t.priority} BETWEEN 1 AND 10`),
  ],
);

export const orderLines = sqliteTable(
  'order_lines',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    orderId: integer('order_id')
      .notNull()
      .references(() => orders.id, { onDelete: 'cascade' }),
    /** Null once the product is deleted; sku/name/price below stay as sold. */
    productId: integer('product_id').references(() => products.id, { onDelete: 'set null' }),
    sku: text('sku').notNull(),
    name: text('name').notNull(),
    unitPrice: integer('unit_price').notNull(),
    vatRate: integer('vat_rate').notNull(),
    quantity: integer('quantity').notNull(),
    shippedQuantity: integer('shipped_quantity').notNull().default(0),
    createdAt: timestamp('created_at').notNull(),
  },
  (t) => [
    uniqueIndex('order_lines_order_sku_unique').on(t.orderId, t.sku),
    index('order_lines_product_idx').on(t.productId),
    // Orders that contain a SKU, newest first, read in index order (the order search and the sku filter).
    index('order_lines_sku_order_idx').on(t.sku, t.orderId),
    check('order_lines_quantity_check', sql`${t.quantity} > 0 AND ${t.shippedQuantity} BETWEEN 0 AND ${t.quantity}`),
  ],
);

/** Money received against an order. `reference` is unique per order so a retried callback records nothing twice. */
export const payments = sqliteTable(
  'payments',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    orderId: integer('order_id')
      .notNull()
      .references(() => orders.id, { onDelete: 'cascade' }),
    amount: integer('amount').notNull(),
    reference: text('reference'),
    actor: text('actor').notNull(),
    createdAt: timestamp('created_at').notNull(),
  },
  (t) => [
    index('payments_order_idx').on(t.orderId),
    uniqueIndex('payments_order_reference_unique')
      .on(t.orderId, t.reference)
      .where(sql`${t.reference} IS NOT NULL`),
  ],
);

/**
 * Append-only log of everything that happened to an order (a trigger refuses UPDATE and DELETE).
 * No foreign key: the rows outlive a deleted order, whose last row is the tombstone.
 */
export const orderEvents = sqliteTable(
  'order_events',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    orderId: integer('order_id').notNull(),
    orderCode: text('order_code').notNull(),
    type: text('type').notNull(),
    /** user, api, system, pack_script */
    actorType: text('actor_type').notNull(),
    actorId: integer('actor_id'),
    actorName: text('actor_name').notNull(),
    /** JSON with the details the type needs (from/to status, line and quantities, ...). */
    data: text('data', { mode: 'json' }).$type<Record<string, unknown>>(),
    createdAt: timestamp('created_at').notNull(),
  },
  (t) => [index('order_events_order_idx').on(t.orderId, t.id), index('order_events_code_idx').on(t.orderCode)],
);
