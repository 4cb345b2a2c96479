import { eq } from 'drizzle-orm';
import { expect } from 'vitest';
import { writeTransaction, type Db } from '../src/db/client.js';
import { products } from '../src/db/schema/index.js';
import type { Actor } from '../src/domain/actor.js';
import type { Role } from '../src/domain/permissions.js';
import type { Language } from '../src/i18n/index.js';
import { findOrderByCode, listLines } from '../src/orders/repo/orders.js';
import type { CreateOrderBody } from '../src/orders/schemas.js';
import { changeStatus, createOrder } from '../src/orders/service.js';
import { packOrder } from '../src/pack/writer.js';
import { upsertProduct } from '../src/products/service.js';
import { reportDelivery } from '../src/shipping/service.js';
import { createUser } from '../src/users/service.js';
import { PASSWORD } from './helpers.js';

/** Builders named by state; each makes what it needs (products, customer) itself. */
const ACTOR: Actor = { type: 'system', id: null, name: 'test' };
const NOW = () => new Date('2026-11-20T08:00:00Z');
let seq = 0;

export function buildProduct(
  db: Db,
  overrides: Partial<{ sku: string; name: string; onHand: number; price: number | null; trackStock: boolean; location: string; barcode: string }> = {},
) {
  const sku = overrides.sku ?? `SKU-${++seq}`;
  const { product } = upsertProduct(
    db,
    sku,
    {
      name: overrides.name ?? `Product ${sku}`,
      onHand: overrides.onHand ?? 10,
      price: overrides.price === undefined ? 1000 : overrides.price,
      trackStock: overrides.trackStock,
      location: overrides.location,
      barcode: overrides.barcode,
    },
    ACTOR,
    NOW(),
  );
  return product;
}

export const aCustomer = (name = 'Åsa Øvergård') => ({
  name,
  email: `customer${++seq}@example.com`,
  address: { line1: 'Storgatan 1', postalCode: '111 22', city: 'Stockholm', country: 'SE' },
});

type Lines = { sku: string; quantity: number }[];

function linesOrDefault(db: Db, lines?: Lines): Lines {
  return lines ?? [{ sku: buildProduct(db).sku, quantity: 2 }];
}

export function buildOrder(db: Db, opts: { lines?: Lines; paid?: boolean; body?: Partial<CreateOrderBody> } = {}) {
  return createOrder(
    db,
    { status: 'order', lines: linesOrDefault(db, opts.lines), customer: aCustomer(), paymentMethod: 'card', paid: opts.paid ?? false, ...opts.body },
    { actor: ACTOR, now: NOW(), currency: 'SEK' },
  );
}

export const buildPaidOrder = (db: Db, opts: { lines?: Lines; body?: Partial<CreateOrderBody> } = {}) => buildOrder(db, { ...opts, paid: true });

export function buildPreorder(db: Db, opts: { lines?: Lines } = {}) {
  return createOrder(db, { status: 'preorder', lines: linesOrDefault(db, opts.lines) }, { actor: ACTOR, now: NOW(), currency: 'SEK' });
}

export function buildPackingOrder(db: Db, opts: { lines?: Lines; body?: Partial<CreateOrderBody> } = {}) {
  const order = buildPaidOrder(db, opts);
  // Promoted by the pack rule and the pack script's writer, as production promotes it.
  return writeTransaction(db, (tx) => {
    const { decision, promoted } = packOrder(tx, order.id, { requireApproval: false }, ACTOR, NOW());
    if (!promoted) throw new Error(`buildPackingOrder: the pack rule holds ${order.code} (${decision?.reason ?? 'not a candidate'})`);
    return reload(tx, order.code);
  });
}

export function buildShippedOrder(db: Db, opts: { lines?: Lines } = {}) {
  const order = buildPackingOrder(db, opts);
  return writeTransaction(db, (tx) => reportDelivery(tx, order, { parcels: [`PARCEL-${++seq}`] }, { actor: ACTOR, now: NOW() }).order);
}

export function buildPartlyShippedOrder(db: Db) {
  const order = buildPackingOrder(db, { lines: [{ sku: buildProduct(db).sku, quantity: 3 }] });
  return writeTransaction(db, (tx) => {
    const line = listLines(tx, order.id)[0]!;
    return reportDelivery(tx, order, { parcels: [`PARCEL-${++seq}`], quantities: new Map([[line.id, 1]]) }, { actor: ACTOR, now: NOW() }).order;
  });
}

export function buildCancelledOrder(db: Db, opts: { lines?: Lines } = {}) {
  const order = buildOrder(db, opts);
  return changeStatus(db, order.code, 'cancelled', { actor: ACTOR, now: NOW(), currency: 'SEK' });
}

export function reload(db: Db, code: string) {
  return findOrderByCode(db, code)!;
}

export function buildUser(db: Db, role: Role, overrides: Partial<{ email: string; name: string; language: Language }> = {}) {
  return createUser(
    db,
    {
      email: overrides.email ?? `${role}${++seq}@example.com`,
      name: overrides.name ?? `${role} ${seq}`,
      role,
      language: overrides.language ?? 'en',
      password: PASSWORD,
    },
    NOW(),
  );
}

/**
 * The stock counters recomputed from the order lines, per product: what `reserved` and
 * `allocated` must always equal.
 */
export function recomputedCounters(db: Db) {
  return db.$client
    .prepare(
      `SELECT p.sku, p.reserved, p.allocated,
         coalesce((SELECT sum(l.quantity - l.shipped_quantity) FROM order_lines l JOIN orders o ON o.id = l.order_id
                   WHERE l.product_id = p.id AND o.status IN ('order', 'packing')), 0) AS expectReserved,
         coalesce((SELECT sum(l.quantity - l.shipped_quantity) FROM order_lines l JOIN orders o ON o.id = l.order_id
                   WHERE l.product_id = p.id AND o.status = 'packing'), 0) AS expectAllocated
       FROM products p`,
    )
    .all() as { sku: string; reserved: number; allocated: number; expectReserved: number; expectAllocated: number }[];
}

/** Every product's reserved and allocated agree with the unshipped lines of its orders. */
export function expectCountersInSync(db: Db): void {
  for (const row of recomputedCounters(db)) {
    expect(row.reserved, `${row.sku} reserved`).toBe(row.expectReserved);
    expect(row.allocated, `${row.sku} allocated`).toBe(row.expectAllocated);
  }
}

export function productBySku(db: Db, sku: string) {
  return db.select().from(products).where(eq(products.sku, sku)).get()!;
}
