import { describe, expect, it } from 'vitest';
import { countDifference, counterDelta, ordersLeftShort, stockView } from '../../src/domain/stock.js';
import type { OrderStatus } from '../../src/domain/order-status.js';

describe('stock counters', () => {
  // [from, to, reserved delta, allocated delta] for 3 unshipped units
  it.each<[OrderStatus | null, OrderStatus | null, number, number]>([
    [null, 'preorder', 0, 0],
    [null, 'order', 3, 0],
    ['preorder', 'order', 3, 0],
    ['order', 'packing', 0, 3],
    ['packing', 'order', 0, -3],
    ['packing', 'shipped', -3, -3],
    ['order', 'cancelled', -3, 0],
    ['packing', 'cancelled', -3, -3],
    ['cancelled', 'order', 3, 0],
    ['packing', null, -3, -3],
    ['order', null, -3, 0],
    ['preorder', null, 0, 0],
  ])('%s → %s moves reserved %i and allocated %i', (from, to, reserved, allocated) => {
    expect(counterDelta(from, to, 3)).toEqual({ reserved, allocated });
  });

  it('derives available, sellable and sold out', () => {
    expect(stockView({ onHand: 10, reserved: 7, allocated: 4, trackStock: true })).toEqual({
      onHand: 10,
      allocated: 4,
      available: 6,
      sellable: 3,
      soldOut: false,
    });
    expect(stockView({ onHand: 5, reserved: 5, allocated: 0, trackStock: true }).soldOut).toBe(true);
    expect(stockView({ onHand: 2, reserved: 3, allocated: 0, trackStock: true })).toMatchObject({ sellable: -1, soldOut: true });
    expect(stockView({ onHand: 0, reserved: 4, allocated: 0, trackStock: false }).soldOut).toBe(false);
  });
});

describe('a stock count line', () => {
  it.each([
    // counted, on hand when counted, on hand at finishing → written
    [3, 5, 8, -2],
    [3, 5, 5, -2],
    [7, 7, 2, 0],
    [9, 4, 0, 5],
    // No figure recorded (a count open before it was): on hand at finishing, the old rule.
    [3, null, 8, -5],
  ])('counted %i against %s on hand, %i on hand now, writes %i', (counted, onHandAtCount, onHandNow, expected) => {
    expect(countDifference({ counted, onHandAtCount }, onHandNow)).toBe(expected);
  });
});

describe('orders a shelf no longer covers', () => {
  it('the shelf goes to the orders in pick order; the ones it does not reach are short by what is missing', () => {
    const demand = [
      { orderId: 1, productId: 7, remaining: 3 },
      { orderId: 2, productId: 7, remaining: 2 },
      { orderId: 3, productId: 7, remaining: 1 },
      { orderId: 2, productId: 8, remaining: 1 },
    ];
    expect(ordersLeftShort(new Map([[7, 4]]), demand)).toEqual(
      new Map([
        [2, new Map([[7, 1]])],
        [3, new Map([[7, 1]])],
      ]),
    );
    expect(ordersLeftShort(new Map([[7, 6]]), demand)).toEqual(new Map());
    // A shelf counted below zero covers nothing; a product not walked is never short.
    expect(ordersLeftShort(new Map([[7, -1]]), demand).get(1)).toEqual(new Map([[7, 3]]));
    expect(
      ordersLeftShort(new Map([[7, -1]]), demand)
        .get(2)
        ?.has(8),
    ).toBe(false);
  });
});
