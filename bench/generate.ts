import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { migrateDatabase, openDatabase, type Db } from '../src/db/client.js';
import { dammCheckDigit } from '../src/domain/order-code.js';
import { gs1CheckDigit } from '../src/domain/gtin.js';
import { foldForSearch, phoneKey } from '../src/domain/search.js';

export interface DataSpec {
  products: number;
  orders: number;
  /** Lines per order are 1..2×avg−1, averaging this. */
  linesPerOrder: number;
  /** Share of each status; default: mostly shipped, as in a shop's history. */
  statuses?: readonly (readonly [string, number])[];
  /** Units on the shelf per product: from..to (default 20..219). */
  onHand?: readonly [number, number];
  /** Share of unpaid card orders among `order` orders (default 0.5). */
  unpaidShare?: number;
}

const STATUSES = [
  ['shipped', 0.7],
  ['cancelled', 0.05],
  ['packing', 0.05],
  ['order', 0.15],
  ['preorder', 0.05],
] as const;
const FIRST = ['Åsa', 'Erik', 'Karin', 'Jonas', 'Aino', 'Mette', 'Łukasz', 'Zoë', 'Lars', 'Ingrid', 'Olof', 'Sanna', 'Mikko', 'Freja', 'Nils', 'Elin'];
const LAST = [
  'Øvergård',
  'Johansson',
  'Lindqvist',
  'Berg',
  'Virtanen',
  'Sørensen',
  'Żółć',
  'Lefèvre',
  'Andersson',
  'Nilsson',
  'Karlsson',
  'Hansen',
  'Korhonen',
  'Larsen',
  'Persson',
  'Eriksson',
];

function prng(seed: number) {
  let s = seed >>> 0;
  return (max: number) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return Math.floor((s / 2 ** 32) * max);
  };
}

/**
 * A scratch database with `spec` products and orders, written straight with prepared statements in
 * large transactions (the services would take an hour for a million orders). Stock counters are
 * computed from the lines at the end, so the result obeys the same invariants as real data.
 * Cached by spec under .bench/.
 */
export function generate(spec: DataSpec, dir = '.bench'): { path: string; seconds: number; cached: boolean } {
  mkdirSync(dir, { recursive: true });
  const variant = spec.statuses || spec.onHand || spec.unpaidShare !== undefined ? `-${hashSpec(spec)}` : '';
  const path = join(dir, `data-p${spec.products}-o${spec.orders}-l${spec.linesPerOrder}${variant}.db`);
  if (existsSync(path)) return { path, seconds: 0, cached: true };
  const started = performance.now();
  const tmp = `${path}.tmp`;
  rmSync(tmp, { force: true });
  const db = openDatabase(tmp);
  migrateDatabase(db);
  fill(db, spec);
  db.$client.pragma('wal_checkpoint(TRUNCATE)');
  db.$client.close();
  renameSync(tmp, path);
  rmSync(`${tmp}-wal`, { force: true });
  rmSync(`${tmp}-shm`, { force: true });
  return { path, seconds: (performance.now() - started) / 1000, cached: false };
}

function hashSpec(spec: DataSpec): string {
  return createHash('sha1').update(JSON.stringify(spec)).digest('hex').slice(0, 8);
}

/** Writes `spec` into an open, migrated database (benchmarks and the browser test of a long pack run). */
export function fill(db: Db, spec: DataSpec): void {
  const sqlite = db.$client;
  const rnd = prng(42);
  const start = Date.UTC(2024, 0, 1);
  const span = Date.UTC(2026, 10, 1) - start;
  const insertProduct = sqlite.prepare(
    `INSERT INTO products (sku, name, barcode, location, track_stock, on_hand, reserved, allocated, price, vat_rate, created_at, updated_at)
     VALUES (?, ?, ?, ?, 1, ?, 0, 0, ?, 2500, ?, ?)`,
  );
  const prices: number[] = [];
  sqlite.transaction(() => {
    for (let i = 1; i <= spec.products; i++) {
      const body = `7350${String(i).padStart(8, '0')}`;
      const price = (19 + rnd(500)) * 100;
      prices.push(price);
      const [lo, hi] = spec.onHand ?? [20, 219];
      insertProduct.run(
        `SKU-${String(i).padStart(6, '0')}`,
        `Product ${i}`,
        body + gs1CheckDigit(body),
        `${'ABCDEFGH'[i % 8]}-${String(1 + (i % 60)).padStart(2, '0')}-${1 + (i % 5)}`,
        lo + rnd(hi - lo + 1),
        price,
        start,
        start,
      );
    }
  })();

  const insertOrder = sqlite.prepare(
    `INSERT INTO orders (code, status, payment_method, paid, paid_amount, priority, currency, subtotal, shipping_fee, total,
       customer_kind, customer_name, customer_email, customer_phone, customer_phone_key, customer_search,
       ship_line1, ship_postal_code, ship_city, ship_country, created_at, placed_at, updated_at, source)
     VALUES (?, ?, ?, ?, ?, ?, 'SEK', ?, 4900, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'SE', ?, ?, ?, 'bench')`,
  );
  const insertLine = sqlite.prepare(
    `INSERT INTO order_lines (order_id, product_id, sku, name, unit_price, vat_rate, quantity, shipped_quantity, created_at)
     VALUES (?, ?, ?, ?, ?, 2500, ?, ?, ?)`,
  );
  const usedCodes = new Set<string>();
  const BATCH = 20_000;
  for (let from = 0; from < spec.orders; from += BATCH) {
    sqlite.transaction(() => {
      for (let n = from; n < Math.min(from + BATCH, spec.orders); n++) {
        // Creation time grows with n, so the id order is the time order, as in real use.
        const created = start + Math.floor((n / spec.orders) * span);
        let pick = rnd(1000) / 1000;
        let status: string = 'order';
        for (const [s, share] of spec.statuses ?? STATUSES) {
          if (pick < share) {
            status = s;
            break;
          }
          pick -= share;
        }
        let code: string;
        do {
          const body = String(100_000_000 + rnd(900_000_000));
          code = body + dammCheckDigit(body);
        } while (usedCodes.has(code));
        usedCodes.add(code);
        const lineCount = 1 + rnd(2 * spec.linesPerOrder - 1);
        const lines: { pid: number; qty: number }[] = [];
        const seen = new Set<number>();
        for (let l = 0; l < lineCount; l++) {
          const pid = 1 + rnd(spec.products);
          if (seen.has(pid)) continue;
          seen.add(pid);
          lines.push({ pid, qty: 1 + rnd(3) });
        }
        const subtotal = lines.reduce((sum, l) => sum + prices[l.pid - 1]! * l.qty, 0);
        const preorder = status === 'preorder';
        const first = FIRST[rnd(FIRST.length)]!;
        const last = LAST[rnd(LAST.length)]!;
        const email = foldForSearch(`${first}.${last}.${n}@example.com`);
        const phone = `+46 70 ${String(n).padStart(7, '0')}`;
        const paid = status === 'shipped' || status === 'packing' || (status === 'order' && rnd(1000) >= (spec.unpaidShare ?? 0.5) * 1000);
        const orderId = insertOrder.run(
          code,
          status,
          preorder ? null : 'card',
          paid ? 1 : 0,
          paid ? subtotal + 4900 : 0,
          rnd(20) === 0 ? 8 : 5,
          subtotal,
          subtotal + 4900,
          preorder ? null : 'guest',
          preorder ? null : `${first} ${last}`,
          preorder ? null : email,
          preorder ? null : phone,
          preorder ? null : phoneKey(phone),
          preorder ? null : foldForSearch(`${first} ${last} ${email}`),
          preorder ? null : `Storgatan ${1 + rnd(99)}`,
          preorder ? null : String(10000 + rnd(89999)),
          preorder ? null : 'Stockholm',
          created,
          preorder ? null : created,
          created,
        ).lastInsertRowid;
        for (const l of lines) {
          insertLine.run(
            orderId,
            l.pid,
            `SKU-${String(l.pid).padStart(6, '0')}`,
            `Product ${l.pid}`,
            prices[l.pid - 1],
            l.qty,
            status === 'shipped' ? l.qty : 0,
            created,
          );
        }
      }
    })();
  }
  sqlite.exec(`
    UPDATE products SET
      reserved = coalesce((SELECT sum(l.quantity - l.shipped_quantity) FROM order_lines l JOIN orders o ON o.id = l.order_id
                           WHERE l.product_id = products.id AND o.status IN ('order', 'packing')), 0),
      allocated = coalesce((SELECT sum(l.quantity - l.shipped_quantity) FROM order_lines l JOIN orders o ON o.id = l.order_id
                            WHERE l.product_id = products.id AND o.status = 'packing'), 0);
    ANALYZE;
  `);
}
