import { gs1CheckDigit, isValidGtin } from './gtin.js';

// What an item's barcode says, read the way GS1 specifies: a plain GTIN (EAN-8, UPC-A, EAN-13,
// GTIN-14) with its check digit, or a GS1 element string (GS1-128, GS1 DataMatrix) of application
// identifiers — (01) GTIN, (10) batch, (17) expiry, (21) serial and the usual others — separated by
// FNC1, which scanners send as GS (\x1D). Anything else is text (a SKU, say). Pure: no database.

/** GS (ASCII 29): how a scanner sends FNC1 between a variable-length element and the next. */
const GS = '\x1D';

/** An item barcode as read. */
export type ItemScan =
  | { kind: 'gtin'; gtin: string; batch?: string; expiry?: string; serial?: string }
  | { kind: 'text'; text: string }
  | { kind: 'invalid'; reason: 'check_digit' | 'element_string' };

/**
 * Application identifiers this reader knows: fixed length (digits after the AI) or variable
 * (up to `max`, ended by GS or the end). GS1 General Specifications, figure 5.10.1-2 (predefined
 * lengths) and section 3.2; 31nn–36nn are 4-digit AIs of six digits (measures).
 */
const FIXED: Record<string, number> = { '00': 18, '01': 14, '02': 14, '11': 6, '12': 6, '13': 6, '15': 6, '16': 6, '17': 6, '20': 2 };
const VARIABLE: Record<string, number> = { '10': 20, '21': 20, '22': 20, '30': 8, '37': 8, '240': 30, '241': 30, '250': 30, '251': 30, '400': 30, '401': 30, '403': 30, '420': 20, '8005': 6, '8020': 25, '91': 90, '92': 90, '93': 90, '94': 90, '95': 90, '96': 90, '97': 90, '98': 90, '99': 90 };

/** The GS1 element string's AIs and their values, or null when it is not one. */
export function parseElementString(input: string): Map<string, string> | null {
  const out = new Map<string, string>();
  let i = 0;
  while (i < input.length) {
    if (input[i] === GS) {
      i++;
      continue;
    }
    const two = input.slice(i, i + 2);
    const three = input.slice(i, i + 3);
    const four = input.slice(i, i + 4);
    let ai: string;
    let value: string;
    if (FIXED[two] !== undefined) {
      ai = two;
      value = input.slice(i + 2, i + 2 + FIXED[two]);
      if (value.length !== FIXED[two] || !/^\d+$/.test(value)) return null;
      i += 2 + FIXED[two];
    } else if (/^3[1-6]\d\d$/.test(four)) {
      ai = four;
      value = input.slice(i + 4, i + 10);
      if (!/^\d{6}$/.test(value)) return null;
      i += 10;
    } else {
      ai = [four, three, two].find((a) => VARIABLE[a] !== undefined) ?? '';
      if (!ai) return null;
      const end = input.indexOf(GS, i + ai.length);
      value = input.slice(i + ai.length, end === -1 ? undefined : end);
      if (value.length === 0 || value.length > VARIABLE[ai]!) return null;
      i = end === -1 ? input.length : end + 1;
    }
    out.set(ai, value);
  }
  return out.size ? out : null;
}

/** "(01)09501101020917(17)250508(10)ABC" → the same as an element string with GS after variable fields. */
function fromBrackets(text: string): string | null {
  const parts = [...text.matchAll(/\((\d{2,4})\)([^()]*)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) return null;
  return parts.map(([, ai, value]) => `${ai}${value}${VARIABLE[ai!] !== undefined ? GS : ''}`).join('');
}

/** Reads an item's barcode (see the file's comment). */
export function readItemScan(raw: string): ItemScan {
  // A symbology identifier (]C1 GS1-128, ]d2 GS1 DataMatrix, ]Q3 GS1 QR, ]e0 GS1 DataBar) and a leading FNC1 say "GS1".
  let text = raw.replace(/[\r\n]+$/, '');
  const symbology = /^\](C1|d2|Q3|e0)/.exec(text);
  if (symbology) text = text.slice(3);
  const gs1 = symbology !== null || text.startsWith(GS);
  text = text.replace(/^\x1D+/, '').trim();
  if (/^\d{8}$|^\d{12,14}$/.test(text) && !gs1) {
    return isValidGtin(text) ? { kind: 'gtin', gtin: text.padStart(14, '0') } : { kind: 'invalid', reason: 'check_digit' };
  }
  const elements = text.startsWith('(') ? fromBrackets(text) : gs1 || /^01\d{14}/.test(text) ? text : null;
  if (elements === null) return { kind: 'text', text };
  const ais = parseElementString(elements);
  const gtin = ais?.get('01') ?? ais?.get('02');
  if (!ais || !gtin) return { kind: 'invalid', reason: 'element_string' };
  if (gs1CheckDigit(gtin.slice(0, 13)) !== gtin[13]) return { kind: 'invalid', reason: 'check_digit' };
  return {
    kind: 'gtin',
    gtin,
    ...(ais.has('10') && { batch: ais.get('10') }),
    ...(ais.has('17') && { expiry: ais.get('17') }),
    ...(ais.has('21') && { serial: ais.get('21') }),
  };
}

/** The forms a GTIN may be stored in as a product's barcode: GTIN-14, EAN-13, UPC-A, EAN-8. */
export function gtinVariants(gtin14: string): string[] {
  const out = [gtin14];
  for (const length of [13, 12, 8]) if (gtin14.slice(0, 14 - length) === '0'.repeat(14 - length)) out.push(gtin14.slice(14 - length));
  return out;
}

/** "5*7350053850019": a keyed count before the scan (1–999). */
export function splitCount(input: string): { quantity: number; code: string } {
  const m = /^(\d{1,3})\s*[*xX×]\s*(\S.*)$/.exec(input.trim());
  if (m && Number(m[1]) >= 1) return { quantity: Number(m[1]), code: m[2]! };
  return { quantity: 1, code: input.trim() };
}
