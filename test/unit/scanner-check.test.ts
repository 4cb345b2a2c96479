import { describe, expect, it } from 'vitest';
import {
  analyzeCheckScan,
  CHECK_GS1,
  CHECK_TEXT,
  GS,
  SCANNER_MS_PER_KEY,
  type CheckFinding,
  type CheckScan,
  type KeyRecord,
} from '../../src/domain/scanner-check.js';
import { scanStrokes, type ScanOptions } from '../browser/scanner.js';
import type { LayoutId } from '../xkb.js';

// A scan of the printed check sheet as the check page sees it: the keydown events (key, code, Ctrl,
// timeStamp) and the text the field ends up with. The key events come from the xkb reference
// (test/browser/scanner.ts), as a US-set scanner sends them on the computer's layout.

interface SheetScan {
  layout?: LayoutId;
  suffix?: ScanOptions['suffix'];
  /** ms between two keydowns, in turn (a scanner is not a metronome); default [2]. */
  intervals?: number[];
  /** How the scanner sends GS: Ctrl+] (default), or the character itself with no Ctrl. */
  gsAs?: 'ctrl' | 'char';
}

/** The keys and field text of a US-set scanner sending `sent` (see SheetScan). */
function sheetScan(sent: string, { layout = 'us', suffix = 'Enter', intervals = [2], gsAs = 'ctrl' }: SheetScan = {}): CheckScan {
  const keys: Omit<KeyRecord, 't'>[] = [];
  let text = '';
  const parts = gsAs === 'char' ? sent.split(GS) : [sent];
  for (const [i, part] of parts.entries()) {
    if (i > 0) {
      // GS as a character: a key the browser names by the character, no Ctrl.
      keys.push({ key: GS, code: '', ctrl: false });
      text += GS;
    }
    for (const stroke of scanStrokes(part, { layout, suffix: i === parts.length - 1 ? suffix : 'none' })) {
      for (const event of stroke) {
        const ctrl = ((event.modifiers ?? 0) & 2) !== 0;
        if (event.type === 'keyDown' || event.type === 'rawKeyDown') keys.push({ key: event.key ?? '', code: event.code ?? '', ctrl });
        // The field: typed text (not Enter's), a dead key's accent on its own, GS where Ctrl+] came.
        if ((event.type === 'keyDown' || event.type === 'char') && event.text && event.key !== 'Enter') text += event.text;
        if (event.type === 'rawKeyDown' && ctrl && event.code === 'BracketRight') text += GS;
      }
    }
  }
  let t = 1_000;
  return { keys: keys.map((k, i) => ({ ...k, t: i === 0 ? t : (t += intervals[(i - 1) % intervals.length]!) })), text };
}

/** What a well-set scanner on a US computer tells: barcode 1, Enter, nothing else. */
const CLEAN: CheckFinding = {
  barcode: 1,
  suffix: 'Enter',
  suffixKeys: ['Enter'],
  prefix: '',
  trailer: '',
  aim: null,
  layouts: [],
  gs: null,
  gsSubstitute: '',
  msPerKey: 2,
};
const BARCODE_2 = `]C1${CHECK_GS1.elements}`;

describe('reading a scan of the scanner check sheet', () => {
  it.each<[string, string, SheetScan, Partial<CheckFinding>]>([
    ['barcode 1 on a US computer, Enter, 2 ms a key: all as it should be', CHECK_TEXT, {}, {}],
    [
      'barcode 1 with Code 128’s AIM identifier ]C0, a programmed prefix X and Tab',
      `X]C0${CHECK_TEXT}`,
      { suffix: 'Tab' },
      { suffix: 'Tab', suffixKeys: ['Tab'], prefix: 'X', aim: 'C0' },
    ],
    ['barcode 1 ended by Tab then Enter', CHECK_TEXT, { suffix: 'Tab Enter' }, { suffix: 'Tab', suffixKeys: ['Tab', 'Enter'] }],
    ['barcode 1 with no suffix', CHECK_TEXT, { suffix: 'none' }, { suffix: 'none', suffixKeys: [] }],
    ['barcode 1 on a French computer', CHECK_TEXT, { layout: 'fr' }, { layouts: ['fr'] }],
    ['barcode 1 on a German computer', CHECK_TEXT, { layout: 'de' }, { layouts: ['de'] }],
    ["barcode 1 on a Swedish computer (; and ' type ö and ä)", CHECK_TEXT, { layout: 'se' }, { layouts: ['se'] }],
    ["barcode 1 on a Norwegian computer (; and ' type ø and æ)", CHECK_TEXT, { layout: 'no' }, { layouts: ['no'] }],
    ["barcode 1 on a Danish computer (; and ' type æ and ø)", CHECK_TEXT, { layout: 'dk' }, { layouts: ['dk'] }],
    [
      'barcode 1 on a French computer with ]C0 and Tab',
      `]C0${CHECK_TEXT}`,
      { layout: 'fr', suffix: 'Tab' },
      { layouts: ['fr'], aim: 'C0', suffix: 'Tab', suffixKeys: ['Tab'] },
    ],
    ['barcode 2 with ]C1, GS as Ctrl+]', BARCODE_2, {}, { barcode: 2, aim: 'C1', gs: 'ctrl' }],
    ['barcode 2 with ]C1, GS as the character', BARCODE_2, { gsAs: 'char' }, { barcode: 2, aim: 'C1', gs: 'char' }],
    ['barcode 2 with ]C1, GS as the substitute ~', BARCODE_2.replace(GS, '~'), {}, { barcode: 2, aim: 'C1', gs: 'substitute', gsSubstitute: '~' }],
    ['barcode 2 with ]C1, GS dropped', BARCODE_2.replace(GS, ''), {}, { barcode: 2, aim: 'C1', gs: 'missing' }],
    ['barcode 2 without an AIM identifier, GS as Ctrl+]', CHECK_GS1.elements, {}, { barcode: 2, gs: 'ctrl' }],
    ['barcode 2 on a French computer, GS as Ctrl+]', BARCODE_2, { layout: 'fr' }, { barcode: 2, aim: 'C1', gs: 'ctrl', layouts: ['fr'] }],
    ['an unrelated text', 'JJD00012345678901', {}, { barcode: null, layouts: null }],
  ])('%s', (_name, sent, options, finding) => {
    expect(analyzeCheckScan(sheetScan(sent, options))).toEqual({ ...CLEAN, ...finding });
  });

  // Barcode 2's digits and letters are typed unchanged on these layouts, but its ]C1 is not (+C1 on
  // QWERTZ, ¨C1 on the Nordic layouts, where ] is a dead key): the AIM identifier tells the layout.
  it.each(['de', 'se', 'no', 'dk'] as const)(
    'barcode 2 with ]C1 on a %s computer: the AIM identifier is read through the layout, not taken for a prefix',
    (layout) => {
      const finding = analyzeCheckScan(sheetScan(BARCODE_2, { layout }));
      expect(finding).toMatchObject({ barcode: 2, aim: 'C1', prefix: '', trailer: '', gs: 'ctrl' });
      expect(finding.layouts).toContain(layout);
    },
  );

  it('barcode 2 with ]C1 and the substitute ~ on a German computer: the substitute is the scanner’s ~, not the ° QWERTZ types for it', () => {
    expect(analyzeCheckScan(sheetScan(BARCODE_2.replace(GS, '~'), { layout: 'de' }))).toMatchObject({
      barcode: 2,
      aim: 'C1',
      prefix: '',
      layouts: ['de'],
      gs: 'substitute',
      gsSubstitute: '~',
    });
  });

  it('a slow scanner, about 60 ms a key, is measured so (slower than a scanner is taken to be)', () => {
    const finding = analyzeCheckScan(sheetScan(CHECK_TEXT, { intervals: [57, 63, 58, 62, 60] }));
    expect(finding).toMatchObject({ barcode: 1, layouts: [], suffix: 'Enter' });
    expect(finding.msPerKey).toBeGreaterThan(58);
    expect(finding.msPerKey).toBeLessThan(62);
    expect(finding.msPerKey).toBeGreaterThan(SCANNER_MS_PER_KEY);
  });

  it('the sheet’s barcode 1 types differently on each layout, so each layout is told apart', () => {
    const typed = (['us', 'fr', 'de', 'se', 'no', 'dk'] as const).map((layout) => sheetScan(CHECK_TEXT, { layout }).text);
    expect(new Set(typed).size).toBe(typed.length);
  });
});
