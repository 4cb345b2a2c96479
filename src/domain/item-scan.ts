import { isValidGtin } from './gtin.js';
import { GS, parseGs1, type Gs1ErrorCode } from './gs1/index.js';

export { splitCount } from './keyed-count.js';

// What an item's barcode says: a plain GTIN (EAN-8, UPC-A, EAN-13, GTIN-14) with its check digit,
// or a GS1 element string (GS1-128, GS1 DataMatrix, GS1 QR, DataBar, DotCode) read by the GS1
// module (gs1/), which applies the whole GS1 General Specifications: every AI's format, character
// set, check digits and dates, the repeated-AI rule and the invalid and required pairings. The
// item's number is (01), or (02) for the trade items a logistic unit contains. Anything else is
// text (a SKU, say). Pure: no database.

/** Why a GS1 element string is not an item's code: the GS1 module's rule broken, or no (01)/(02). */
export type Gs1Problem = Gs1ErrorCode | 'too_long' | 'no_gtin';

/** An item barcode as read. */
export type ItemScan =
  | { kind: 'gtin'; gtin: string; batch?: string; expiry?: string; serial?: string }
  | { kind: 'text'; text: string }
  | { kind: 'invalid'; reason: 'check_digit' }
  | {
      kind: 'invalid';
      reason: 'element_string';
      /** The rule broken, the AI it is about (when there is one) and the other AIs it names (pairings). */
      problem: Gs1Problem;
      ai?: string;
      detail?: string;
    };

/** A symbology identifier that says "GS1 data": GS1-128, GS1 DataMatrix, GS1 QR, GS1 DataBar, GS1 DotCode. */
const GS1_SYMBOLOGY = /^\](C1|d2|Q3|e0|J1)/;

/** "(01)…": the bracketed human-readable form, as a person (or a scanner set to send it) types it. */
const BRACKETED = /^\(\d{2,4}\)/;

/** The pairing rules name AIs as patterns ("310n") and alternatives ("01,02+37"): as a person reads them. */
function readableAis(detail: string): string {
  return detail
    .split(',')
    .map((alternative) =>
      alternative
        .split('+')
        .map((ai) => `(${ai})`)
        .join(' + '),
    )
    .join(' / ');
}

/** Reads a GS1 element string (or its bracketed form) as an item: its GTIN and the usual attributes. */
function readElementString(text: string, bracketed: boolean): ItemScan {
  const result = parseGs1(text, { bracketed });
  if (!result.ok) {
    if (result.error === 'bad_check_digit' && (result.ai === '01' || result.ai === '02')) return { kind: 'invalid', reason: 'check_digit' };
    const problem: Gs1Problem = result.error === 'bad_length' && result.ai === undefined ? 'too_long' : result.error;
    return {
      kind: 'invalid',
      reason: 'element_string',
      problem,
      ...(result.ai !== undefined && { ai: result.ai }),
      ...(result.detail !== undefined && (problem === 'invalid_pairing' || problem === 'missing_required') && { detail: readableAis(result.detail) }),
    };
  }
  const value = (ai: string) => result.elements.find((e) => e.ai === ai)?.value;
  const gtin = value('01') ?? value('02');
  if (gtin === undefined) return { kind: 'invalid', reason: 'element_string', problem: 'no_gtin' };
  const batch = value('10');
  const expiry = value('17');
  const serial = value('21');
  return { kind: 'gtin', gtin, ...(batch !== undefined && { batch }), ...(expiry !== undefined && { expiry }), ...(serial !== undefined && { serial }) };
}

/** Reads an item's barcode (see the file's comment). */
export function readItemScan(raw: string): ItemScan {
  let text = raw.replace(/[\r\n]+$/, '');
  const symbology = GS1_SYMBOLOGY.exec(text);
  if (symbology) text = text.slice(symbology[0].length);
  // A symbology identifier or a leading FNC1 says "GS1 data".
  const gs1 = symbology !== null || text.startsWith(GS);
  text = text.replace(/^\x1D+/, '').trim();
  if (/^\d{8}$|^\d{12,14}$/.test(text) && !gs1) {
    return isValidGtin(text) ? { kind: 'gtin', gtin: text.padStart(14, '0') } : { kind: 'invalid', reason: 'check_digit' };
  }
  if (BRACKETED.test(text)) return readElementString(text, true);
  // Without a GS1 flag, only a string that starts with a GTIN (01) is taken for an element string: a SKU may be digits.
  if (gs1 || /^01\d{14}/.test(text)) return readElementString(text, false);
  return { kind: 'text', text };
}

/** What a refusal of an invalid scan says about it (the catalogs' `gs1.*` texts read `problem`, `ai` and `detail`). */
export function invalidScanParams(scan: Extract<ItemScan, { kind: 'invalid' }>): { problem?: Gs1Problem; ai?: string; detail?: string } {
  if (scan.reason === 'check_digit') return {};
  return { problem: scan.problem, ...(scan.ai !== undefined && { ai: scan.ai }), ...(scan.detail !== undefined && { detail: scan.detail }) };
}

/** The forms a GTIN may be stored in as a product's barcode: GTIN-14, EAN-13, UPC-A, EAN-8. */
export function gtinVariants(gtin14: string): string[] {
  const out = [gtin14];
  for (const length of [13, 12, 8]) if (gtin14.slice(0, 14 - length) === '0'.repeat(14 - length)) out.push(gtin14.slice(14 - length));
  return out;
}
