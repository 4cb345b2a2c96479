import type { Db } from '../db/client.js';
import type { OrderStatus, PaymentMethod } from '../domain/order-status.js';
import type { DocLine, DocOrder, PrintedKind } from './model.js';

export interface DocOrderRow extends DocOrder {
  id: number;
  linesVersion: number;
  /** orders.language as stored: the customer's language, or null. */
  language: string | null;
}

type OrderRow = {
  id: number;
  code: string;
  status: OrderStatus;
  currency: string;
  payment_method: PaymentMethod | null;
  paid: number;
  placed_at: number | null;
  created_at: number;
  customer_name: string | null;
  customer_email: string | null;
  customer_phone: string | null;
  ship_line1: string | null;
  ship_line2: string | null;
  ship_postal_code: string | null;
  ship_city: string | null;
  ship_country: string | null;
  comment: string | null;
  priority: number;
  subtotal: number;
  shipping_fee: number;
  total: number;
  lines_version: number;
  language: string | null;
};

type LineRow = Omit<DocLine, 'thisDelivery'> & { orderId: number; draftQuantity: number | null; partial: number | null };

const CHUNK = 500;

/**
 * The orders with these codes as the documents print them, in the order asked; codes that match no
 * order are left out (the caller names them). Lines carry the product's bin and barcode as they
 * are now, and the draft delivery's quantities when the packer set a partial delivery.
 */
export function loadDocOrders(db: Db, codes: readonly string[]): DocOrderRow[] {
  const sqlite = db.$client;
  const byCode = new Map<string, DocOrderRow>();
  for (let i = 0; i < codes.length; i += CHUNK) {
    const chunk = codes.slice(i, i + CHUNK);
    const marks = chunk.map(() => '?').join(',');
    const rows = sqlite.prepare(`SELECT * FROM orders WHERE code IN (${marks})`).all(...chunk) as OrderRow[];
    const orders = new Map<number, DocOrderRow>();
    for (const r of rows) {
      const order: DocOrderRow = {
        id: r.id,
        linesVersion: r.lines_version,
        language: r.language,
        code: r.code,
        status: r.status,
        currency: r.currency,
        paymentMethod: r.payment_method,
        paid: r.paid === 1,
        placedAt: r.placed_at,
        createdAt: r.created_at,
        customerName: r.customer_name,
        customerEmail: r.customer_email,
        customerPhone: r.customer_phone,
        shipTo: { line1: r.ship_line1, line2: r.ship_line2, postalCode: r.ship_postal_code, city: r.ship_city, country: r.ship_country },
        comment: r.comment,
        priority: r.priority,
        subtotal: r.subtotal,
        shippingFee: r.shipping_fee,
        total: r.total,
        lines: [],
      };
      orders.set(r.id, order);
      byCode.set(r.code, order);
    }
    if (orders.size === 0) continue;
    const ids = [...orders.keys()];
    const lines = sqlite
      .prepare(
        `SELECT l.order_id AS orderId, l.sku, l.name, p.barcode, p.location, l.quantity, l.shipped_quantity AS shipped,
                l.quantity - l.shipped_quantity AS remaining, l.unit_price AS unitPrice, l.vat_rate AS vatRate,
                dl.quantity AS draftQuantity, d.partial
           FROM order_lines l
           LEFT JOIN products p ON p.id = l.product_id
           LEFT JOIN deliveries d ON d.order_id = l.order_id AND d.status = 'draft'
           LEFT JOIN delivery_lines dl ON dl.delivery_id = d.id AND dl.order_line_id = l.id
          WHERE l.order_id IN (${ids.map(() => '?').join(',')})
          ORDER BY l.order_id, l.id`,
      )
      .all(...ids) as LineRow[];
    for (const { orderId, draftQuantity, partial, ...line } of lines) {
      orders.get(orderId)!.lines.push({ ...line, thisDelivery: partial === 1 ? (draftQuantity ?? 0) : line.remaining });
    }
  }
  return codes.flatMap((code) => byCode.get(code) ?? []);
}

export interface PrintMarker {
  kind: PrintedKind;
  printedAt: Date;
  printedBy: string;
  count: number;
  /** A pick slip printed before the order's lines last changed. */
  stale: boolean;
}

/** The latest print of each kind for these orders, by order id. */
export function printMarkers(db: Db, orderIds: readonly number[]): Map<number, PrintMarker[]> {
  const out = new Map<number, PrintMarker[]>();
  if (orderIds.length === 0) return out;
  const sqlite = db.$client;
  for (let i = 0; i < orderIds.length; i += CHUNK) {
    const chunk = orderIds.slice(i, i + CHUNK);
    // SQLite takes the other columns from the row holding max(id): the latest print.
    const rows = sqlite
      .prepare(
        `SELECT p.order_id AS orderId, p.kind, max(p.id), p.printed_at AS printedAt, p.printed_by AS printedBy, count(*) AS count,
                p.lines_version < o.lines_version AS stale
           FROM printed_documents p JOIN orders o ON o.id = p.order_id
          WHERE p.order_id IN (${chunk.map(() => '?').join(',')})
          GROUP BY p.order_id, p.kind`,
      )
      .all(...chunk) as { orderId: number; kind: PrintedKind; printedAt: number; printedBy: string; count: number; stale: number }[];
    for (const r of rows) {
      const list = out.get(r.orderId) ?? [];
      list.push({ kind: r.kind, printedAt: new Date(r.printedAt), printedBy: r.printedBy, count: r.count, stale: r.kind === 'pick_slip' && r.stale === 1 });
      out.set(r.orderId, list);
    }
  }
  return out;
}
