// Content checks ("linters") the GS1 Barcode Syntax Dictionary names for an AI's components, written
// from the GS1 General Specifications and the descriptions of GS1's reference linters
// (gs1/gs1-syntax-engine, src/c-lib/syntax/lint_*.c). Each returns null when the component is fine,
// else the error code and the linter's name. Pure.

import type { Gs1ErrorCode } from './types.js';

/** `at`: where in the component the problem starts, when the linter says (else at its start). */
export type LintFailure = { error: Gs1ErrorCode; linter: string; at?: number };
type Linter = (value: string, today: Date) => LintFailure | null;

/** GS1 AI encodable character set 82 (General Specifications figure 7.11-1). */
export const CSET82 = `!"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz`;
/** GS1 AI encodable character set 39 (figure 7.11-2). */
export const CSET39 = '#-/0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';
/** Character set 64 (figure 7.11-3): base64url, with "=" only as final padding. */
export const CSET64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const CSET32 = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';

/**
 * The index of the first character of `value` outside its character set, or -1. For CSET 64 ("Z"),
 * "=" is allowed only as padding at the end: at most two, and (as the Syntax Engine's lint_cset64.c
 * has it) only when the length with the padding is a multiple of 3; bad padding is reported at its
 * first "=".
 */
export function badCharacterAt(cset: 'N' | 'X' | 'Y' | 'Z', value: string): number {
  if (cset === 'Z') {
    const body = value.replace(/=+$/, '');
    const pads = value.length - body.length;
    if (pads > 2 || (pads > 0 && value.length % 3 !== 0)) return body.length;
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

const range =
  (linter: string, max: number): Linter =>
  (v) =>
    Number(v) <= max ? null : { error: 'bad_time', linter };
const content =
  (linter: string, ok: (v: string) => boolean): Linter =>
  (v) =>
    ok(v) ? null : { error: 'bad_content', linter };

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

/**
 * IBAN (ISO 13616-1), as the Syntax Engine's lint_iban.c checks it: 11 to 34 characters, digits and
 * capital letters only, and the mod-97 check (the first four characters moved to the end, letters
 * as 10–35, the remainder 1). Its other check, that the first two letters are an ISO 3166 alpha-2
 * country, needs that code list: not done here (the parser reports the linter as unchecked).
 */
function iban(v: string): LintFailure | null {
  const fail = (error: Gs1ErrorCode, at = 0): LintFailure => ({ error, linter: 'iban', at });
  if (v.length <= 10 || v.length > 34) return fail('bad_content');
  const rotated = v.slice(4) + v.slice(0, 4);
  let sum = 0;
  for (let i = 0; i < rotated.length; i++) {
    const c = rotated[i]!;
    const n = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ'.indexOf(c);
    if (n === -1) return fail('bad_content', (i + 4) % v.length);
    sum = (sum * (n < 10 ? 10 : 100) + n) % 97;
  }
  return sum === 1 ? null : fail('bad_check_digit', 2);
}

/**
 * A reader of the coupon structures below: fields taken in turn from a string of digits, each
 * failure the Syntax Engine's GS1_LINTER_COUPON_* error, here `bad_content` (or `bad_date`) at the
 * field where it happens.
 */
class CouponReader {
  /** The next digit to read. */
  p = 0;
  readonly v: string;
  readonly linter: string;
  readonly today: Date;
  constructor(v: string, linter: string, today: Date) {
    this.v = v;
    this.linter = linter;
    this.today = today;
  }
  get done(): boolean {
    return this.p >= this.v.length;
  }
  fail(at = this.p, error: Gs1ErrorCode = 'bad_content'): LintFailure {
    return { error, linter: this.linter, at: Math.min(at, this.v.length) };
  }
  /** One digit that must be there and among `allowed`. */
  digit(allowed: string): number | LintFailure {
    if (this.done) return this.fail();
    const c = this.v[this.p]!;
    if (!allowed.includes(c)) return this.fail();
    this.p++;
    return Number(c);
  }
  /** `n` digits that must all be there. */
  take(n: number): string | LintFailure {
    if (this.v.length - this.p < n) return this.fail();
    const s = this.v.slice(this.p, this.p + n);
    this.p += n;
    return s;
  }
  /** A length indicator among `allowed`, then as many digits as it says plus `plus`. */
  vli(allowed: string, plus: number): string | LintFailure {
    const d = this.digit(allowed);
    return typeof d === 'number' ? this.take(d + plus) : d;
  }
  /** A company prefix: checked as gcppos1 checks it. */
  gcp(prefix: string | LintFailure): LintFailure | null {
    if (typeof prefix !== 'string') return prefix;
    return /^\d{4}/.test(prefix) ? null : this.fail(this.p - prefix.length);
  }
  /** The next field's indicator is `c` (and is consumed). */
  optional(c: string): boolean {
    if (this.v[this.p] !== c) return false;
    this.p++;
    return true;
  }
  /** A YYMMDD date. */
  date(): string | LintFailure {
    const at = this.p;
    const d = this.take(6);
    if (typeof d !== 'string') return d;
    return date(d, 2, false, this.today, this.linter) ? this.fail(at, 'bad_date') : d;
  }
}

const isFailure = (x: unknown): x is LintFailure => typeof x === 'object' && x !== null;

/** AI (8112): the positive offer file coupon, as the Syntax Engine's lint_couponposoffer.c reads it. */
function couponposoffer(v: string, today: Date): LintFailure | null {
  const r = new CouponReader(v, 'couponposoffer', today);
  const bad = /\D/.exec(v);
  if (bad) return { error: 'bad_character', linter: r.linter, at: bad.index };
  const steps = [() => r.digit('01'), () => r.vli('0123456', 6), () => r.take(6), () => r.vli('0123456789', 6)];
  for (const step of steps) {
    const x = step();
    if (isFailure(x)) return x;
  }
  return r.done ? null : r.fail();
}

/** AI (8110): the North American coupon code, as the Syntax Engine's lint_couponcode.c reads it. */
function couponcode(v: string, today: Date): LintFailure | null {
  const r = new CouponReader(v, 'couponcode', today);
  const bad = /\D/.exec(v);
  if (bad) return { error: 'bad_character', linter: r.linter, at: bad.index };
  const run = (...steps: (() => unknown)[]): LintFailure | null => {
    for (const step of steps) {
      const x = step();
      if (isFailure(x)) return x;
    }
    return null;
  };
  // GCP, offer code, save value, 1st purchase requirement, its code and family code.
  const purchase = () =>
    run(
      () => r.vli('12345', 0),
      () => r.digit('012349'),
      () => r.take(3),
    );
  const head = run(
    () => r.gcp(r.vli('0123456', 6)),
    () => r.take(6),
    () => r.vli('12345', 0),
    purchase,
  );
  if (head) return head;
  // An additional purchase's GCP: length indicator 0–6 (+6), or 9 for none.
  const purchaseGcp = () => {
    const d = r.digit('01234569');
    if (isFailure(d)) return d;
    return d === 9 ? null : r.gcp(r.take(d + 6));
  };
  // Optional field 1: additional purchase rules code, then the 2nd purchase.
  if (r.optional('1')) {
    const f = run(() => r.digit('0123'), purchase, purchaseGcp);
    if (f) return f;
  }
  // Optional field 2: the 3rd purchase.
  if (r.optional('2')) {
    const f = run(purchase, purchaseGcp);
    if (f) return f;
  }
  // Optional fields 3 and 4: expiration and start dates (the start not after the expiration).
  let expiry: string | undefined;
  if (r.optional('3')) {
    const d = r.date();
    if (isFailure(d)) return d;
    expiry = d;
  }
  if (r.optional('4')) {
    const at = r.p;
    const d = r.date();
    if (isFailure(d)) return d;
    if (expiry !== undefined && d > expiry) return r.fail(at - 8);
  }
  // Optional field 5: serial number; 6: retailer GCP or GLN (length indicator 1–7, +6).
  if (r.optional('5')) {
    const f = r.vli('0123456789', 6);
    if (isFailure(f)) return f;
  }
  if (r.optional('6')) {
    const f = r.gcp(r.vli('1234567', 6));
    if (f) return f;
  }
  // Optional field 9: save value code, applies-to item, store coupon flag, don't-multiply flag.
  if (r.optional('9')) {
    const f = run(
      () => r.digit('01256'),
      () => r.digit('012'),
      () => r.digit('0123456789'),
      () => r.digit('01'),
    );
    if (f) return f;
  }
  return r.done ? null : r.fail();
}

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
  iban,
  couponcode,
  couponposoffer,
};

/**
 * Linters of the dictionary not run here: they need code lists (ISO 3166, ISO 4217, media and
 * package types). The parser reports them as `unchecked`.
 */
export const UNCHECKED_LINTERS = new Set(['iso3166', 'iso3166999', 'iso3166alpha2', 'iso3166list', 'iso4217', 'mediatype', 'packagetype', 'mmoptss', 'key']);

/** Linters run here only in part, for the same reason (iban: its ISO 3166 country code); also reported as `unchecked`. */
export const PARTLY_CHECKED_LINTERS = new Set(['iban']);
