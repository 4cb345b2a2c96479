import { sql } from 'drizzle-orm';
import { blob, index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { CARRIER_KINDS } from '../../carriers/types.js';
import { flag, timestamp } from './common.js';
import { orders } from './orders.js';
import { deliveries } from './shipping.js';

/**
 * An account with a carrier or freight broker (Settings → Shipping → Carriers). The credentials are
 * one AES-256-GCM box (carriers/secrets.ts), never shown again; the sender is printed on the labels.
 */
export const carrierAccounts = sqliteTable('carrier_accounts', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  name: text('name').notNull(),
  kind: text('kind', { enum: CARRIER_KINDS }).notNull(),
  /** The carrier's test mode: nothing is sent or billed. */
  test: flag('test').notNull().default(true),
  /** The API's address; null: the carrier's own for the mode. */
  baseUrl: text('base_url'),
  /** `v1.<iv>.<tag>.<ciphertext>`, base64url, of the credentials' JSON. */
  credentials: text('credentials').notNull(),
  labelFormat: text('label_format', { enum: ['zpl', 'pdf'] }).notNull(),
  /** Each parcel's weight when nothing else says (the station does not weigh). */
  parcelWeightGrams: integer('parcel_weight_grams').notNull().default(1000),
  senderName: text('sender_name').notNull(),
  senderLine1: text('sender_line1').notNull(),
  senderLine2: text('sender_line2'),
  senderPostalCode: text('sender_postal_code').notNull(),
  senderCity: text('sender_city').notNull(),
  senderCountry: text('sender_country').notNull(),
  senderPhone: text('sender_phone'),
  senderEmail: text('sender_email'),
  createdAt: timestamp('created_at').notNull(),
  updatedAt: timestamp('updated_at').notNull(),
});

/**
 * The shop's shipping methods (the order's `shipping_method`), each mapped to a carrier account and
 * service, to pickup in store, or to the station's own parcel IDs (`own`: the SSCC series or the HTTP
 * broker). The default method serves an order whose method is empty or not mapped.
 */
export const shippingMethods = sqliteTable(
  'shipping_methods',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    code: text('code').notNull(),
    name: text('name').notNull(),
    kind: text('kind', { enum: ['carrier', 'pickup', 'own'] }).notNull(),
    carrierAccountId: integer('carrier_account_id').references(() => carrierAccounts.id, { onDelete: 'restrict' }),
    /** The carrier's service (product) code. */
    service: text('service'),
    isDefault: flag('is_default').notNull().default(false),
    createdAt: timestamp('created_at').notNull(),
    updatedAt: timestamp('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('shipping_methods_code_unique').on(t.code),
    uniqueIndex('shipping_methods_one_default')
      .on(t.isDefault)
      .where(sql`${t.isDefault} = 1`),
  ],
);

/**
 * Every attempt to book a delivery with a carrier, recorded before the carrier is called, under our
 * own reference (`<order code>-<delivery id>-<attempt>`). A `pending` attempt is in flight (at most one
 * per delivery); `unknown` means the carrier may have booked it (timeout, lost answer): it is looked up
 * by its reference before the delivery is booked again.
 */
export const carrierBookings = sqliteTable(
  'carrier_bookings',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    orderId: integer('order_id')
      .notNull()
      .references(() => orders.id, { onDelete: 'cascade' }),
    deliveryId: integer('delivery_id')
      .notNull()
      .references(() => deliveries.id, { onDelete: 'cascade' }),
    accountId: integer('account_id')
      .notNull()
      .references(() => carrierAccounts.id, { onDelete: 'restrict' }),
    carrierKind: text('carrier_kind', { enum: CARRIER_KINDS }).notNull(),
    service: text('service').notNull(),
    reference: text('reference').notNull(),
    attempt: integer('attempt').notNull(),
    status: text('status', { enum: ['pending', 'booked', 'refused', 'unknown', 'not_booked', 'cancelled'] }).notNull(),
    parcelCount: integer('parcel_count').notNull(),
    /** The carrier's shipment id, once booked. */
    carrierRef: text('carrier_ref'),
    /** The process that made the call (`pid:token`): a pending attempt whose process is gone was cut off. */
    owner: text('owner').notNull(),
    /** What the carrier said when it refused or failed, for the history and the station. */
    problem: text('problem'),
    startedAt: timestamp('started_at').notNull(),
    finishedAt: timestamp('finished_at'),
    createdBy: text('created_by').notNull(),
  },
  (t) => [
    uniqueIndex('carrier_bookings_reference_unique').on(t.reference),
    index('carrier_bookings_delivery_idx').on(t.deliveryId),
    // At most one call in flight per delivery: a double press or a second station waits for it.
    uniqueIndex('carrier_bookings_one_pending')
      .on(t.deliveryId)
      .where(sql`${t.status} = 'pending'`),
  ],
);

/** The labels a booking came with, as the carrier sent them (ZPL to the printer as is, a PDF to the browser). */
export const carrierLabels = sqliteTable(
  'carrier_labels',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    bookingId: integer('booking_id')
      .notNull()
      .references(() => carrierBookings.id, { onDelete: 'cascade' }),
    format: text('format', { enum: ['zpl', 'pdf'] }).notNull(),
    data: blob('data', { mode: 'buffer' }).notNull(),
  },
  (t) => [index('carrier_labels_booking_idx').on(t.bookingId)],
);
