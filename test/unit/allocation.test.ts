import { describe, expect, it } from 'vitest';
import { allocate, holdDetail, type Candidate, type ProductStock } from '../../src/domain/allocation.js';

const stock = (entries: [number, number, boolean?][]) =>
  new Map<number, ProductStock>(entries.map(([id, available, tracked = true]) => [id, { sku: `P${id}`, available, trackStock: tracked }]));

let n = 0;
const order = (over: Partial<Omit<Candidate, 'lines'>> & { lines: [number | null, number][] }): Candidate => ({
  id: ++n,
  code: over.code ?? `C${String(n).padStart(3, '0')}`,
  priority: over.priority ?? 5,
  placedAt: over.placedAt ?? n,
  paid: over.paid ?? true,
  approved: over.approved ?? false,
  paymentMethod: over.paymentMethod ?? 'card',
  lines: over.lines.map(([productId, remaining]) => ({ sku: productId === null ? 'GONE' : `P${productId}`, productId, remaining })),
});
const rule = { requireApproval: false };
const outcome = (ds: ReturnType<typeof allocate>) => ds.map((d) => `${d.order.code}:${d.outcome}${d.reason ? `:${d.reason}` : ''}`);

describe('the pack rule', () => {
  it('promotes a paid order whose lines fit', () => {
    expect(outcome(allocate([order({ code: 'A', lines: [[1, 2]] })], stock([[1, 2]]), rule))).toEqual(['A:promoted']);
  });

  it('hands stock out by priority, then age, then code', () => {
    const ds = allocate(
      [
        order({ code: 'OLD', placedAt: 1, lines: [[1, 1]] }),
        order({ code: 'HIGH', priority: 10, placedAt: 9, lines: [[1, 1]] }),
        order({ code: 'B', placedAt: 5, lines: [[1, 1]] }),
        order({ code: 'A', placedAt: 5, lines: [[1, 1]] }),
      ],
      stock([[1, 3]]),
      rule,
    );
    expect(outcome(ds)).toEqual(['HIGH:promoted', 'OLD:promoted', 'A:promoted', 'B:held:insufficient_stock']);
  });

  it('is greedy: an order that does not fit does not block smaller ones after it', () => {
    const ds = allocate([order({ code: 'BIG', lines: [[1, 5]] }), order({ code: 'SMALL', lines: [[1, 2]] })], stock([[1, 3]]), rule);
    expect(outcome(ds)).toEqual(['BIG:held:insufficient_stock', 'SMALL:promoted']);
    expect(holdDetail(ds[0]!)).toBe('P1: needs 5, 3 available');
  });

  it('counts what this run already allocated', () => {
    const ds = allocate(
      [
        order({
          code: 'A',
          lines: [
            [1, 2],
            [2, 1],
          ],
        }),
        order({ code: 'B', lines: [[2, 1]] }),
      ],
      stock([
        [1, 5],
        [2, 1],
      ]),
      rule,
    );
    expect(outcome(ds)).toEqual(['A:promoted', 'B:held:insufficient_stock']);
    expect(ds[1]!.short).toEqual({ sku: 'P2', need: 1, available: 0, ok: false });
  });

  it('a partial line need (some already shipped) only asks for what remains', () => {
    expect(
      outcome(
        allocate(
          [
            order({
              code: 'A',
              lines: [
                [1, 1],
                [2, 0],
              ],
            }),
          ],
          stock([
            [1, 1],
            [2, 0],
          ]),
          rule,
        ),
      ),
    ).toEqual(['A:promoted']);
  });

  it('never lets non-stock-tracked lines block', () => {
    expect(
      outcome(
        allocate(
          [
            order({
              code: 'A',
              lines: [
                [1, 99],
                [2, 1],
              ],
            }),
          ],
          stock([
            [1, 0, false],
            [2, 1],
          ]),
          rule,
        ),
      ),
    ).toEqual(['A:promoted']);
  });

  it('stops an order with a deleted product, with that reason', () => {
    const ds = allocate(
      [
        order({
          code: 'A',
          lines: [
            [1, 1],
            [null, 1],
          ],
        }),
      ],
      stock([[1, 5]]),
      rule,
    );
    expect(outcome(ds)).toEqual(['A:held:missing_product']);
    expect(holdDetail(ds[0]!)).toBe('GONE: product no longer exists');
  });

  it.each<[string, Partial<Omit<Candidate, 'lines'>>, boolean, string]>([
    ['paid card', { paid: true, paymentMethod: 'card' }, false, 'promoted'],
    ['unpaid card', { paid: false, paymentMethod: 'card' }, false, 'held:not_paid'],
    ['unpaid bank transfer', { paid: false, paymentMethod: 'bank_transfer' }, false, 'held:not_paid'],
    ['unpaid, no method', { paid: false, paymentMethod: null }, false, 'held:not_paid'],
    ['unpaid invoice', { paid: false, paymentMethod: 'invoice' }, false, 'promoted'],
    ['unpaid cash on delivery', { paid: false, paymentMethod: 'cash_on_delivery' }, false, 'promoted'],
    ['unpaid invoice, approval required', { paid: false, paymentMethod: 'invoice' }, true, 'held:awaiting_approval'],
    ['approved invoice, approval required', { paid: false, paymentMethod: 'invoice', approved: true }, true, 'promoted'],
    ['paid invoice, approval required', { paid: true, paymentMethod: 'invoice' }, true, 'promoted'],
  ])('payment: %s', (_name, over, requireApproval, expected) => {
    const ds = allocate([order({ code: 'X', ...over, lines: [[1, 1]] })], stock([[1, 1]]), { requireApproval });
    expect(outcome(ds)).toEqual([`X:${expected}`]);
  });

  it('an unpaid order takes no stock from the ones after it', () => {
    const ds = allocate([order({ code: 'A', paid: false, lines: [[1, 1]] }), order({ code: 'B', lines: [[1, 1]] })], stock([[1, 1]]), rule);
    expect(outcome(ds)).toEqual(['A:held:not_paid', 'B:promoted']);
  });

  it('records each step: payment, then each line with need and available', () => {
    const [d] = allocate(
      [
        order({
          code: 'A',
          lines: [
            [1, 2],
            [2, 1],
          ],
        }),
      ],
      stock([
        [1, 5],
        [2, 0, false],
      ]),
      rule,
    );
    expect(d!.payment).toEqual({ ok: true, paid: true, paymentMethod: 'card', approved: false });
    expect(d!.lines).toEqual([
      { sku: 'P1', need: 2, available: 5, ok: true },
      { sku: 'P2', need: 1, available: null, ok: true },
    ]);
  });
});
