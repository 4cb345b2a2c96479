/**
 * How values are written to and read from a CSV file. A file is for spreadsheets as much as for
 * programs: with `;` as separator (what Excel writes and reads in Nordic locales) the decimal
 * separator is `,`, with `,` it is `.`.
 */
export type Separator = ',' | ';';

export interface CsvDialect {
  separator: Separator;
  /** A UTF-8 byte order mark first, so that Excel reads the file as UTF-8. */
  bom: boolean;
}

/** Minor units (öre, cents) as major units with two decimals: 12345 → "123.45" (or "123,45"). */
export function majorUnits(minor: number | null, separator: Separator): string {
  if (minor === null) return '';
  const sign = minor < 0 ? '-' : '';
  const abs = Math.abs(minor);
  const text = `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
  return separator === ';' ? text.replace('.', ',') : text;
}

/** VAT in basis points as a percent: 2500 → "25", 1250 → "12.5" (or "12,5"). */
export function percent(basisPoints: number, separator: Separator): string {
  const text = String(basisPoints / 100);
  return separator === ';' ? text.replace('.', ',') : text;
}

/**
 * A decimal number as a person or a spreadsheet writes it: "1 234,50", "1234.5", "25". Spaces
 * (also no-break spaces) group thousands; either `,` or `.` is the decimal mark. Undefined for text
 * that is not such a number.
 */
export function readDecimal(text: string): number | undefined {
  const compact = text.replace(/[\s\u00A0\u202F]/g, '');
  if (!/^\d+([.,]\d+)?$/.test(compact)) return undefined;
  return Number(compact.replace(',', '.'));
}

/**
 * A text cell a spreadsheet would run as a formula: one that starts with `=`, `+`, `-` or `@`, a
 * tab or a carriage return, also after leading spaces (OWASP "CSV injection"). Leading `'`s are
 * looked past, so that a cell that already starts with `'` before such a character is escaped once
 * more and {@link restoreCell} gives back exactly what was written.
 */
const FORMULA_LIKE = /^'* *[=+\-@\t\r]/;
const NEUTRALISED = /^'+ *[=+\-@\t\r]/;

/**
 * A text cell as an export writes it: with a leading `'` when a spreadsheet would read it as a
 * formula, so that `=HYPERLINK(…)` in a customer's name shows as text, never as a live link. Only
 * text fields pass here: the numbers an export writes itself (amounts, quantities, maybe negative)
 * are written as they are, so that they stay numbers.
 */
export function neutraliseCell(text: string): string {
  return FORMULA_LIKE.test(text) ? `'${text}` : text;
}

/** What {@link neutraliseCell} wrote, read back: one leading `'` taken off a cell it would have escaped. */
export function restoreCell(text: string): string {
  return NEUTRALISED.test(text) ? text.slice(1) : text;
}
