/**
 * VAT included in gross prices, as receipts and invoices show it (docs/decisions.md, "VAT").
 * Amounts are whole minor units (öre, cent); rates are basis points (2500 = 25 %).
 */

/** Gross, net and VAT of the amounts sold at one rate. */
export interface VatAtRate {
  /** Basis points. */
  rate: number;
  gross: number;
  /** gross − vat, so net + vat is exactly the gross the customer paid. */
  net: number;
  vat: number;
}

/**
 * The VAT included in a gross amount: gross × rate / (1 + rate), rounded to the nearest minor unit,
 * a half away from zero. Worked in integers (BigInt), so no amount is too large to round exactly.
 */
export function includedVat(gross: number, rateBp: number): number {
  if (!Number.isSafeInteger(gross) || !Number.isSafeInteger(rateBp) || rateBp < 0)
    throw new RangeError(`includedVat(${gross}, ${rateBp}): whole minor units and a rate ≥ 0 expected`);
  const magnitude = BigInt(Math.abs(gross));
  const rate = BigInt(rateBp);
  const divisor = 10_000n + rate;
  // Half-up on the exact quotient: floor((2·g·r + d) / 2d) = round(g·r / d).
  const vat = Number((2n * magnitude * rate + divisor) / (2n * divisor));
  return gross < 0 ? -vat : vat;
}

/**
 * Sums the gross amounts per rate and takes the VAT of each sum once (not line by line, so the
 * roundings of many small lines do not add up). Rates whose amounts sum to 0 are left out; highest
 * rate first.
 */
export function vatByRate(amounts: Iterable<{ gross: number; rate: number }>): VatAtRate[] {
  const byRate = new Map<number, number>();
  for (const { gross, rate } of amounts) byRate.set(rate, (byRate.get(rate) ?? 0) + gross);
  return [...byRate.entries()]
    .filter(([, gross]) => gross !== 0)
    .sort((a, b) => b[0] - a[0])
    .map(([rate, gross]) => {
      const vat = includedVat(gross, rate);
      return { rate, gross, net: gross - vat, vat };
    });
}

/** The sums over all rates: what an invoice prints as total excl. VAT, total VAT and total. */
export function vatTotals(rates: readonly VatAtRate[]): { gross: number; net: number; vat: number } {
  return rates.reduce((t, r) => ({ gross: t.gross + r.gross, net: t.net + r.net, vat: t.vat + r.vat }), { gross: 0, net: 0, vat: 0 });
}
