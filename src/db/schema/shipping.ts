import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex, type AnySQLiteColumn } from 'drizzle-orm/sqlite-core';
import { users } from './users.js';
import { flag, timestamp } from './common.js';
import { orderLines, orders } from './orders.js';
import { printers } from './printers.js';

/**
 * A packing station: one packer's place, named on the device ("Bench 2") and owned by the user
 * signed in there. Open deliveries belong to the station where they were scanned; the order open at
 * a station (at most one station per order) shows at the others as taken.
 */
export const stations = sqliteTable(
  'stations',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    /** The order being packed here; unique, so no order is open at two stations. */
    currentOrderId: integer('current_order_id').references((): AnySQLiteColumn => orders.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at').notNull(),
    lastSeenAt: timestamp('last_seen_at').notNull(),
    /** The station's label printer; none: "PDF (browser)". */
    labelPrinterId: integer('label_printer_id').references(() => printers.id, { onDelete: 'set null' }),
    /** Print the label on the station's printer as soon as a parcel ID is added. */
    autoPrint: flag('auto_print').notNull().default(false),
  },
  (t) => [uniqueIndex('stations_user_name_unique').on(t.userId, t.name), uniqueIndex('stations_current_order_unique').on(t.currentOrderId)],
);

/** A station's scans by the key the page gave each one: a scan sent again after a lost answer is done once. */
export const stationScanKeys = sqliteTable(
  'station_scan_keys',
  {
    stationId: integer('station_id')
      .notNull()
      .references(() => stations.id, { onDelete: 'cascade' }),
    key: text('key').notNull(),
    createdAt: timestamp('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.stationId, t.key] }), index('station_scan_keys_created_idx').on(t.createdAt)],
);

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
    /** The station a draft belongs to, and a reported delivery came from (none: the API or demo data). */
    stationId: integer('station_id').references(() => stations.id, { onDelete: 'set null' }),
    /** The station's name and packer as they were at Report in, kept when the station is gone. */
    reportedFrom: text('reported_from'),
    createdAt: timestamp('created_at').notNull(),
    updatedAt: timestamp('updated_at').notNull(),
  },
  (t) => [
    index('deliveries_order_idx').on(t.orderId),
    index('deliveries_station_draft_idx')
      .on(t.stationId)
      .where(sql`${t.status} = 'draft'`),
    uniqueIndex('deliveries_one_draft_per_order')
      .on(t.orderId)
      .where(sql`${t.status} = 'draft'`),
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
    /** manual, scanner, camera, broker, sscc, carrier */
    source: text('source').notNull(),
    /** The carrier booking the parcel came from (source `carrier`); removing the parcel cancels it there. */
    bookingId: integer('booking_id'),
    /** The carrier's tracking page for the parcel. */
    trackingUrl: text('tracking_url'),
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

/**
 * Units checked by scanning their barcode while packing (scan-to-verify): each row counts
 * `quantity` units of one order line into the order's open delivery, with what the barcode said
 * (GS1 batch, expiry, serial). Undo deletes the row; both are in the order's history.
 */
export const deliveryChecks = sqliteTable(
  'delivery_checks',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    deliveryId: integer('delivery_id')
      .notNull()
      .references(() => deliveries.id, { onDelete: 'cascade' }),
    orderLineId: integer('order_line_id')
      .notNull()
      .references(() => orderLines.id, { onDelete: 'cascade' }),
    quantity: integer('quantity').notNull(),
    /** The text the scanner sent (FNC1 as GS). */
    barcode: text('barcode').notNull(),
    gtin: text('gtin'),
    batch: text('batch'),
    /** GS1 (17) as YYMMDD, kept as read. */
    expiry: text('expiry'),
    serial: text('serial'),
    stationId: integer('station_id').references(() => stations.id, { onDelete: 'set null' }),
    checkedBy: text('checked_by').notNull(),
    checkedByUserId: integer('checked_by_user_id').references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at').notNull(),
  },
  (t) => [index('delivery_checks_delivery_idx').on(t.deliveryId, t.orderLineId)],
);

/** An item scan the station refused (not on the order, one too many, another order's, untracked): the mis-pick rate per packer. */
export const refusedChecks = sqliteTable(
  'refused_checks',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    orderId: integer('order_id').references(() => orders.id, { onDelete: 'set null' }),
    barcode: text('barcode').notNull(),
    /** The error code: item_not_on_order, item_over_quantity, barcode_unknown, item_on_other_order, item_not_tracked. */
    reason: text('reason').notNull(),
    userId: integer('user_id').references(() => users.id, { onDelete: 'set null' }),
    checkedBy: text('checked_by').notNull(),
    createdAt: timestamp('created_at').notNull(),
  },
  (t) => [index('refused_checks_created_idx').on(t.createdAt)],
);
