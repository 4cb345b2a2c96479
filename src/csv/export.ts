import { SQLiteSyncDialect } from 'drizzle-orm/sqlite-core';
import type { Db } from '../db/client.js';
import { orderListCondition, type OrderFilterQuery } from '../orders/list.js';
import { majorUnits, neutraliseCell as text, percent, type CsvDialect } from './format.js';
import { streamCsv } from './stream.js';
import type { Writable } from 'node:stream';

/** Orders read per chunk: a chunk is one short read of the database, its lines a few thousand rows. */
const ORDER_CHUNK = 1000;
const PRODUCT_CHUNK = 2000;

export const ORDER_COLUMNS = [
  'order_code',
  'created_at',
  'status',
  'custom_status',
  'payment_method',
  'paid',
  'currency',
  'order_total',
  'shipping_fee',
  'customer_name',
  'customer_email',
  'customer_phone',
  'ship_line1',
  'ship_line2',
  'ship_postal_code',
  'ship_city',
  'ship_country',
  'sku',
  'product_name',
  'quantity',
  'shipped_quantity',
  'unit_price',
  'vat_percent',
  'line_total',
] as const;

export const PRODUCT_COLUMNS = ['sku', 'name', 'barcode', 'location', 'price', 'vat_percent', 'track_stock', 'on_hand', 'allocated', 'available', 'sellable'] as const;

type OrderLineRow = [
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

const dialect = new SQLiteSyncDialect();

/**
 * Every order the list's filters match (orders/list.ts, the same reading as the Orders page and
 * `GET /api/v1/orders`), newest first, one row per order line (an order without lines gets one row
 * with the line columns empty). Orders are read by keyset on id, ORDER_CHUNK at a time, so memory
 * stays flat however many there are; an order changed while the file is written shows as it was
 * when its chunk was read.
 */
export async function exportOrders(db: Db, query: OrderFilterQuery, timeZone: string, csv: CsvDialect, out: Writable): Promise<void> {
  const condition = orderListCondition(db, query, timeZone);
  const filter = condition ? dialect.sqlToQuery(condition) : { sql: '1', params: [] };
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
  const sep = csv.separator;
  let before = Number.MAX_SAFE_INTEGER;
  await streamCsv(out, ORDER_COLUMNS, csv, (write) => {
    const start = before;
    for (const r of statement.iterate(before, ...filter.params)) {
      before = r[0];
      const lineTotal = r[20] !== null && r[22] !== null ? r[20] * r[22] : null;
      // Text fields through neutraliseCell (a customer's name is anyone's text); figures as they are.
      write([
        text(r[1]),
        new Date(r[2]).toISOString(),
        text(r[3]),
        text(r[4] ?? ''),
        text(r[5] ?? ''),
        r[6] ? 'yes' : 'no',
        text(r[7]),
        majorUnits(r[8], sep),
        majorUnits(r[9], sep),
        text(r[10] ?? ''),
        text(r[11] ?? ''),
        text(r[12] ?? ''),
        text(r[13] ?? ''),
        text(r[14] ?? ''),
        text(r[15] ?? ''),
        text(r[16] ?? ''),
        text(r[17] ?? ''),
        text(r[18] ?? ''),
        text(r[19] ?? ''),
        r[20] ?? '',
        r[21] ?? '',
        majorUnits(r[22], sep),
        r[23] === null ? '' : percent(r[23], sep),
        majorUnits(lineTotal, sep),
      ]);
    }
    return before !== start;
  });
}

type ProductCsvRow = [sku: string, name: string, barcode: string | null, location: string | null, price: number | null, vatRate: number, trackStock: number, onHand: number, reserved: number, allocated: number];

/** Every product by SKU with its stock figures (domain/stock.ts stockView), read PRODUCT_CHUNK at a time. */
export async function exportProducts(db: Db, csv: CsvDialect, out: Writable): Promise<void> {
  const statement = db.$client
    .prepare<[string], ProductCsvRow>(
      `SELECT sku, name, barcode, location, price, vat_rate, track_stock, on_hand, reserved, allocated
         FROM products WHERE sku > ? ORDER BY sku LIMIT ${PRODUCT_CHUNK}`,
    )
    .raw();
  const sep = csv.separator;
  let after = '';
  await streamCsv(out, PRODUCT_COLUMNS, csv, (write) => {
    const start = after;
    for (const r of statement.iterate(after)) {
      after = r[0];
      write([text(r[0]), text(r[1]), text(r[2] ?? ''), text(r[3] ?? ''), majorUnits(r[4], sep), percent(r[5], sep), r[6] ? 'yes' : 'no', r[7], r[9], r[7] - r[9], r[7] - r[8]]);
    }
    return after !== start;
  });
}
