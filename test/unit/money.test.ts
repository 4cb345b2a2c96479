import { describe, expect, it } from 'vitest';
import { MAX_ORDER_TOTAL, orderTotals } from '../../src/domain/money.js';
import { translator } from '../../src/i18n/index.js';

describe('order totals', () => {
  it('adds line totals and the shipping fee exactly', () => {
    expect(
      orderTotals(
        [
          { unitPrice: 12_950, quantity: 3 },
          { unitPrice: 1, quantity: 7 },
        ],
        4_900,
      ),
    ).toEqual({ ok: true, subtotal: 38_857, total: 43_757 });
  });

  it('refuses the probe case whose product is above 2^53 (99,999,999,999 × 99,999), naming the line', () => {
    expect(BigInt(99_999_999_999 * 99_999)).not.toBe(99_999_999_999n * 99_999n); // the float is off: this is why the bound exists
    expect(
      orderTotals(
        [
          { unitPrice: 100, quantity: 1 },
          { unitPrice: 99_999_999_999, quantity: 99_999 },
        ],
        0,
      ),
    ).toEqual({ ok: false, line: 1 });
  });

  it('accepts exactly the limit and refuses one minor unit more, for a line, the sum and the fee', () => {
    expect(orderTotals([{ unitPrice: MAX_ORDER_TOTAL / 10, quantity: 10 }], 0)).toMatchObject({ ok: true, total: MAX_ORDER_TOTAL });
    expect(orderTotals([{ unitPrice: MAX_ORDER_TOTAL / 10, quantity: 10 }], 1)).toEqual({ ok: false, line: null });
    expect(
      orderTotals(
        [
          { unitPrice: MAX_ORDER_TOTAL / 2, quantity: 1 },
          { unitPrice: MAX_ORDER_TOTAL / 2 + 1, quantity: 1 },
        ],
        0,
      ),
    ).toEqual({ ok: false, line: null });
    expect(orderTotals([{ unitPrice: MAX_ORDER_TOTAL + 1, quantity: 1 }], 0)).toEqual({ ok: false, line: 0 });
  });

  it('every total that passes is below 2^53, so it is exact', () => {
    expect(MAX_ORDER_TOTAL * 2).toBeLessThan(Number.MAX_SAFE_INTEGER);
  });

  it('the refusal names the limit in the reader’s number format', () => {
    expect(translator('en')('validation.orderTotalTooLarge', { max: MAX_ORDER_TOTAL / 100 })).toContain('100,000,000,000');
    expect(translator('sv')('validation.orderTotalTooLarge', { max: MAX_ORDER_TOTAL / 100 }).replace(/\s/g, ' ')).toContain('100 000 000 000');
  });
});
