import { gs1CheckDigit } from './gtin.js';

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
  if (/^\d{18}$/.test(id) && gs1CheckDigit(id.slice(0, 17)) !== id.slice(17)) return 'sscc_check_digit';
  return null;
}
