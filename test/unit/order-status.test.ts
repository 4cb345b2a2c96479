import { describe, expect, it } from 'vitest';
import { IllegalMoveError, linesEditable, MOVES, ORDER_STATUSES, planMove, type MoveAction, type OrderStatus } from '../../src/domain/order-status.js';

/** The whole table, written out: [from, to, action that may make the move, or null]. */
const EXPECTED: [OrderStatus, OrderStatus, MoveAction | null][] = [
  ['preorder', 'preorder', null],
  ['preorder', 'order', 'checkout'],
  ['preorder', 'packing', null],
  ['preorder', 'shipped', null],
  ['preorder', 'cancelled', null],
  ['order', 'preorder', null],
  ['order', 'order', null],
  ['order', 'packing', 'pack'],
  ['order', 'shipped', 'ship'],
  ['order', 'cancelled', 'cancel'],
  ['packing', 'preorder', null],
  ['packing', 'order', 'unpack'],
  ['packing', 'packing', null],
  ['packing', 'shipped', 'ship'],
  ['packing', 'cancelled', 'cancel'],
  ['shipped', 'preorder', null],
  ['shipped', 'order', null],
  ['shipped', 'packing', null],
  ['shipped', 'shipped', null],
  ['shipped', 'cancelled', null],
  ['cancelled', 'preorder', null],
  ['cancelled', 'order', 'reopen'],
  ['cancelled', 'packing', null],
  ['cancelled', 'shipped', null],
  ['cancelled', 'cancelled', null],
];
const ACTIONS: MoveAction[] = ['checkout', 'pack', 'unpack', 'ship', 'cancel', 'reopen'];
const MANUAL: MoveAction[] = ['unpack', 'cancel', 'reopen'];

describe('order state machine', () => {
  it('covers every status pair', () => {
    expect(EXPECTED).toHaveLength(ORDER_STATUSES.length ** 2);
  });

  describe.each(EXPECTED)('%s → %s', (from, to, allowedAction) => {
    it.each(ACTIONS)(`by %s`, (action) => {
      if (action === allowedAction) expect(planMove(from, to, action)).toMatchObject({ from, to, action });
      else expect(() => planMove(from, to, action)).toThrow(IllegalMoveError);
    });

    it('as a manual request (no action named)', () => {
      if (allowedAction && MANUAL.includes(allowedAction)) expect(planMove(from, to).action).toBe(allowedAction);
      else expect(() => planMove(from, to)).toThrow(IllegalMoveError);
    });
  });

  it('names the moves a person may make instead', () => {
    try {
      planMove('order', 'shipped');
      expect.unreachable();
    } catch (err) {
      expect((err as IllegalMoveError).allowed).toEqual(['cancelled']);
    }
    expect(() => planMove('shipped', 'order')).toThrow(expect.objectContaining({ allowed: [] }));
    expect(() => planMove('packing', 'shipped')).toThrow(expect.objectContaining({ allowed: ['order', 'cancelled'] }));
  });

  it('only preorder, order and packing lines may change', () => {
    expect(ORDER_STATUSES.filter(linesEditable)).toEqual(['order', 'packing']);
  });

  it('has no duplicate moves', () => {
    const keys = MOVES.map((m) => `${m.from}>${m.to}`);
    expect(new Set(keys).size).toBe(keys.length);
  });
});
