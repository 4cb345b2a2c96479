/**
 * Numbers written the reader's way: "1 234" and "0,4" in Swedish, "1,234" and "0.4" in English.
 * The one place that builds Intl.NumberFormat for plain numbers; views reach it through `fmt`
 * (src/i18n/format.ts), catalog texts through the interpolation hook below.
 */

const made = new Map<string, Intl.NumberFormat>();

/** A number in a locale, with exactly `digits` decimals when given (a duration, a rate). */
export function formatNumber(locale: string, n: number, digits?: number): string {
  const key = `${locale} ${digits ?? ''}`;
  let f = made.get(key);
  if (!f) {
    f = new Intl.NumberFormat(locale, digits === undefined ? { maximumFractionDigits: 3 } : { minimumFractionDigits: digits, maximumFractionDigits: digits });
    made.set(key, f);
  }
  return f.format(n);
}

const moneyFormats = new Map<string, Intl.NumberFormat>();

/** Minor units in a currency, in a locale: "1 234,50 kr" / "SEK 1,234.50". */
export function formatMoney(locale: string, minor: number, currency: string): string {
  const key = `${locale} ${currency}`;
  let f = moneyFormats.get(key);
  if (!f) {
    f = new Intl.NumberFormat(locale, { style: 'currency', currency });
    moneyFormats.set(key, f);
  }
  return f.format(minor / 100);
}

/** An amount as a catalog text takes it (`{{due, money}}`): minor units and the currency. */
export interface MoneyParam {
  minor: number;
  currency: string;
}

const isMoney = (value: unknown): value is MoneyParam =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as { minor?: unknown }).minor === 'number' &&
  typeof (value as { currency?: unknown }).currency === 'string';

/**
 * Placeholders that hold a number but name something rather than count it: a run, a printer, an
 * invoice number. They are written as stored, never "1 234".
 */
const IDENTIFIERS = new Set(['id', 'number', 'last', 'next', 'code', 'orderCode', 'otherCode', 'returnNumber', 'reference', 'parcelId', 'port', 'dpi', 'year']);

/**
 * i18next's interpolation hook (`interpolation.format` with `alwaysFormat`): every number put into
 * a catalog text is written in the text's locale, so "{{count}} orders" reads "1 234 ordrar" in
 * Swedish. `{{x, number}}` does the same explicitly. Anything else is left as it is.
 */
export function formatInterpolated(value: unknown, format: string | undefined, locale: string, key: string | undefined): unknown {
  if (format === 'money' && isMoney(value)) return formatMoney(locale, value.minor, value.currency);
  if (typeof value !== 'number' || !Number.isFinite(value)) return value;
  if (format === 'number' || (format === undefined && !(key && IDENTIFIERS.has(key)))) return formatNumber(locale, value);
  return value;
}
