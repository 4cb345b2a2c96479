import type { Db } from '../db/client.js';
import { orderListCondition, type OrderFilterQuery } from '../orders/list.js';
import { majorUnits, neutraliseCell as text, percent, type CsvDialect } from './format.js';
import { orderExportReader, productExportReader } from './repo.js';
import { streamCsv } from './stream.js';
import type { Writable } from 'node:stream';

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

export const PRODUCT_COLUMNS = [
  'sku',
  'name',
  'barcode',
  'location',
  'price',
  'vat_percent',
  'track_stock',
  'on_hand',
  'allocated',
  'available',
  'sellable',
] as const;

/**
 * Every order the list's filters match (orders/list.ts, the same reading as the Orders page and
 * `GET /api/v1/orders`), newest first, one row per order line (an order without lines gets one row
 * with the line columns empty). Orders are read by keyset on id, a chunk at a time, so memory
 * stays flat however many there are; an order changed while the file is written shows as it was
 * when its chunk was read.
 */
export async function exportOrders(db: Db, query: OrderFilterQuery, timeZone: string, csv: CsvDialect, out: Writable): Promise<void> {
  const condition = orderListCondition(db, query, timeZone);
  const chunkAfter = orderExportReader(db, condition);
  const sep = csv.separator;
  let before = Number.MAX_SAFE_INTEGER;
  await streamCsv(out, ORDER_COLUMNS, csv, (write) => {
    const start = before;
    for (const r of chunkAfter(before)) {
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

/** Every product by SKU with its stock figures (domain/stock.ts stockView), read a chunk at a time. */
export async function exportProducts(db: Db, csv: CsvDialect, out: Writable): Promise<void> {
  const chunkAfter = productExportReader(db);
  const sep = csv.separator;
  let after = '';
  await streamCsv(out, PRODUCT_COLUMNS, csv, (write) => {
    const start = after;
    for (const r of chunkAfter(after)) {
      after = r[0];
      write([
        text(r[0]),
        text(r[1]),
        text(r[2] ?? ''),
        text(r[3] ?? ''),
        majorUnits(r[4], sep),
        percent(r[5], sep),
        r[6] ? 'yes' : 'no',
        r[7],
        r[9],
        r[7] - r[9],
        r[7] - r[8],
      ]);
    }
    return after !== start;
  });
}
