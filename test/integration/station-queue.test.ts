import { describe, expect, it } from 'vitest';
import { stationQueue } from '../../src/shipping/station-repo.js';
import { buildPackingOrder, buildProduct } from '../builders.js';
import { makeDb } from '../helpers.js';

describe("the station's queue", () => {
  it('lists the most urgent packing orders and counts the rest up to a cap, leaving out orders on hold', () => {
    const db = makeDb();
    const sku = buildProduct(db, { onHand: 100 }).sku;
    const codes = Array.from({ length: 6 }, () => buildPackingOrder(db, { lines: [{ sku, quantity: 1 }] }).code);
    db.$client.prepare('UPDATE orders SET waiting = 1 WHERE code = ?').run(codes[0]);

    // Five not on hold: counted exactly under the cap, "more" beyond it.
    expect(stationQueue(db, 2, 10)).toMatchObject({ total: 5, more: false });
    expect(stationQueue(db, 2, 5)).toMatchObject({ total: 5, more: false });
    const capped = stationQueue(db, 2, 4);
    expect(capped).toMatchObject({ total: 4, more: true });
    expect(capped.rows.map((r) => r.code)).toEqual(codes.slice(1, 3));
  });
});
