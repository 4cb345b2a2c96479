// Content checks ("linters") the GS1 Barcode Syntax Dictionary names for an AI's components, written
// from the GS1 General Specifications and the descriptions of GS1's reference linters
// (gs1/gs1-syntax-engine, src/c-lib/syntax/lint_*.c). Each returns null when the component is fine,
// else the error code and the linter's name. Pure.

import type { Gs1ErrorCode } from './types.js';

export type LintFailure = { error: Gs1ErrorCode; linter: string };
type Linter = (value: string, today: Date) => LintFailure | null;

/** GS1 AI encodable character set 82 (General Specifications figure 7.11-1). */
export const CSET82 = `!"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz`;
/** GS1 AI encodable character set 39 (figure 7.11-2). */
export const CSET39 = '#-/0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';
/** Character set 64 (figure 7.11-3): base64url, with "=" only as final padding. */
export const CSET64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const CSET32 = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';

/** The index of the first character of `value` outside its character set, or -1. */
export function badCharacterAt(cset: 'N' | 'X' | 'Y' | 'Z', value: string): number {
  if (cset === 'Z') {
    const body = value.replace(/=+$/, '');
    for (let i = 0; i < body.length; i++) if (!CSET64.includes(body[i]!)) return i;
    return -1;
  }
  const allowed = cset === 'N' ? '0123456789' : cset === 'X' ? CSET82 : CSET39;
  for (let i = 0; i < value.length; i++) if (!allowed.includes(value[i]!)) return i;
  return -1;
}

/** GS1 modulo-10 check digit of the digits before the last one. */
export function gs1CheckDigitOf(body: string): string {
  let sum = 0;
  for (let i = body.length - 1, w = 3; i >= 0; i--, w = 4 - w) sum += Number(body[i]) * w;
  return String((10 - (sum % 10)) % 10);
}

/** Full year of a two-digit year by the GS1 rule (General Specifications 7.12): a 100-year window around today. */
export function centuryOf(yy: number, today: Date): number {
  const year = today.getUTCFullYear();
  const diff = yy - (year % 100);
  const century = Math.floor(year / 100) * 100;
  if (diff >= 51) return century - 100 + yy;
  if (diff <= -50) return century + 100 + yy;
  return century + yy;
}

const daysIn = (year: number, month: number): number => new Date(Date.UTC(year, month, 0)).getUTCDate();

function date(value: string, yearDigits: 2 | 4, dayZeroAllowed: boolean, today: Date, linter: string): LintFailure | null {
  const year = yearDigits === 4 ? Number(value.slice(0, 4)) : centuryOf(Number(value.slice(0, 2)), today);
  const month = Number(value.slice(yearDigits, yearDigits + 2));
  const day = Number(value.slice(yearDigits + 2, yearDigits + 4));
  if (month < 1 || month > 12) return { error: 'bad_date', linter };
  if (day === 0 && dayZeroAllowed) return null;
  if (day < 1 || day > daysIn(year, month)) return { error: 'bad_date', linter };
  return null;
}

const range = (linter: string, max: number): Linter => (v) => (Number(v) <= max ? null : { error: 'bad_time', linter });
const content = (linter: string, ok: (v: string) => boolean): Linter => (v) => (ok(v) ? null : { error: 'bad_content', linter });

/** GS1 check-character pair (General Specifications 7.9.5), used by GMN (8013) and MUDI (8014). */
function csumalpha(value: string): boolean {
  if (value.length < 2) return false;
  const primes = [2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89];
  const body = value.slice(0, -2);
  if (body.length > primes.length) return false;
  let sum = 0;
  for (let i = 0; i < body.length; i++) sum += CSET82.indexOf(body[i]!) * primes[body.length - 1 - i]!;
  sum %= 1021;
  return value.slice(-2) === CSET32[sum >> 5]! + CSET32[sum & 31]!;
}

/** GCP position check without a GS1 Company Prefix list: at least 4 digits where the prefix starts. */
const gcpAt =
  (offset: number, linter: string): Linter =>
  (v) =>
    /^\d{4}/.test(v.slice(offset)) ? null : { error: 'bad_content', linter };

export const LINTERS: Record<string, Linter> = {
  csum: (v) => (v.length >= 2 && gs1CheckDigitOf(v.slice(0, -1)) === v.slice(-1) ? null : { error: 'bad_check_digit', linter: 'csum' }),
  csumalpha: (v) => (csumalpha(v) ? null : { error: 'bad_check_digit', linter: 'csumalpha' }),
  yymmdd: (v, t) => date(v, 2, false, t, 'yymmdd'),
  yymmd0: (v, t) => date(v, 2, true, t, 'yymmd0'),
  yyyymmdd: (v, t) => date(v, 4, false, t, 'yyyymmdd'),
  yyyymmd0: (v, t) => date(v, 4, true, t, 'yyyymmd0'),
  yymmddhh: (v, t) => date(v.slice(0, 6), 2, false, t, 'yymmddhh') ?? range('yymmddhh', 23)(v.slice(6, 8), t),
  hhmi: (v) => (Number(v.slice(0, 2)) <= 23 && Number(v.slice(2, 4)) <= 59 ? null : { error: 'bad_time', linter: 'hhmi' }),
  hhmm: (v) => (Number(v.slice(0, 2)) <= 23 && Number(v.slice(2, 4)) <= 59 ? null : { error: 'bad_time', linter: 'hhmm' }),
  hh: range('hh', 23),
  mi: range('mi', 59),
  ss: range('ss', 59),
  zero: content('zero', (v) => v === '0'),
  nonzero: content('nonzero', (v) => /[1-9]/.test(v)),
  yesno: content('yesno', (v) => v === '0' || v === '1'),
  winding: content('winding', (v) => v === '0' || v === '1' || v === '9'),
  nozeroprefix: content('nozeroprefix', (v) => v.length === 1 || v[0] !== '0'),
  hyphen: content('hyphen', (v) => /^-*$/.test(v)),
  iso5218: content('iso5218', (v) => ['0', '1', '2', '9'].includes(v)),
  pcenc: content('pcenc', (v) => !/%(?![0-9A-Fa-f]{2})/.test(v)),
  importeridx: content('importeridx', (v) => /^[0-9A-Za-z_-]$/.test(v)),
  hasnondigit: content('hasnondigit', (v) => /\D/.test(v)),
  pieceoftotal: content('pieceoftotal', (v) => {
    const piece = Number(v.slice(0, v.length / 2));
    const total = Number(v.slice(v.length / 2));
    return piece >= 1 && total >= 1 && piece <= total;
  }),
  posinseqslash: content('posinseqslash', (v) => {
    const m = /^([1-9]\d*)\/([1-9]\d*)$/.exec(v);
    return m !== null && Number(m[1]) <= Number(m[2]);
  }),
  latitude: content('latitude', (v) => Number(v) <= 1_800_000_000),
  longitude: content('longitude', (v) => Number(v) <= 3_600_000_000),
  gcppos1: gcpAt(0, 'gcppos1'),
  gcppos2: gcpAt(1, 'gcppos2'),
};

/**
 * Linters of the dictionary not run here: they need code lists (ISO 3166, ISO 4217, IBAN countries,
 * media and package types) or the coupon structures. The parser reports them as `unchecked`.
 */
export const UNCHECKED_LINTERS = new Set(['iso3166', 'iso3166999', 'iso3166alpha2', 'iso3166list', 'iso4217', 'iban', 'mediatype', 'packagetype', 'couponcode', 'couponposoffer', 'mmoptss', 'key']);
