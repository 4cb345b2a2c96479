// The scanner check: a printed sheet of test barcodes whose contents are known, so that what a
// scanner types for them tells what it is set to (suffix, prefix, AIM identifiers, GS, keyboard
// layout, speed) and what to change. Pure: the page (Settings → Scanners, the station's link) and the
// unit tests use it alike.
import { GS, LAYOUTS, middleGap, readThroughLayout, SCANNER_MS_PER_KEY, type LayoutId } from './scan-input.js';

// A person types slower than SCANNER_MS_PER_KEY per key; a scanner that does is taken for one (the
// page's scan reader uses the same threshold to tell a scanner's keys from a person's).
export { GS, SCANNER_MS_PER_KEY };

/**
 * Barcode 1, Code 128: letters that AZERTY (A/Q, Z/W, M) and QWERTZ (Y/Z) move, in both cases;
 * the digit row, which AZERTY types as symbols; `-` and `/`, which QWERTZ and the Nordic layouts
 * move; `;` and `'`, which tell Swedish, Norwegian and Danish apart. No key that is a dead key on
 * any of these layouts, so each character arrives as one.
 */
export const CHECK_TEXT = "QAZWYM-qazwym/0123456789;'";

/**
 * Barcode 2, GS1-128: GTIN, batch and serial. Its element string has FNC1 after the batch (a
 * variable-length element followed by another): how that arrives tells how the scanner sends GS.
 */
export const CHECK_GS1 = {
  /** Human-readable, as printed under the bars. */
  hri: '(01)09501101020917(10)LOT7(21)SER1',
  /** The element string as the barcode carries it, GS where the FNC1 is. */
  elements: `0109501101020917` + `10LOT7` + GS + `21SER1`,
} as const;

/** One key press as the check page saw it (KeyboardEvent fields and its timeStamp in ms). */
export interface KeyRecord {
  key: string;
  code: string;
  ctrl: boolean;
  t: number;
}

/** One scan of a sheet barcode: the keys, and the text the field got (GS where Ctrl+] came). */
export interface CheckScan {
  keys: KeyRecord[];
  text: string;
}

export type Suffix = 'Enter' | 'Tab' | 'none' | 'other';
export type GsArrival = 'ctrl' | 'char' | 'substitute' | 'missing';

/** What one scan of the sheet tells about the scanner. */
export interface CheckFinding {
  /** Which sheet barcode it was (1: CHECK_TEXT, 2: CHECK_GS1), or null when neither was found in it. */
  barcode: 1 | 2 | null;
  suffix: Suffix;
  /** Keys after the code: the suffix as sent ("Tab Enter"). */
  suffixKeys: string[];
  /** Characters before the code that are not an AIM identifier (a prefix programmed in the scanner). */
  prefix: string;
  /** Characters after the code before the suffix keys. */
  trailer: string;
  /** The AIM symbology identifier without `]` (C0, C1…), or null. */
  aim: string | null;
  /** The keyboard layouts that explain what arrived when the scanner is set to US; [] when it matches this computer, null when nothing explains it. */
  layouts: LayoutId[] | null;
  /** Barcode 2 only: how GS arrived, and the substitute when one came instead. */
  gs: GsArrival | null;
  gsSubstitute: string;
  /** The middle (median) time between the code's keys, in ms. */
  msPerKey: number;
}

const ELEMENT_HEAD = CHECK_GS1.elements.slice(0, CHECK_GS1.elements.indexOf(GS));
const ELEMENT_TAIL = CHECK_GS1.elements.slice(CHECK_GS1.elements.indexOf(GS) + 1);
const END_KEYS = new Set(['Enter', 'Tab']);

/** Ctrl+]: GS as many scanners send it (the key right of P on a US keyboard, whatever this one prints on it). */
const isGsKey = (k: KeyRecord) => k.ctrl && (k.code === 'BracketRight' || k.key === ']');

/** Reads one scan of the sheet: which barcode, and how the scanner is set up (see CheckFinding). */
export function analyzeCheckScan(scan: CheckScan): CheckFinding {
  const charKeys = scan.keys.filter((k) => k.key.length === 1 || isGsKey(k));
  // The middle gap between keys: the scanner's own pace, whatever pause a busy computer put in now and then.
  const msPerKey = middleGap(charKeys.map((k) => k.t)) ?? 0;
  // The suffix: the Enter/Tab keys after the last character.
  let lastChar = scan.keys.length - 1;
  while (lastChar >= 0 && !(scan.keys[lastChar]!.key.length === 1 || scan.keys[lastChar]!.key === 'Dead' || isGsKey(scan.keys[lastChar]!))) lastChar--;
  const after = scan.keys.slice(lastChar + 1).map((k) => k.key);
  const suffixKeys = after.filter((k) => END_KEYS.has(k));
  const suffix: Suffix = suffixKeys.length === 0 ? (after.length ? 'other' : 'none') : suffixKeys[0] === 'Enter' ? 'Enter' : 'Tab';
  const ctrlGs = scan.keys.some(isGsKey);

  const none: CheckFinding = { barcode: null, suffix, suffixKeys, prefix: '', trailer: '', aim: null, layouts: null, gs: null, gsSubstitute: '', msPerKey };
  // What arrived, read as typed, then through each layout a US-set scanner may be plugged into.
  const readings: { layout: LayoutId | null; text: string }[] = [
    { layout: null, text: scan.text },
    ...LAYOUTS.flatMap((layout) => readThroughLayout(scan.text, layout).map((text) => ({ layout, text }))),
  ];
  for (const barcode of [1, 2] as const) {
    // The reading that leaves nothing but an AIM identifier before the code comes first: on QWERTZ
    // and the Nordic layouts barcode 2's digits and letters arrive unchanged as typed, and only the
    // identifier in front (`+C1`, `¨C1`) and the separator show the layout.
    const clean = (r: { text: string; match: ReturnType<typeof locate> }) => /^(?:\][A-Za-z][0-9A-Za-z])?$/.test(r.text.slice(0, r.match!.start));
    const matched = readings.map((r) => ({ ...r, match: locate(r.text, barcode) })).filter((r) => r.match);
    const found = [...matched.filter(clean), ...matched.filter((r) => !clean(r))];
    const first = found[0];
    if (!first?.match) continue;
    const layouts = first.layout === null ? [] : [...new Set(found.filter((r) => r.layout !== null && r.text === first.text).map((r) => r.layout!))];
    const before = first.text.slice(0, first.match.start);
    const aim = /\]([A-Za-z][0-9A-Za-z])$/.exec(before);
    const separator = first.match.separator;
    const gs: GsArrival | null = barcode === 1 ? null : separator === GS ? (ctrlGs ? 'ctrl' : 'char') : separator === '' ? 'missing' : 'substitute';
    return {
      ...none,
      barcode,
      prefix: aim ? before.slice(0, -3) : before,
      trailer: first.text.slice(first.match.end),
      aim: aim ? aim[1]! : null,
      layouts,
      gs,
      gsSubstitute: gs === 'substitute' ? separator : '',
    };
  }
  return none;
}

/** Where a sheet barcode's contents sit in `text` (and, for barcode 2, what stood between its elements). */
function locate(text: string, barcode: 1 | 2): { start: number; end: number; separator: string } | null {
  if (barcode === 1) {
    const start = text.indexOf(CHECK_TEXT);
    return start === -1 ? null : { start, end: start + CHECK_TEXT.length, separator: '' };
  }
  const start = text.indexOf(ELEMENT_HEAD);
  if (start === -1) return null;
  const tail = text.indexOf(ELEMENT_TAIL, start + ELEMENT_HEAD.length);
  // At most a few characters between the batch and the serial: a GS, a substitute, or nothing.
  if (tail === -1 || tail - (start + ELEMENT_HEAD.length) > 8) return null;
  return { start, end: tail + ELEMENT_TAIL.length, separator: text.slice(start + ELEMENT_HEAD.length, tail) };
}
