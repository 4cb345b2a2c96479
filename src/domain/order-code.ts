/**
 * Order codes: nine random digits and a Damm check digit, e.g. 4839201756.
 *
 * Digits keep codes easy to type on a phone keypad and compact as Code 128 (set C). The Damm
 * check digit catches every single-digit error and every swap of neighbouring digits, so a
 * mistyped or misread code is refused instead of matching another order. Random rather than
 * sequential so that codes do not reveal order volume or invite guessing.
 */
const DAMM: readonly (readonly number[])[] = [
  [0, 3, 1, 7, 5, 9, 8, 6, 4, 2],
  [7, 0, 9, 2, 1, 5, 4, 8, 6, 3],
  [4, 2, 0, 6, 8, 7, 1, 3, 5, 9],
  [1, 7, 5, 0, 9, 8, 3, 4, 2, 6],
  [6, 1, 2, 3, 0, 4, 5, 9, 7, 8],
  [3, 6, 7, 4, 2, 0, 9, 5, 8, 1],
  [5, 8, 6, 9, 7, 2, 0, 1, 3, 4],
  [8, 9, 4, 5, 3, 6, 2, 0, 1, 7],
  [9, 4, 3, 8, 6, 1, 7, 2, 0, 5],
  [2, 5, 8, 1, 4, 3, 6, 7, 9, 0],
];

export const ORDER_CODE_BODY_LENGTH = 9;
export const ORDER_CODE_LENGTH = ORDER_CODE_BODY_LENGTH + 1;

/** The Damm check digit of a string of digits. */
export function dammCheckDigit(digits: string): string {
  let interim = 0;
  for (const ch of digits) interim = DAMM[interim]![ch.charCodeAt(0) - 48]!;
  return String(interim);
}

/** A new code from a source of random integers in [0, max). */
export function generateOrderCode(randomInt: (max: number) => number): string {
  // First digit 1–9 so the code never loses a leading zero in a spreadsheet.
  const body = String(1 + randomInt(9)) + String(randomInt(10 ** (ORDER_CODE_BODY_LENGTH - 1))).padStart(ORDER_CODE_BODY_LENGTH - 1, '0');
  return body + dammCheckDigit(body);
}

export type OrderCodeReading =
  | { kind: 'valid'; code: string }
  /** Nine digits: the check digit is missing; `code` is what it would be with it. */
  | { kind: 'missing_check'; code: string }
  /** Ten digits whose check digit does not match: a typo or a misread somewhere. */
  | { kind: 'bad_check'; body: string; expected: string }
  | { kind: 'not_a_code' };

/** Reads what a person typed or a scanner sent: spaces and dashes are ignored. */
export function readOrderCode(input: string): OrderCodeReading {
  const digits = input.trim().replace(/[\s-]/g, '');
  if (!/^\d+$/.test(digits)) return { kind: 'not_a_code' };
  if (digits.length === ORDER_CODE_BODY_LENGTH && digits[0] !== '0') {
    return { kind: 'missing_check', code: digits + dammCheckDigit(digits) };
  }
  if (digits.length !== ORDER_CODE_LENGTH || digits[0] === '0') return { kind: 'not_a_code' };
  const body = digits.slice(0, ORDER_CODE_BODY_LENGTH);
  const expected = dammCheckDigit(body);
  return digits.endsWith(expected) ? { kind: 'valid', code: digits } : { kind: 'bad_check', body, expected };
}
