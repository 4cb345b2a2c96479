import { isValidSscc } from './gtin.js';

export const MAX_PARCELS_PER_DELIVERY = 4;

export type ParcelIdProblem = 'empty' | 'too_long' | 'not_printable' | 'sscc_check_digit';

/**
 * Cleans what a person typed or a scanner sent: trimmed; an SSCC loses its "(00)" / "00"
 * application identifier and the scanner's FNC1 (GS, \x1D) prefix.
 */
export function normalizeParcelId(input: string): string {
  const trimmed = input.replace(/^\x1D+/, '').trim();
  const ai = /^(?:\(00\)|00)(\d{18})$/.exec(trimmed.replace(/\s+/g, ''));
  return ai ? ai[1]! : trimmed;
}

/** Why a normalized parcel ID is not acceptable, or null. */
export function parcelIdProblem(id: string): ParcelIdProblem | null {
  if (id.length === 0) return 'empty';
  if (id.length > 35) return 'too_long';
  if (!/^[\x21-\x7E]+$/.test(id)) return 'not_printable';
  if (/^\d{18}$/.test(id) && !isValidSscc(id)) return 'sscc_check_digit';
  return null;
}

/** The fewest characters a parcel ID has: a short text is a keyed-in mistake ("12", "F2"), not a carrier's number. */
export const MIN_PARCEL_ID = 8;

/**
 * The forms carriers print parcel IDs in, known without any setting. Each is whole: the ID matches
 * from its first character to its last.
 * - `sscc`: the GS1 SSCC (18 digits, GS1 check digit); Bring, PostNord and the shop's own series.
 * - `upu`: UPU S10 (two letters, eight digits, a check digit, the country): PostNord, Posten and
 *   every postal operator's registered and tracked items ("RR123456785SE").
 * - `dhl`: DHL Freight and Parcel piece IDs ("JJD" and 10–21 digits) and DHL Global Forwarding ("JVGL").
 * - `ups`: "1Z" and 16 letters or digits.
 * - `numeric`: 10–22 digits, as DHL Express, FedEx, GLS, DPD, DB Schenker, Bring and USPS print them.
 */
export const PARCEL_FORMS = ['sscc', 'upu', 'dhl', 'ups', 'numeric'] as const;
export type ParcelForm = (typeof PARCEL_FORMS)[number];

/** The UPU S10 check digit of the eight serial digits (weights 8 6 4 2 3 5 9 7; 10 → 0, 11 → 5). */
export function s10CheckDigit(serial: string): string {
  const sum = [...serial].reduce((n, d, i) => n + Number(d) * [8, 6, 4, 2, 3, 5, 9, 7][i]!, 0);
  const check = 11 - (sum % 11);
  return String(check === 10 ? 0 : check === 11 ? 5 : check);
}

/** Why a parcel ID of a known form is still wrong: a check digit. */
export type ParcelFormProblem = 'upu_check_digit';

/** The known form a normalized parcel ID has, or null; a form whose check digit is wrong is a problem. */
export function parcelFormOf(id: string): ParcelForm | ParcelFormProblem | null {
  if (/^\d{18}$/.test(id)) return isValidSscc(id) ? 'sscc' : null;
  const upu = /^[A-Z]{2}(\d{8})(\d)[A-Z]{2}$/.exec(id);
  if (upu) return s10CheckDigit(upu[1]!) === upu[2] ? 'upu' : 'upu_check_digit';
  if (/^JJD\d{10,21}$|^JVGL\d{6,20}$/.test(id)) return 'dhl';
  if (/^1Z[0-9A-Z]{16}$/.test(id)) return 'ups';
  if (/^\d{10,22}$/.test(id)) return 'numeric';
  return null;
}

/**
 * Whether an admin's pattern (Settings → Shipping, "Other parcel ID forms") matches the whole ID.
 * Patterns are checked when saved (`parcelPatternProblem`), so one that does not compile never gets here.
 */
export function matchesParcelPattern(id: string, patterns: readonly string[]): boolean {
  return patterns.some((p) => new RegExp(`^(?:${p})$`, 'u').test(id));
}

/** Why an admin's parcel ID pattern cannot be kept, or null. */
export function parcelPatternProblem(pattern: string): 'invalid' | 'tooLong' | 'matchesEverything' | null {
  if (pattern.length > 200) return 'tooLong';
  let re: RegExp;
  try {
    re = new RegExp(`^(?:${pattern})$`, 'u');
  } catch {
    return 'invalid';
  }
  // A pattern that takes "12" or a SKU-like word takes anything: the form check would be gone.
  return ['12', 'x', 'F2', 'ABC-1'].some((sample) => re.test(sample)) ? 'matchesEverything' : null;
}
