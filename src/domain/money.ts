/**
 * Money is whole minor units (öre, cents) in JavaScript numbers, which are exact integers only up
 * to 2^53 (about 9.007 × 10^15). An order's total is bounded well below that, so every line total,
 * subtotal and total computed from bounded inputs is exact, and SQLite's 64-bit integers hold it.
 */
export const MAX_ORDER_TOTAL = 10_000_000_000_000; // 10^13 minor units: 100 000 000 000.00

export interface PricedLine {
  unitPrice: number;
  quantity: number;
}

export type TotalsResult =
  | { ok: true; subtotal: number; total: number }
  /** `line` is the index of the first line whose total alone is over the limit; null = the sum is. */
  | { ok: false; line: number | null };

/**
 * An order's subtotal and total, or which line takes it over MAX_ORDER_TOTAL. Each line total is
 * compared before it is added: a product of two bounded inputs may be inexact above 2^53, but
 * it is then far above the limit, so the comparison is still right, and every sum that passes is
 * a sum of exact integers.
 */
export function orderTotals(lines: readonly PricedLine[], shippingFee: number): TotalsResult {
  let subtotal = 0;
  for (let i = 0; i < lines.length; i++) {
    const lineTotal = lines[i]!.unitPrice * lines[i]!.quantity;
    if (lineTotal > MAX_ORDER_TOTAL) return { ok: false, line: i };
    subtotal += lineTotal;
    if (subtotal > MAX_ORDER_TOTAL) return { ok: false, line: null };
  }
  const total = subtotal + shippingFee;
  if (total > MAX_ORDER_TOTAL) return { ok: false, line: null };
  return { ok: true, subtotal, total };
}
