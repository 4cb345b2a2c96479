import { describe, expect, it } from 'vitest';
import { includedVat, vatByRate, vatTotals } from '../../src/domain/vat.js';

describe('VAT included in a gross amount', () => {
  it.each([
    // gross (öre), rate (bp), VAT: gross × rate / (1 + rate), to the nearest öre
    [514_000, 2500, 102_800], // SEK 5,140.00 at 25 %: SEK 1,028.00 of it is VAT, not 25 % on top
    [12_500, 2500, 2500],
    [99, 2500, 20], // 19.8 öre
    [11_200, 1200, 1200],
    [8974, 1200, 962], // 961.5 öre: a half rounds up
    [14, 1200, 2], // 1.5 öre
    [42, 1200, 5], // 4.5 öre
    [14_900, 600, 843], // 843.40 öre
    [10_600, 600, 600],
    [1000, 0, 0],
    [0, 2500, 0],
    [-8974, 1200, -962], // a refund rounds like a sale, a half away from zero
  ])('%i öre at %i bp holds %i öre VAT', (gross, rate, vat) => {
    expect(includedVat(gross, rate)).toBe(vat);
  });

  it('is exact where floating point is not', () => {
    // gross × 3 / 28 is …001.5 öre exactly; Math.round(gross * 1200 / 11200) gives …001.
    expect(includedVat(9_007_199_254_732_014, 1200)).toBe(965_057_063_007_002);
  });

  it('refuses fractions of a minor unit and negative rates', () => {
    expect(() => includedVat(10.5, 2500)).toThrow(RangeError);
    expect(() => includedVat(100, -1)).toThrow(RangeError);
  });
});

describe('VAT by rate', () => {
  it('mixed 25 / 12 / 6 %: net, VAT and gross per rate, highest rate first, and their sums', () => {
    const rates = vatByRate([
      { gross: 499_000, rate: 2500 }, // jacket
      { gross: 2 * 4487, rate: 1200 }, // 2 × freeze-dried meal at 44.87
      { gross: 14_900, rate: 600 }, // map book
      { gross: 15_000, rate: 2500 }, // shipping
    ]);
    expect(rates).toEqual([
      { rate: 2500, gross: 514_000, net: 411_200, vat: 102_800 },
      { rate: 1200, gross: 8974, net: 8012, vat: 962 },
      { rate: 600, gross: 14_900, net: 14_057, vat: 843 },
    ]);
    expect(vatTotals(rates)).toEqual({ gross: 537_874, net: 433_269, vat: 104_605 });
  });

  it('rounds once per rate, not per line: three lines of 0.99 at 25 % hold 0.59, not 3 × 0.20', () => {
    const lines = [99, 99, 99].map((gross) => ({ gross, rate: 2500 }));
    expect(lines.reduce((s, l) => s + includedVat(l.gross, l.rate), 0)).toBe(60);
    expect(vatByRate(lines)).toEqual([{ rate: 2500, gross: 297, net: 238, vat: 59 }]);
  });

  it('net + VAT is always the gross, and a rate with nothing sold is left out', () => {
    const rates = vatByRate([
      { gross: 1, rate: 2500 },
      { gross: 0, rate: 600 },
      { gross: 333, rate: 1250 },
    ]);
    expect(rates.map((r) => r.rate)).toEqual([2500, 1250]);
    for (const r of rates) expect(r.net + r.vat).toBe(r.gross);
    expect(vatByRate([])).toEqual([]);
  });
});
