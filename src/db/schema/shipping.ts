import { sql } from 'drizzle-orm';
import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { users } from './users.js';
import { flag, timestamp } from './common.js';
import { orderLines, orders } from './orders.js';

/**
 * One shipment of (part of) an order. A `draft` holds the parcel IDs scanned so far (at most one
 * draft per order); Report in turns it `reported`, which is when stock leaves on_hand.
 */
export const deliveries = sqliteTable(
  'deliveries',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    orderId: integer('order_id')
      .notNull()
      .references(() => orders.id, { onDelete: 'cascade' }),
    status: text('status', { enum: ['draft', 'reported'] }).notNull(),
    /** The packer chose quantities (partial delivery) instead of "everything remaining". */
    partial: flag('partial').notNull().default(false),
    /** Parcel slots the packer opened on the station (1–4): how many IDs "Fetch parcel ID" asks for. */
    parcelSlots: integer('parcel_slots').notNull().default(1),
    reportedAt: timestamp('reported_at'),
    reportedBy: text('reported_by'),
    reportedByUserId: integer('reported_by_user_id').references(() => users.id, { onDelete: 'set null' }),
    idempotencyKey: text('idempotency_key'),
    createdAt: timestamp('created_at').notNull(),
    updatedAt: timestamp('updated_at').notNull(),
  },
  (t) => [
    index('deliveries_order_idx').on(t.orderId),
    uniqueIndex('deliveries_one_draft_per_order').on(t.orderId).where(sql`${t.status} = 'draft'`),
  ],
);

/** A parcel ID (tracking number / SSCC), unique across all deliveries; 1–4 per delivery. */
export const deliveryParcels = sqliteTable(
  'delivery_parcels',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    deliveryId: integer('delivery_id')
      .notNull()
      .references(() => deliveries.id, { onDelete: 'cascade' }),
    parcelId: text('parcel_id').notNull(),
    /** manual, scanner, camera, broker */
    source: text('source').notNull(),
    createdBy: text('created_by').notNull(),
    createdAt: timestamp('created_at').notNull(),
  },
  (t) => [uniqueIndex('delivery_parcels_parcel_unique').on(t.parcelId), index('delivery_parcels_delivery_idx').on(t.deliveryId)],
);

/** How many units of each order line go in the delivery. */
export const deliveryLines = sqliteTable(
  'delivery_lines',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    deliveryId: integer('delivery_id')
      .notNull()
      .references(() => deliveries.id, { onDelete: 'cascade' }),
    orderLineId: integer('order_line_id')
      .notNull()
      .references(() => orderLines.id, { onDelete: 'cascade' }),
    quantity: integer('quantity').notNull(),
  },
  (t) => [uniqueIndex('delivery_lines_unique').on(t.deliveryId, t.orderLineId)],
);

/** Every print of a document for an order: the struck-through marker and the stale-slip check. */
export const printedDocuments = sqliteTable(
  'printed_documents',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    orderId: integer('order_id')
      .notNull()
      .references(() => orders.id, { onDelete: 'cascade' }),
    /** pick_slip, receipt, invoice, packing_slip, batch_pick_list, label */
    kind: text('kind').notNull(),
    /** orders.lines_version when printed: a later line change makes the slip stale. */
    linesVersion: integer('lines_version').notNull(),
    /** Invoice number, parcel ID of a label, ... */
    reference: text('reference'),
    printedBy: text('printed_by').notNull(),
    printedAt: timestamp('printed_at').notNull(),
  },
  (t) => [index('printed_documents_order_idx').on(t.orderId, t.kind)],
);

/**
 * An own-invoice order's invoice: numbered from a gap-free series when it is first printed, in the
 * same transaction as the number is taken; a reprint shows the same number and dates. The row
 * outlives a deleted order (the number stays taken: the series has no gaps).
 */
export const invoices = sqliteTable(
  'invoices',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    orderId: integer('order_id').references(() => orders.id, { onDelete: 'set null' }),
    orderCode: text('order_code').notNull(),
    number: integer('number').notNull(),
    /** OCR payment reference: the number with a Luhn check digit. */
    reference: text('reference').notNull(),
    issuedAt: timestamp('issued_at').notNull(),
    dueAt: timestamp('due_at').notNull(),
    issuedBy: text('issued_by').notNull(),
  },
  (t) => [uniqueIndex('invoices_order_unique').on(t.orderId), uniqueIndex('invoices_number_unique').on(t.number)],
);
