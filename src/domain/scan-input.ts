import { gs1CheckDigit, isValidGtin } from './gtin.js';
import { readItemScan } from './item-scan.js';
import { readOrderCode } from './order-code.js';
import { normalizeParcelId } from './parcel-id.js';

// What a barcode scanner sends, read rather than trusted. A keyboard-wedge scanner types its code as
// key presses, and it is set up every which way: it ends with Enter or Tab; it may put an AIM
// symbology identifier in front (`]C1` = GS1-128); it sends GS (the GS1 separator) as Ctrl+], as
// the character, or as a substitute it was programmed with; and it may be set to a keyboard layout
// other than the computer's, so that a US scanner on a French computer types `&é"'(` for 12345.
//
// One rule for the page and the server: the page runs this file (bundled for the browser, see
// src/web/browser-modules.ts) to act on a scan at once, and the server reads the value it receives the
// same way before it looks anything up. Pure: no DOM, no database.

/** GS (ASCII 29): FNC1 between GS1 elements, as a scanner sends it. */
export const GS = '\x1D';

/** How a value reached the field: at scanner speed, typed by a person, or from the camera's decoder. */
export type ScanSource = 'scanner' | 'manual' | 'camera';

/** Keys this close together (ms; the middle gap between a scan's keys) are a scanner's: a person types slower. */
export const SCANNER_MS_PER_KEY = 40;

/**
 * The middle (median) gap between key times, or undefined for fewer than two keys. The middle one,
 * not every one: a busy computer may hold one key back now and then, but never most of them.
 */
export function middleGap(times: readonly number[]): number | undefined {
  const gaps = times
    .slice(1)
    .map((t, i) => t - times[i]!)
    .sort((a, b) => a - b);
  return gaps.length ? gaps[Math.floor((gaps.length - 1) / 2)] : undefined;
}

/** The keyboard layouts a US-layout scanner is read through when what it typed makes no sense as is. */
export const LAYOUTS = ['fr', 'de', 'se', 'no', 'dk'] as const;
export type LayoutId = (typeof LAYOUTS)[number];
export const isLayout = (value: unknown): value is LayoutId => LAYOUTS.includes(value as LayoutId);

// ---- keyboard layouts ----
// Each printable ASCII character a US keyboard types, in key order, unshifted then shifted; and for
// each layout what that key (and Shift) types there. A character in DEAD is a dead key on that
// layout: it types nothing until the next key, then the two as one letter (¨ + a → ä) or, when they
// do not combine, the accent and the letter. Checked against xkb's layouts by
// test/unit/scan-layouts.test.ts.
const US = "`1234567890-=qwertyuiop[]\\asdfghjkl;'zxcvbnm,./" + '~!@#$%^&*()_+QWERTYUIOP{}|ASDFGHJKL:"ZXCVBNM<>?';
const TYPES: Record<LayoutId, string> = {
  // French AZERTY
  fr: '²&é"\'(-è_çà)=azertyuiop^$*qsdfghjklmùwxcvbn,;:!' + '~1234567890°+AZERTYUIOP¨£µQSDFGHJKLM%WXCVBN?./§',
  // German QWERTZ
  de: '^1234567890ß´qwertzuiopü+#asdfghjklöäyxcvbnm,.-' + '°!"§$%&/()=?`QWERTZUIOPÜ*\'ASDFGHJKLÖÄYXCVBNM;:_',
  // Swedish and Finnish
  se: "§1234567890+´qwertyuiopå¨'asdfghjklöäzxcvbnm,.-" + '½!"#¤%&/()=?`QWERTYUIOPÅ^*ASDFGHJKLÖÄZXCVBNM;:_',
  // Norwegian
  no: "|1234567890+\\qwertyuiopå¨'asdfghjkløæzxcvbnm,.-" + '§!"#¤%&/()=?`QWERTYUIOPÅ^*ASDFGHJKLØÆZXCVBNM;:_',
  // Danish
  dk: "½1234567890+´qwertyuiopå¨'asdfghjklæøzxcvbnm,.-" + '§!"#¤%&/()=?`QWERTYUIOPÅ^*ASDFGHJKLÆØZXCVBNM;:_',
};
/** The US characters whose key is a dead key on the layout. */
const DEAD: Record<LayoutId, string> = { fr: '[{', de: '`=+', se: '=]+}', no: ']+}', dk: '=]+}' };
/** The combining mark of each dead key's accent. */
const COMBINING: Record<string, string> = { '¨': '\u0308', '´': '\u0301', '`': '\u0300', '^': '\u0302', '~': '\u0303' };

/** What a layout types for each US character (a dead key followed by another key: see `compose`). */
export function layoutTable(layout: LayoutId): Map<string, { types: string; dead: boolean }> {
  const types = [...TYPES[layout]];
  return new Map([...US].map((ch, i) => [ch, { types: types[i]!, dead: DEAD[layout].includes(ch) }]));
}

/** A dead key's accent followed by a character: one letter when they combine (¨ + a → ä), else both. */
export function compose(accent: string, next: string): string {
  const mark = COMBINING[accent];
  const combined = mark ? (next + mark).normalize('NFC') : '';
  return [...combined].length === 1 ? combined : accent + next;
}

/** Reading one layout's text back into what the US scanner meant: each typed piece and its US characters. */
type Tokens = Map<string, string[]>;
const tokenCache = new Map<LayoutId, Tokens>();
function tokensOf(layout: LayoutId): Tokens {
  const cached = tokenCache.get(layout);
  if (cached) return cached;
  const tokens: Tokens = new Map();
  const add = (typed: string, us: string) => {
    const list = tokens.get(typed) ?? [];
    if (!list.includes(us)) list.push(us);
    tokens.set(typed, list);
  };
  const table = layoutTable(layout);
  for (const [us, { types }] of table) add(types, us);
  // A dead key and the key after it, typed as one letter.
  for (const [us, { types: accent, dead }] of table) {
    if (!dead) continue;
    for (const [next, { types, dead: nextDead }] of table) {
      if (nextDead) continue;
      const letter = compose(accent, types);
      if (letter.length === 1) add(letter, us + next);
    }
  }
  add(' ', ' ');
  add(GS, GS);
  tokenCache.set(layout, tokens);
  return tokens;
}

/** At most this many readings of one scan through one layout (a typed letter may stand for two things). */
const MAX_READINGS = 16;

/** Every way `typed` reads as a US scanner's characters on `layout`; empty when the layout cannot have typed it. */
export function readThroughLayout(typed: string, layout: LayoutId): string[] {
  const tokens = tokensOf(layout);
  const chars = [...typed];
  // Readings of the text so far, extended one typed character at a time.
  let readings = [''];
  for (const ch of chars) {
    const meanings = tokens.get(ch);
    if (!meanings) return [];
    const next: string[] = [];
    for (const r of readings) for (const m of meanings) if (next.length < MAX_READINGS) next.push(r + m);
    readings = next;
  }
  return readings;
}

// ---- what a code is ----

/** Characters of codes as scanners send them: letters, digits, a few separators, GS. */
const PLAIN = /^[A-Za-z0-9 ._/*\x1D-]*$/;

/** A GS1 string written with its AIs in brackets, "(01)…(10)…", proven by its GTIN's check digit (AZERTY types 5 as `(`). */
const bracketedGs1 = (body: string, gs1: boolean) => body.startsWith('(') && PLAIN.test(body.replace(/[()]/g, '')) && checkedKind(body, gs1) === 'gs1';

/** A code whose check digit passes: an order code, an SSCC, a GTIN, or a GS1 element string with one. */
export type CheckedKind = 'order_code' | 'sscc' | 'gtin' | 'gs1';

/** The kind of code `value` is when a check digit proves it, else null. */
export function checkedKind(value: string, gs1: boolean): CheckedKind | null {
  if (!gs1 && readOrderCode(value).kind === 'valid') return 'order_code';
  const sscc = normalizeParcelId(value);
  if (/^\d{18}$/.test(sscc) && gs1CheckDigit(sscc.slice(0, 17)) === sscc[17]) return 'sscc';
  if (!gs1 && isValidGtin(value)) return 'gtin';
  if (gs1 && /^00\d{18}/.test(value)) return gs1CheckDigit(value.slice(2, 19)) === value[19] ? 'gs1' : null;
  // An element string (or its bracketed form) whose GTIN's check digit passes.
  return readItemScan(gs1 ? GS + value : value).kind === 'gtin' ? 'gs1' : null;
}

/**
 * GS1 data led by its GTIN (01)/(02) or SSCC (00) whose check digit passes as typed, whatever
 * follows: the whole string may break GS1's rules (a `ß` in the batch), but the key's digits arrived
 * as sent, so no layout's reading of the rest is proven by them.
 */
function keyPassesAsTyped(body: string, gs1: boolean): boolean {
  if (!gs1 && !body.startsWith('(') && !/^01\d{14}/.test(body)) return false;
  const gtin = /^(?:\(0[12]\)|0[12])(\d{14})/.exec(body)?.[1];
  if (gtin !== undefined) return gs1CheckDigit(gtin.slice(0, 13)) === gtin[13];
  const sscc = /^(?:\(00\)|00)(\d{18})/.exec(body)?.[1];
  return sscc !== undefined && gs1CheckDigit(sscc.slice(0, 17)) === sscc[17];
}

// ---- the reading ----

/** What a scan says, once read. */
export type ScanReading =
  | {
      ok: true;
      /** The value the product takes: no suffix, no symbology identifier, GS kept between elements (not in front). */
      value: string;
      /** GS1 data: an AIM identifier said so (`]C1`, `]d2`, `]Q3`, `]e0`, `]J1`) or it began with FNC1. */
      gs1: boolean;
      /** The AIM symbology identifier it came with, without its `]` (`C0`, `C1`, `E0`…), or null. */
      aim: string | null;
      /** Set when it was read through a keyboard layout: the layouts that explain it (a US scanner on these). */
      layouts: LayoutId[] | null;
      /** Its kind, when a check digit proves it. */
      checked: CheckedKind | null;
    }
  | {
      ok: false;
      /** layout: it reads as `reading` through `layouts`, but no check digit proves that; characters: what no scanner set right sends. */
      problem: 'layout' | 'characters';
      layouts: LayoutId[];
      reading: string;
      /** The characters that gave it away. */
      chars: string;
    };

export interface ReadOptions {
  source: ScanSource;
  /** What the shop's scanners send instead of GS (Settings → Scanners), or ''. */
  gsSubstitute?: string;
}

/** AIM identifiers of GS1 data: GS1-128, GS1 DataMatrix, GS1 QR, GS1 DataBar, GS1 DotCode. */
const GS1_AIMS = new Set(['C1', 'd2', 'Q3', 'e0', 'J1']);

/** The parts of a text once its suffix, AIM identifier, GS substitute and leading FNC1 are taken off. */
function parts(text: string, gsSubstitute: string) {
  const aimMatch = /^\]([A-Za-z])([0-9A-Za-z])/.exec(text);
  const aim = aimMatch ? aimMatch[1]! + aimMatch[2]! : null;
  let body = aimMatch ? text.slice(3) : text;
  if (gsSubstitute) body = body.split(gsSubstitute).join(GS);
  const fnc1 = body.startsWith(GS);
  body = body.replace(/^\x1D+/, '').replace(/\x1D+$/, '');
  return { aim, body, gs1: fnc1 || (aim !== null && GS1_AIMS.has(aim)) };
}

/** A keyed count in front of a code ("5*7350053850019"), typed by a person before the scan. */
const COUNT = /^(\d{1,3}\s*[*xX×]\s*)(.+)$/s;

/**
 * Reads one scan as the product takes it (see the file's comment). A person's typing is taken as
 * typed: they see what they type. A scanner's is taken as typed when it holds only the characters
 * codes are made of; otherwise it is read through the keyboard layouts a US scanner is commonly
 * plugged into, and taken when exactly one plain reading is proven by a check digit that did not
 * already pass as typed. A reading that no check digit proves is refused, with what it would
 * have read and the layout that explains it, as are characters that only a wrong layout types.
 */
export function readScan(raw: string, options: ReadOptions): ScanReading {
  const gsSubstitute = options.source === 'scanner' ? (options.gsSubstitute ?? '') : '';
  const text = raw.replace(/[\r\n\t]+$/, '').replace(/^[ \r\n\t]+|[ \r\n\t]+$/g, '');
  const count = COUNT.exec(text);
  if (count) {
    const rest = readScan(count[2]!, options);
    return rest.ok ? { ...rest, value: count[1]! + rest.value, checked: null } : rest;
  }
  const asTyped = parts(text, gsSubstitute);
  const taken = (p: ReturnType<typeof parts>, layouts: LayoutId[] | null): ScanReading => ({
    ok: true,
    value: p.body,
    gs1: p.gs1,
    aim: p.aim,
    layouts,
    checked: checkedKind(p.body, p.gs1),
  });
  if (options.source === 'manual') {
    const body = text.replace(/^\x1D+/, '');
    return { ok: true, value: body, gs1: body !== text, aim: null, layouts: null, checked: checkedKind(body, body !== text) };
  }
  if (PLAIN.test(asTyped.body) || bracketedGs1(asTyped.body, asTyped.gs1) || options.source === 'camera') return taken(asTyped, null);
  // A check digit that passes as typed says nothing about the characters around it (a GS1 batch
  // with `ß` in it): then no layout's reading is proven either.
  const typedChecked = checkedKind(asTyped.body, asTyped.gs1) !== null || keyPassesAsTyped(asTyped.body, asTyped.gs1);

  // Not a code as typed: what it says through each layout.
  const proven = new Map<string, { p: ReturnType<typeof parts>; layouts: LayoutId[] }>();
  const plain = new Map<string, LayoutId[]>();
  for (const layout of LAYOUTS) {
    for (const reading of readThroughLayout(text, layout)) {
      if (reading === text) continue;
      const p = parts(reading, gsSubstitute);
      if (!PLAIN.test(p.body)) continue;
      if (!typedChecked && checkedKind(p.body, p.gs1)) {
        const key = `${p.gs1 ? GS : ''}${p.body}`;
        const seen = proven.get(key) ?? { p, layouts: [] };
        if (!seen.layouts.includes(layout)) seen.layouts.push(layout);
        proven.set(key, seen);
      } else {
        const seen = plain.get(p.body) ?? [];
        if (!seen.includes(layout)) seen.push(layout);
        plain.set(p.body, seen);
      }
    }
  }
  const odd = oddChars(asTyped.body);
  const [first, ...others] = [...proven.values()];
  if (first && others.length === 0) return taken(first.p, first.layouts);
  // Two readings proven by their check digits: which one the scanner meant is not for us to guess.
  if (first) return { ok: false, problem: 'layout', layouts: first.layouts, reading: first.p.body, chars: odd };
  const [guess] = [...plain.entries()];
  if (guess) return { ok: false, problem: 'layout', layouts: guess[1], reading: guess[0], chars: odd };
  // Nothing explains it: characters a code has no place for (a text with national letters, or
  // symbols in a scanner's ASCII) are refused only when they are ones no US-set scanner types.
  if (/[^\x1D\x20-\x7E]/.test(asTyped.body)) return { ok: false, problem: 'characters', layouts: [], reading: '', chars: odd };
  return taken(asTyped, null);
}

/** The characters of `text` that codes are not made of, each once, in order. */
function oddChars(text: string): string {
  return [...new Set([...text].filter((ch) => !PLAIN.test(ch)))].join('');
}

/**
 * Every reading of a scanner's text through the layouts, as typed first: for a closed set of words
 * such as the station's command barcodes, where a match is proof enough.
 */
export function candidateReadings(raw: string): string[] {
  const text = raw.replace(/[\r\n\t]+$/, '').trim();
  return [...new Set([text, ...LAYOUTS.flatMap((l) => readThroughLayout(text, l))])];
}
