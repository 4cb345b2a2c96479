import { expect } from 'vitest';
import type { Db } from '../src/db/client.js';
import { MAX_PARCELS_PER_DELIVERY } from '../src/domain/parcel-id.js';

/**
 * What must hold of the stored data whatever happened before: any sequence of edits, pack runs,
 * deliveries, cancels, crashes or processes sharing the file (docs/decisions.md § Stock, DESIGN.md
 * § Stock). One query per rule, each returning the rows that break it, so a failure names the
 * product, order or delivery and the numbers.
 */
const RULES: Record<string, string> = {
  'reserved = unshipped quantity on order and packing orders': `
    SELECT p.sku, p.reserved, coalesce(sum(l.quantity - l.shipped_quantity), 0) AS expected
      FROM products p LEFT JOIN order_lines l ON l.product_id = p.id AND l.order_id IN (SELECT id FROM orders WHERE status IN ('order', 'packing'))
     GROUP BY p.id HAVING p.reserved <> expected`,
  'allocated = unshipped quantity on packing orders': `
    SELECT p.sku, p.allocated, coalesce(sum(l.quantity - l.shipped_quantity), 0) AS expected
      FROM products p LEFT JOIN order_lines l ON l.product_id = p.id AND l.order_id IN (SELECT id FROM orders WHERE status = 'packing')
     GROUP BY p.id HAVING p.allocated <> expected`,
  // Every product starts at 0 and each change of on_hand is a ledger row (its first stock count included).
  'on_hand = the sum of its ledger deltas': `
    SELECT p.sku, p.on_hand, coalesce((SELECT sum(delta) FROM stock_ledger s WHERE s.product_id = p.id), 0) AS ledger
      FROM products p WHERE p.on_hand <> ledger`,
  "each ledger row: on_hand_after = the previous row's on_hand_after + delta": `
    SELECT id, sku, delta, on_hand_after, previous FROM (
      SELECT id, sku, delta, on_hand_after, coalesce(lag(on_hand_after) OVER (PARTITION BY product_id ORDER BY id), 0) AS previous
        FROM stock_ledger WHERE product_id IS NOT NULL)
     WHERE on_hand_after <> previous + delta`,
  "the last ledger row's on_hand_after = on_hand": `
    SELECT p.sku, p.on_hand, s.on_hand_after FROM products p
      JOIN stock_ledger s ON s.id = (SELECT max(id) FROM stock_ledger WHERE product_id = p.id)
     WHERE s.on_hand_after <> p.on_hand`,
  '0 ≤ shipped_quantity ≤ quantity': `
    SELECT id, order_id, sku, quantity, shipped_quantity FROM order_lines WHERE shipped_quantity < 0 OR shipped_quantity > quantity`,
  "a line's shipped_quantity = what its reported deliveries carried": `
    SELECT l.id, l.sku, l.shipped_quantity,
           coalesce((SELECT sum(dl.quantity) FROM delivery_lines dl JOIN deliveries d ON d.id = dl.delivery_id
                      WHERE dl.order_line_id = l.id AND d.status = 'reported'), 0) AS delivered
      FROM order_lines l WHERE l.shipped_quantity <> delivered`,
  'a reported delivery took its units off on_hand in the ledger': `
    SELECT d.id, d.order_id,
           coalesce((SELECT -sum(s.delta) FROM stock_ledger s WHERE s.delivery_id = d.id AND s.reason = 'shipment'), 0) AS ledger,
           coalesce((SELECT sum(dl.quantity) FROM delivery_lines dl JOIN order_lines l ON l.id = dl.order_line_id
                      WHERE dl.delivery_id = d.id AND l.product_id IS NOT NULL), 0) AS carried
      FROM deliveries d WHERE d.status = 'reported' AND ledger <> carried`,
  'a draft delivery has taken nothing off the shelf': `
    SELECT d.id, d.order_id FROM deliveries d WHERE d.status = 'draft' AND EXISTS (SELECT 1 FROM stock_ledger s WHERE s.delivery_id = d.id)`,
  'a reported delivery has 1–4 parcels, units and its delivery_reported event': `
    SELECT d.id, d.order_id,
           (SELECT count(*) FROM delivery_parcels p WHERE p.delivery_id = d.id) AS parcels,
           (SELECT coalesce(sum(quantity), 0) FROM delivery_lines dl WHERE dl.delivery_id = d.id) AS units,
           (SELECT count(*) FROM order_events e WHERE e.order_id = d.order_id AND e.type = 'delivery_reported' AND json_extract(e.data, '$.deliveryId') = d.id) AS events
      FROM deliveries d WHERE d.status = 'reported' AND (parcels NOT BETWEEN 1 AND ${MAX_PARCELS_PER_DELIVERY} OR units < 1 OR events <> 1)`,
  'at most 4 parcels on a delivery': `
    SELECT delivery_id, count(*) AS parcels FROM delivery_parcels GROUP BY delivery_id HAVING parcels > ${MAX_PARCELS_PER_DELIVERY}`,
  'a parcel ID is on one delivery only': `
    SELECT parcel_id, count(*) AS n FROM delivery_parcels GROUP BY parcel_id HAVING n > 1`,
  'at most one draft delivery per order': `
    SELECT order_id, count(*) AS n FROM deliveries WHERE status = 'draft' GROUP BY order_id HAVING n > 1`,
  'a shipped order has every line fully shipped': `
    SELECT o.code, l.sku, l.quantity, l.shipped_quantity FROM orders o JOIN order_lines l ON l.order_id = o.id
     WHERE o.status = 'shipped' AND l.shipped_quantity <> l.quantity`,
  // Report in refuses an order with nothing to ship, so such an order would stay packing until cancelled.
  'a packing order has something left to ship': `
    SELECT o.code FROM orders o
     WHERE o.status = 'packing' AND NOT EXISTS (SELECT 1 FROM order_lines l WHERE l.order_id = o.id AND l.quantity > l.shipped_quantity)`,
  // A count writes counted − on hand when each line was counted (movements since then stay), once,
  // when it is finished; an open count has written nothing.
  'a count line wrote counted − on hand when counted, in the ledger, only when finished': `
    SELECT c.id AS count_id, l.product_id, l.counted, l.on_hand_at_count, l.delta, c.finished_at,
           coalesce((SELECT sum(s.delta) FROM stock_ledger s WHERE s.product_id = l.product_id AND s.reason = 'stock_count' AND s.note = 'count #' || c.id), 0) AS ledger
      FROM stock_count_lines l JOIN stock_counts c ON c.id = l.count_id
     WHERE (c.finished_at IS NOT NULL AND l.on_hand_at_count IS NOT NULL AND l.delta IS NOT l.counted - l.on_hand_at_count)
        OR ledger <> CASE WHEN c.finished_at IS NULL THEN 0 ELSE coalesce(l.delta, 0) END`,
  // Money received: every payment is a positive amount, and an order's paid_amount is what its payments add up to.
  'a payment is a positive amount': `
    SELECT id, order_id, amount, reference FROM payments WHERE amount <= 0`,
  "an order's paid_amount = the sum of its payments (never negative)": `
    SELECT o.code, o.paid_amount, coalesce((SELECT sum(amount) FROM payments p WHERE p.order_id = o.id), 0) AS payments
      FROM orders o WHERE o.paid_amount <> payments OR o.paid_amount < 0`,
  // A return takes back at most what its line shipped; a restocked unit is on hand again through one
  // ledger row of its return, a written-off one through a row of delta 0.
  "a line's returned units ≤ its shipped units": `
    SELECT l.id, l.sku, l.shipped_quantity, sum(r.quantity) AS returned
      FROM order_lines l JOIN return_lines r ON r.order_line_id = l.id
     GROUP BY l.id HAVING returned > l.shipped_quantity`,
  "a return's restocked units are in the ledger once, as its own rows": `
    SELECT r.number,
           coalesce((SELECT sum(quantity) FROM return_lines rl WHERE rl.return_id = r.id AND rl.disposition = 'restock' AND rl.product_id IS NOT NULL), 0) AS restocked,
           coalesce((SELECT sum(delta) FROM stock_ledger s WHERE s.reason = 'return' AND s.note = 'return ' || r.number), 0) AS ledger
      FROM returns r WHERE restocked <> ledger`,
  // A status is never set without its event: the newest status event (created or status_changed) names it.
  "an order's status is the one its newest status event names": `
    SELECT o.code, o.status, e.type, e.data FROM orders o
      LEFT JOIN order_events e ON e.id = (SELECT max(id) FROM order_events WHERE order_id = o.id AND type IN ('created', 'status_changed'))
     WHERE e.id IS NULL OR o.status <> CASE e.type WHEN 'created' THEN json_extract(e.data, '$.status') ELSE json_extract(e.data, '$.to') END`,
};

/** Allocating what is not on the shelf; a stock count may legitimately find fewer units than are allocated. */
const ALLOCATED_WITHIN_ON_HAND = `SELECT sku, on_hand, allocated FROM products WHERE track_stock = 1 AND allocated > on_hand`;

/** The rows that break each rule, by rule; empty when everything holds. */
export function invariantViolations(db: Db, opts: { allocatedWithinOnHand?: boolean } = {}): Record<string, unknown[]> {
  const rules = {
    ...RULES,
    ...(opts.allocatedWithinOnHand !== false && { 'allocated ≤ on_hand (no stock count lowered the shelf)': ALLOCATED_WITHIN_ON_HAND }),
  };
  const broken: Record<string, unknown[]> = {};
  // One read transaction: every rule sees the same snapshot, even while other processes write.
  db.$client.transaction(() => {
    for (const [rule, query] of Object.entries(rules)) {
      const rows = db.$client.prepare(query).all();
      if (rows.length) broken[rule] = rows.slice(0, 10);
    }
  })();
  return broken;
}

/**
 * Asserts every stock, delivery and status invariant of the database. `allocatedWithinOnHand:
 * false` for data where a stock count may have lowered on_hand below what is allocated.
 */
export function expectInvariants(db: Db, opts: { allocatedWithinOnHand?: boolean } = {}): void {
  expect(invariantViolations(db, opts), 'stock, delivery and status invariants').toEqual({});
}
