import { middleGap, SCANNER_MS_PER_KEY, type ScanSource } from '../../domain/scan-input.js';

// How a scan field reads its keys (src/browser/scanner.ts does what these decide): which key ends a
// scan, which one is the rest of a scanner's suffix, GS as Ctrl+], and who typed the scan — a
// scanner or a person — from the timing of its last keys. Pure: no DOM.

/** The gaps between the last keys of a scan that say who typed it. */
export const SCANNER_KEYS = 8;
/** An Enter or Tab this soon after a scan ended belongs to that scan's suffix. */
export const SUFFIX_MS = 300;

/** The parts of a KeyboardEvent these rules read. */
export interface KeyPress {
  key: string;
  code: string;
  ctrlKey: boolean;
  altKey: boolean;
  metaKey: boolean;
  shiftKey: boolean;
  isComposing: boolean;
}

/**
 * Who typed a scan, from the times of its keys: the middle gap between its last keys is a scanner's
 * (at most SCANNER_MS_PER_KEY, the scanner check's threshold too) or a person's. The middle one, not
 * every one: a person typing "5*" before a scan leaves the scan's keys in the majority.
 */
export function sourceOfKeys(times: readonly number[]): Exclude<ScanSource, 'camera'> {
  const gap = middleGap(times.slice(-(SCANNER_KEYS + 1)));
  return gap !== undefined && gap <= SCANNER_MS_PER_KEY ? 'scanner' : 'manual';
}

/**
 * What a key pressed in a scan field does:
 * - `gs`: Ctrl+] (the key right of P on a US keyboard, whatever this keyboard prints on it) puts GS in the field;
 * - `end`: Enter or Tab ends the scan in the field;
 * - `swallow`: an Enter or Tab on an empty field soon after a scan (the rest of a suffix: CR LF, Tab Enter), or any Enter on an empty field;
 * - `char`: a key that types a character, timed;
 * - `ignore`: anything else, left to the browser (a Tab on an empty field walks on).
 */
export type FieldKeyAction = 'gs' | 'end' | 'swallow' | 'char' | 'ignore';

export function fieldKeyAction(key: KeyPress, field: { empty: boolean; msSinceScanEnded: number }): FieldKeyAction {
  if (key.isComposing) return 'ignore';
  if (key.ctrlKey && !key.altKey && !key.metaKey && (key.code === 'BracketRight' || key.key === ']')) return 'gs';
  if ((key.key === 'Enter' || (key.key === 'Tab' && !key.shiftKey)) && !key.ctrlKey && !key.altKey && !key.metaKey) {
    if (!field.empty) return 'end';
    return field.msSinceScanEnded < SUFFIX_MS || key.key === 'Enter' ? 'swallow' : 'ignore';
  }
  return key.key.length === 1 && !key.ctrlKey && !key.metaKey ? 'char' : 'ignore';
}

/**
 * What a key pressed while no scan field has the focus may do: `type` (a character: a scanner's
 * burst goes to the page's scan field), `focus` (a dead key, which types nothing itself: the scan
 * field takes the focus and the key goes on, so what the next key makes lands there whole), or
 * `ignore`. The page still checks that no other text field has the focus.
 */
export function strayKeyAction(key: KeyPress & { defaultPrevented: boolean }): 'type' | 'focus' | 'ignore' {
  if (key.defaultPrevented || key.ctrlKey || key.altKey || key.metaKey || key.isComposing) return 'ignore';
  if (key.key === 'Dead') return 'focus';
  return key.key.length !== 1 || key.key === ' ' ? 'ignore' : 'type';
}
