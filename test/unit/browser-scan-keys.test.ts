import { describe, expect, it } from 'vitest';
import { middleGap, SCANNER_MS_PER_KEY } from '../../src/domain/scan-input.js';
import { fieldKeyAction, SCANNER_KEYS, sourceOfKeys, strayKeyAction, SUFFIX_MS, type KeyPress } from '../../src/browser/lib/scan-keys.js';
import { isCheckGsKey, msUntilCheckScanEnds, PAUSE_MS, SUFFIX_MS as CHECK_SUFFIX_MS } from '../../src/browser/lib/check-keys.js';

/** Key times `gap` ms apart. */
const keysEvery = (gap: number, count: number, from = 0) => Array.from({ length: count }, (_, i) => from + i * gap);

/** A key press with no modifier unless given. */
const press = (key: string, more: Partial<KeyPress> = {}): KeyPress => ({
  key,
  code: '',
  ctrlKey: false,
  altKey: false,
  metaKey: false,
  shiftKey: false,
  isComposing: false,
  ...more,
});

describe('middleGap: the middle gap between key times (src/domain/scan-input.ts)', () => {
  it.each([
    [[], undefined],
    [[5], undefined],
    [[0, 30], 30],
    [[0, 10, 100], 10],
    [[0, 10, 20, 200], 10],
    [[0, 300, 305, 310, 315], 5],
    [[100, 50], -50],
  ])('%j → %j', (times, gap) => expect(middleGap(times)).toBe(gap));
});

describe('sourceOfKeys: a scanner or a person, from the timing of a scan’s keys', () => {
  it.each([
    ['no keys', [], 'manual'],
    ['one key', [0], 'manual'],
    ['keys 2 ms apart', keysEvery(2, 14), 'scanner'],
    [`keys ${SCANNER_MS_PER_KEY} ms apart`, keysEvery(SCANNER_MS_PER_KEY, 10), 'scanner'],
    [`keys ${SCANNER_MS_PER_KEY + 1} ms apart`, keysEvery(SCANNER_MS_PER_KEY + 1, 10), 'manual'],
    ['a person’s typing, 150 ms apart', keysEvery(150, 10), 'manual'],
    ['a scan with one key held back by a busy computer', [...keysEvery(3, 5), 400, ...keysEvery(3, 5, 403)], 'scanner'],
    ['"5*" typed by hand, then a scan', [0, 200, ...keysEvery(2, 13, 2000)], 'scanner'],
    ['a scan, then a person’s keys: only the last keys count', [...keysEvery(2, 13), ...keysEvery(200, SCANNER_KEYS + 1, 1000)], 'manual'],
  ] as const)('%s → %s', (_, times, source) => expect(sourceOfKeys(times)).toBe(source));
});

describe('fieldKeyAction: what a key in a scan field does', () => {
  const typing = { empty: false, msSinceScanEnded: Infinity };
  const emptyLongAfter = { empty: true, msSinceScanEnded: 5000 };
  const emptyJustAfter = { empty: true, msSinceScanEnded: SUFFIX_MS - 1 };
  it.each([
    ['Ctrl+] (GS)', press(']', { ctrlKey: true, code: 'BracketRight' }), typing, 'gs'],
    ['Ctrl and the key right of P, whatever it prints', press('¨', { ctrlKey: true, code: 'BracketRight' }), typing, 'gs'],
    ['Ctrl+Alt+] (AltGr on a Nordic keyboard)', press(']', { ctrlKey: true, altKey: true, code: 'BracketRight' }), typing, 'ignore'],
    ['Enter after text', press('Enter'), typing, 'end'],
    ['Tab after text', press('Tab'), typing, 'end'],
    ['Shift+Tab after text', press('Tab', { shiftKey: true }), typing, 'ignore'],
    ['Ctrl+Enter after text', press('Enter', { ctrlKey: true }), typing, 'ignore'],
    ['Enter on an empty field', press('Enter'), emptyLongAfter, 'swallow'],
    ['Tab on an empty field long after a scan', press('Tab'), emptyLongAfter, 'ignore'],
    ['Tab on an empty field just after a scan (Tab Enter, its rest)', press('Tab'), emptyJustAfter, 'swallow'],
    ['Tab on an empty field at the suffix’s end', press('Tab'), { empty: true, msSinceScanEnded: SUFFIX_MS }, 'ignore'],
    ['Enter on a field of spaces', press('Enter'), { empty: true, msSinceScanEnded: Infinity }, 'swallow'],
    ['a character', press('7'), typing, 'char'],
    ['Shift and a character', press('A', { shiftKey: true }), typing, 'char'],
    ['Alt and a character (AltGr)', press('@', { altKey: true }), typing, 'char'],
    ['Ctrl and a character', press('z', { ctrlKey: true }), typing, 'ignore'],
    ['a key without a character', press('ArrowLeft'), typing, 'ignore'],
    ['a dead key', press('Dead'), typing, 'ignore'],
    ['a key while composing', press('a', { isComposing: true }), typing, 'ignore'],
    ['Enter while composing', press('Enter', { isComposing: true }), typing, 'ignore'],
  ] as const)('%s → %s', (_, key, field, action) => expect(fieldKeyAction(key, field)).toBe(action));
});

describe('strayKeyAction: a key while no scan field has the focus', () => {
  it.each([
    ['a character', press('J'), 'type'],
    ['a dead key', press('Dead'), 'focus'],
    ['Space (a button’s own key)', press(' '), 'ignore'],
    ['Enter', press('Enter'), 'ignore'],
    ['F9', press('F9'), 'ignore'],
    ['Ctrl and a character', press('c', { ctrlKey: true }), 'ignore'],
    ['Alt and a character', press('x', { altKey: true }), 'ignore'],
    ['Meta and a character', press('v', { metaKey: true }), 'ignore'],
    ['a key while composing', press('a', { isComposing: true }), 'ignore'],
    ['a key another handler took', { ...press('J'), defaultPrevented: true }, 'ignore'],
  ] as const)('%s → %s', (_, key, action) => expect(strayKeyAction({ defaultPrevented: false, ...key })).toBe(action));
});

describe('the scanner check’s keys', () => {
  it.each([
    [{ key: ']', code: 'BracketRight', ctrl: true }, true],
    [{ key: '¨', code: 'BracketRight', ctrl: true }, true],
    [{ key: ']', code: 'Backslash', ctrl: true }, true],
    [{ key: ']', code: 'BracketRight', ctrl: false }, false],
    [{ key: 'a', code: 'KeyA', ctrl: true }, false],
  ])('%j is GS: %s', (key, gs) => expect(isCheckGsKey(key)).toBe(gs));

  it.each([
    ['Enter', CHECK_SUFFIX_MS],
    ['Tab', CHECK_SUFFIX_MS],
    ['A', PAUSE_MS],
    ['Shift', PAUSE_MS],
  ])('after %s the scan is read in %i ms', (key, ms) => expect(msUntilCheckScanEnds({ key })).toBe(ms));
});
