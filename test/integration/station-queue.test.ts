import { describe, expect, it } from 'vitest';
import { holdReason } from '../../src/domain/hold.js';
import { PAYMENT_METHODS, type PaymentMethod } from '../../src/domain/order-status.js';
import { stationQueue } from '../../src/shipping/repo/stations.js';
import { buildPackingOrder, buildProduct } from '../builders.js';
import { makeDb } from '../helpers.js';

const NO_APPROVAL = { requireApproval: false };

describe("the station's queue", () => {
  it('lists the most urgent packing orders and counts the rest up to a cap, leaving out orders on hold', () => {
    const db = makeDb();
    const sku = buildProduct(db, { onHand: 100 }).sku;
    const codes = Array.from({ length: 6 }, () => buildPackingOrder(db, { lines: [{ sku, quantity: 1 }] }).code);
    db.$client.prepare('UPDATE orders SET waiting = 1 WHERE code = ?').run(codes[0]);

    // Five not on hold: counted exactly under the cap, "more" beyond it.
    expect(stationQueue(db, 2, NO_APPROVAL, 10)).toMatchObject({ total: 5, more: false });
    expect(stationQueue(db, 2, NO_APPROVAL, 5)).toMatchObject({ total: 5, more: false });
    const capped = stationQueue(db, 2, NO_APPROVAL, 4);
    expect(capped).toMatchObject({ total: 4, more: true });
    expect(capped.rows.map((r) => r.code)).toEqual(codes.slice(1, 3));
  });

  it('leaves out exactly the orders the hold rule holds, approval included, for every combination of what the rule reads', () => {
    const db = makeDb();
    const sku = buildProduct(db, { onHand: 1000 }).sku;
    const set = db.$client.prepare('UPDATE orders SET payment_method = ?, paid = ?, approved = ?, waiting = ? WHERE id = ?');
    const facts: { code: string; waiting: boolean; paid: boolean; approved: boolean; paymentMethod: PaymentMethod | null }[] = [];
    for (const paymentMethod of [...PAYMENT_METHODS, null]) {
      for (const paid of [false, true]) {
        for (const approved of [false, true]) {
          for (const waiting of [false, true]) {
            const order = buildPackingOrder(db, { lines: [{ sku, quantity: 1 }] });
            set.run(paymentMethod, paid ? 1 : 0, approved ? 1 : 0, waiting ? 1 : 0, order.id);
            facts.push({ code: order.code, waiting, paid, approved, paymentMethod });
          }
        }
      }
    }
    for (const requireApproval of [false, true]) {
      const expected = facts.filter((f) => holdReason(f, { requireApproval }) === null).map((f) => f.code);
      const queue = stationQueue(db, 1000, { requireApproval });
      expect(queue.rows.map((r) => r.code).sort()).toEqual([...expected].sort());
      expect(queue.total).toBe(expected.length);
    }
  });
});
