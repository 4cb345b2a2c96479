import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { gs1CheckDigit } from '../../src/domain/gtin.js';
import { readItemScan } from '../../src/domain/item-scan.js';
import { dammCheckDigit } from '../../src/domain/order-code.js';
import { normalizeParcelId } from '../../src/domain/parcel-id.js';
import { GS, LAYOUTS, readScan, type LayoutId, type ReadOptions, type ScanReading } from '../../src/domain/scan-input.js';
import { commandIn } from '../../src/domain/station-command.js';
import { scanStrokes } from '../browser/scanner.js';

// What a scan reads as. Layout-typed texts are made by the xkb reference (test/browser/scanner.ts's
// key events, read from Debian's xkb data), never by the reader's own table.

const SCANNER: ReadOptions = { source: 'scanner' };

/** Order code 4839201753: nine digits and their Damm check digit. */
const ORDER = '483920175' + dammCheckDigit('483920175');
/** SSCC 095011015300000058 (GS1's company prefix 0950110, its check digit computed). */
const SSCC = '09501101530000005' + gs1CheckDigit('09501101530000005');
const EAN13 = '7350053850019';
const EAN8 = '96385074';
const GTIN14 = '09501101020917';
/** GTIN, batch LOT7, FNC1, serial SER1: barcode 2 of the scanner check sheet. */
const ELEMENTS = `01${GTIN14}10LOT7${GS}21SER1`;

/**
 * What a field receives when a US-set scanner types `text` on a computer with `layout`: the text of
 * each keyDown and char event, and GS where Ctrl+] came (as the station's scan field inserts it).
 */
function typedOn(layout: LayoutId | 'us', text: string): string {
  let out = '';
  for (const stroke of scanStrokes(text, { layout, suffix: 'none' })) {
    for (const event of stroke) {
      if ((event.type === 'keyDown' || event.type === 'char') && event.text) out += event.text;
      if (event.type === 'rawKeyDown' && event.code === 'BracketRight' && (event.modifiers ?? 0) & 2) out += GS;
    }
  }
  return out;
}

/** The characters codes are made of (as the reader calls them plain): a text of only these shows no layout. */
const PLAIN = /^[A-Za-z0-9 ._/*\x1D-]*$/;

const taken = (value: string, more: Partial<Extract<ScanReading, { ok: true }>> = {}): ScanReading => ({
  ok: true,
  value,
  gs1: false,
  aim: null,
  layouts: null,
  checked: null,
  ...more,
});

describe('a scan as the scanner sent it: suffix, spaces, AIM identifier, GS', () => {
  it.each<[string, string, ReadOptions, ScanReading]>([
    ['an order code ended by Enter', `${ORDER}\r`, SCANNER, taken(ORDER, { checked: 'order_code' })],
    ['an order code ended by Tab', `${ORDER}\t`, SCANNER, taken(ORDER, { checked: 'order_code' })],
    ['an order code ended by CR LF', `${ORDER}\r\n`, SCANNER, taken(ORDER, { checked: 'order_code' })],
    ['an order code ended by Tab then Enter', `${ORDER}\t\r`, SCANNER, taken(ORDER, { checked: 'order_code' })],
    ['an order code with spaces around it', `  ${ORDER}  \r`, SCANNER, taken(ORDER, { checked: 'order_code' })],
    ['a parcel ID with no suffix at all', 'JJD00012345678901', SCANNER, taken('JJD00012345678901')],
    [
      'an order code from Code 128 with its AIM identifier ]C0 opens as the order code, not a parcel ID',
      `]C0${ORDER}\r`,
      SCANNER,
      taken(ORDER, { aim: 'C0', checked: 'order_code' }),
    ],
    ['an EAN-13 with ]E0', `]E0${EAN13}\r`, SCANNER, taken(EAN13, { aim: 'E0', checked: 'gtin' })],
    ['an EAN-8 with ]E4', `]E4${EAN8}\r`, SCANNER, taken(EAN8, { aim: 'E4', checked: 'gtin' })],
    ['a GTIN-14 from ITF-14 with ]I1', `]I1${GTIN14}\r`, SCANNER, taken(GTIN14, { aim: 'I1', checked: 'gtin' })],
    [
      'an SSCC label in GS1-128 (]C1 00 SSCC) reads as the SSCC’s element string',
      `]C100${SSCC}\r`,
      SCANNER,
      taken(`00${SSCC}`, { gs1: true, aim: 'C1', checked: 'sscc' }),
    ],
    ['a bare SSCC', `${SSCC}\r`, SCANNER, taken(SSCC, { checked: 'sscc' })],
    ['GS1-128 (]C1): GS kept between batch and serial', `]C1${ELEMENTS}\r`, SCANNER, taken(ELEMENTS, { gs1: true, aim: 'C1', checked: 'gs1' })],
    ['GS1 DataMatrix (]d2)', `]d2${ELEMENTS}\r`, SCANNER, taken(ELEMENTS, { gs1: true, aim: 'd2', checked: 'gs1' })],
    ['GS1 QR (]Q3)', `]Q3${ELEMENTS}\r`, SCANNER, taken(ELEMENTS, { gs1: true, aim: 'Q3', checked: 'gs1' })],
    ['GS1 DataBar (]e0)', `]e0${ELEMENTS}\r`, SCANNER, taken(ELEMENTS, { gs1: true, aim: 'e0', checked: 'gs1' })],
    ['GS1 DotCode (]J1)', `]J1${ELEMENTS}\r`, SCANNER, taken(ELEMENTS, { gs1: true, aim: 'J1', checked: 'gs1' })],
    ['an element string led by FNC1 as GS, no AIM identifier', `${GS}${ELEMENTS}\r`, SCANNER, taken(ELEMENTS, { gs1: true, checked: 'gs1' })],
    ['a GS at the end (FNC1 after the last element) is dropped', `]C1${ELEMENTS}${GS}\r`, SCANNER, taken(ELEMENTS, { gs1: true, aim: 'C1', checked: 'gs1' })],
    ['plain Code 128 (]C0) holding an element string is not GS1 data', `]C001${GTIN14}\r`, SCANNER, taken(`01${GTIN14}`, { aim: 'C0', checked: 'gs1' })],
    [
      'GS sent as the shop’s substitute ~',
      `]C1${ELEMENTS.replace(GS, '~')}\r`,
      { source: 'scanner', gsSubstitute: '~' },
      taken(ELEMENTS, { gs1: true, aim: 'C1', checked: 'gs1' }),
    ],
    [
      'GS sent as the shop’s substitute <GS>, leading FNC1 too',
      `<GS>${ELEMENTS.replace(GS, '<GS>')}\r`,
      { source: 'scanner', gsSubstitute: '<GS>' },
      taken(ELEMENTS, { gs1: true, checked: 'gs1' }),
    ],
    // Kept as they came, and GS1 allows no ~ in a batch: no check digit proves them as GS1 data.
    [
      'the camera’s text keeps ~: the substitute is a scanner’s',
      `]C1${ELEMENTS.replace(GS, '~')}`,
      { source: 'camera', gsSubstitute: '~' },
      taken(`01${GTIN14}10LOT7~21SER1`, { gs1: true, aim: 'C1', checked: null }),
    ],
    [
      'a person’s typing keeps ~ and the AIM identifier: taken as typed',
      `]C1${ELEMENTS.replace(GS, '~')}`,
      { source: 'manual', gsSubstitute: '~' },
      taken(`]C1${ELEMENTS.replace(GS, '~')}`, { checked: null }),
    ],
  ])('%s', (_name, raw, options, reading) => {
    expect(readScan(raw, options)).toEqual(reading);
  });

  it('an SSCC label’s value names the SSCC as a parcel ID', () => {
    const reading = readScan(`]C100${SSCC}\r`, SCANNER);
    expect(reading.ok && normalizeParcelId(reading.value)).toBe(SSCC);
  });
});

describe('(10)LOT7 GS (21)SER1: batch and serial stay apart', () => {
  /** What the item reader makes of a scan read by readScan: GS in front when it is GS1 data. */
  const item = (raw: string, options: ReadOptions) => {
    const reading = readScan(raw, options);
    if (!reading.ok) throw new Error(`refused: ${JSON.stringify(reading)}`);
    return readItemScan(reading.gs1 ? GS + reading.value : reading.value);
  };
  const LOT7_SER1 = { kind: 'gtin', gtin: GTIN14, batch: 'LOT7', serial: 'SER1' };

  it.each<[string, string, ReadOptions]>([
    ['GS as Ctrl+]', `]C1${ELEMENTS}\r`, SCANNER],
    ['GS as the substitute ~', `]C1${ELEMENTS.replace(GS, '~')}\r`, { source: 'scanner', gsSubstitute: '~' }],
    ['a leading FNC1 and GS', `${GS}${ELEMENTS}\t`, SCANNER],
    ['from the camera', `]C1${ELEMENTS}`, { source: 'camera' }],
    ['on a French computer', `${typedOn('fr', `]C1${ELEMENTS}`)}\r`, SCANNER],
    ['on a Swedish computer', `${typedOn('se', `]C1${ELEMENTS}`)}\r`, SCANNER],
  ])('%s', (_name, raw, options) => {
    expect(item(raw, options)).toEqual(LOT7_SER1);
  });

  it('without the GS the serial runs into the batch (what the scanner check warns of)', () => {
    expect(item(`]C1${ELEMENTS.replace(GS, '')}\r`, SCANNER)).toEqual({ kind: 'gtin', gtin: GTIN14, batch: 'LOT721SER1' });
  });
});

// ---- round trips through the xkb reference ----

const digits = (n: number) => fc.stringMatching(new RegExp(`^\\d{${n}}$`));
const withGs1Check = (n: number) => digits(n - 1).map((body) => body + gs1CheckDigit(body));
const orderCodes = fc.tuple(fc.integer({ min: 1, max: 9 }), digits(8)).map(([first, rest]) => `${first}${rest}${dammCheckDigit(`${first}${rest}`)}`);
/** Batches and serials: letters of both cases (those AZERTY and QWERTZ move among them), digits, - / . */
const lot = fc.stringMatching(/^[A-Za-z0-9./-]{1,12}$/);
const elementStrings = fc.tuple(withGs1Check(14), lot, lot).map(([gtin, batch, serial]) => `01${gtin}10${batch}${GS}21${serial}`);

/** Kinds of code, how each is generated, the prefixes scanners put before it, and whether it is GS1 data. */
const CODES: [string, fc.Arbitrary<string>, string[], boolean][] = [
  ['order code', orderCodes, ['', ']C0', ']E0'], false],
  ['EAN-13', withGs1Check(13), ['', ']E0', ']C0'], false],
  ['EAN-8', withGs1Check(8), ['', ']E4'], false],
  ['GTIN-14', withGs1Check(14), ['', ']I1', ']C0'], false],
  ['SSCC', withGs1Check(18), ['', ']C0'], false],
  ['SSCC element string', withGs1Check(18).map((sscc) => `00${sscc}`), [']C1', ']d2', GS], true],
  ['GS1 element string with batch and serial', elementStrings, [']C1', ']d2', ']Q3', ']e0', ']J1', GS], true],
];

/**
 * A US-set scanner sends `prefix + code` on `layout`; the reading gives back the code (value, GS1,
 * AIM). Read through the layout when the layout changed it; as is when it did not; and, when the
 * layout typed it as other characters codes are made of, as typed: nothing in it shows the layout.
 */
function expectRoundTrip(layout: LayoutId, prefix: string, code: string, gs1: boolean) {
  const sent = prefix + code;
  const typed = typedOn(layout, sent);
  const reading = readScan(`${typed}\r`, SCANNER);
  const aim = prefix.startsWith(']') ? prefix.slice(1) : null;
  const context = `${layout}: US ${JSON.stringify(sent)} typed ${JSON.stringify(typed)}`;
  if (typed === sent) {
    expect(reading, context).toMatchObject({ ok: true, value: code, gs1, aim, layouts: null });
  } else if (PLAIN.test(typed)) {
    // The limit of any reader: see 'what a layout types as other plain characters' below.
    expect(reading, context).toMatchObject({ ok: true, value: typed.replace(/^\x1D+/, ''), layouts: null });
  } else if (gs1 && !prefix.startsWith(']') && typed.startsWith(sent.slice(0, prefix.length + 16))) {
    // The GTIN arrived unchanged and its check digit passes as typed: it proves nothing about the
    // batch or serial the layout changed, so the reading is refused with what it would have been.
    expect(reading, context).toMatchObject({ ok: false, problem: 'layout', reading: code });
    expect(!reading.ok && reading.layouts, context).toContain(layout);
  } else {
    expect(reading, context).toMatchObject({ ok: true, value: code, gs1, aim });
    expect(reading.ok && reading.layouts, context).toContain(layout);
  }
}

describe.each(LAYOUTS)('a US-set scanner on a %s computer: codes with a check digit come back', (layout) => {
  it.each(
    CODES.flatMap(([kind, codes, prefixes, gs1]) =>
      prefixes.map((prefix) => [kind, JSON.stringify(prefix).slice(1, -1) || 'no prefix', codes, prefix, gs1] as const),
    ),
  )('%s, %s', (_kind, _prefixName, codes, prefix, gs1) => {
    fc.assert(
      fc.property(codes, (code) => expectRoundTrip(layout, prefix, code, gs1)),
      { seed: 20_260_517, numRuns: 60 },
    );
  });

  it('a GS1 string led by GS whose batch has a dash: read back where the GTIN changed too, else refused with the reading', () => {
    const sent = `${GS}01${GTIN14}10LOT-7${GS}21SER1`;
    const typed = typedOn(layout, sent);
    if (layout === 'fr') {
      // AZERTY types the GTIN's digits as symbols: its check digit proves the reading.
      expect(readScan(`${typed}\r`, SCANNER)).toMatchObject({ ok: true, value: sent.slice(1), gs1: true, aim: null, layouts: ['fr'] });
    } else {
      // The digits arrive unchanged, so the check digit passes as typed and proves nothing about `-`.
      expect(readScan(`${typed}\r`, SCANNER)).toMatchObject({
        ok: false,
        problem: 'layout',
        reading: sent.slice(1),
        layouts: expect.arrayContaining([layout]),
      });
    }
  });

  it('digits alone: the Nordic and German layouts type them unchanged, AZERTY types symbols', () => {
    const typed = typedOn(layout, ORDER);
    if (layout === 'fr') {
      expect(typed).not.toBe(ORDER);
      expect(readScan(typed, SCANNER)).toEqual(taken(ORDER, { layouts: ['fr'], checked: 'order_code' }));
    } else {
      expect(typed).toBe(ORDER);
      expect(readScan(typed, SCANNER)).toEqual(taken(ORDER, { checked: 'order_code' }));
    }
  });
});

describe('codes without a check digit typed on a mismatched layout are refused, with what they would read', () => {
  it.each<[string, string, LayoutId, string, LayoutId[]]>([
    ['a DHL parcel ID on a French computer', 'JJD13456813', 'fr', 'JJD&"\'(-_&"', ['fr']],
    ['a SKU with a dash on a Swedish computer (Norwegian and Danish type the same)', 'ABC-123', 'se', 'ABC+123', ['se', 'no', 'dk']],
    ['a SKU with a dash on a German computer', 'ABC-123', 'de', 'ABCß123', ['de']],
    ['a SKU with a dash on a French computer', 'TENT-2P', 'fr', 'TENT)éP', ['fr']],
    ['a location with a dash on a German computer (Y and Z swap too)', 'ZONE-4', 'de', 'YONEß4', ['de']],
    ['an AIM identifier before a SKU on a German computer', ']C0TENT-2P', 'de', '+C0TENTß2P', ['de']],
  ])('%s', (_name, sent, layout, typed, layouts) => {
    expect(typedOn(layout, sent)).toBe(typed);
    const reading = readScan(`${typed}\r`, SCANNER);
    expect(reading).toMatchObject({ ok: false, problem: 'layout', reading: sent.replace(/^\][A-Za-z][0-9A-Za-z]/, ''), layouts });
  });

  it('national letters nothing explains are refused as characters', () => {
    expect(readScan('Größe\r', SCANNER)).toMatchObject({ ok: false, problem: 'characters', layouts: [], chars: 'öß' });
  });
});

describe('never an OK reading that holds what only a layout mismatch types', () => {
  it.each(LAYOUTS)('%s: a code of A–Z 0–9 - / . is refused, read back, or (typed as other plain characters) taken as typed', (layout) => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Z0-9./-]{1,16}$/), (code) => {
        const typed = typedOn(layout, code);
        const reading = readScan(`${typed}\r`, SCANNER);
        if (!reading.ok) return;
        expect(reading.value, `${layout}: ${JSON.stringify(code)} typed ${JSON.stringify(typed)}`).toMatch(PLAIN);
        // Read as other characters only when it was typed as other plain characters, and then as typed.
        if (reading.value !== code)
          expect({ typed, plain: PLAIN.test(typed), reading }).toMatchObject({ plain: true, reading: { value: typed, layouts: null } });
      }),
      { seed: 4_242, numRuns: 2_000 },
    );
  });

  // No reader can tell these from the code they look like: every character is one codes are made
  // of, and no check digit is involved. Listed so that the limit is known, not discovered.
  it.each<[string, LayoutId, string, string]>([
    ['AZERTY swaps A and Q', 'fr', 'QA', 'AQ'],
    ['AZERTY swaps Z and W', 'fr', 'ZW', 'WZ'],
    ['AZERTY types 8 and 6 as _ and -', 'fr', '86', '_-'],
    ['QWERTZ swaps Y and Z', 'de', 'BAY1', 'BAZ1'],
    ['QWERTZ types / as -', 'de', 'A/12', 'A-12'],
    ['Swedish types / as -', 'se', 'AB/12', 'AB-12'],
    ['Norwegian types / as -', 'no', 'AB/12', 'AB-12'],
    ['Danish types / as -', 'dk', 'AB/12', 'AB-12'],
  ])('what a layout types as other plain characters: %s (%s %j → %j)', (_name, layout, sent, typed) => {
    expect(typedOn(layout, sent)).toBe(typed);
    expect(typed).toMatch(PLAIN);
    expect(readScan(`${typed}\r`, SCANNER)).toEqual(taken(typed));
  });

  it('a GS1 string led by GS on a German computer with y in its batch: the GTIN’s check digit passes, the batch comes with z', () => {
    const sent = `${GS}01${GTIN14}10LOTy${GS}21SER1`;
    const typed = typedOn('de', sent);
    expect(typed).toBe(`${GS}01${GTIN14}10LOTz${GS}21SER1`);
    expect(readScan(`${typed}\r`, SCANNER)).toEqual(taken(typed.slice(1), { gs1: true, checked: 'gs1' }));
  });
});

describe('a person’s typing and the camera’s text', () => {
  it.each<[string, string, ReadOptions, ScanReading]>([
    ['a person types ABC+123: taken as typed', 'ABC+123', { source: 'manual' }, taken('ABC+123')],
    ['a person types on AZERTY what looks like a scanner’s mistake: taken as typed', 'JJD&"\'(-_&"', { source: 'manual' }, taken('JJD&"\'(-_&"')],
    ['a person types an order code', `${ORDER}\r`, { source: 'manual' }, taken(ORDER, { checked: 'order_code' })],
    ['the camera decodes ABC+123: no layout involved', 'ABC+123', { source: 'camera' }, taken('ABC+123')],
    ['the camera decodes a French-looking text: no layout involved', 'JJD&"\'(-_&"', { source: 'camera' }, taken('JJD&"\'(-_&"')],
    ['the camera’s AIM identifier and GS are read', `]C1${ELEMENTS}`, { source: 'camera' }, taken(ELEMENTS, { gs1: true, aim: 'C1', checked: 'gs1' })],
  ])('%s', (_name, raw, options, reading) => {
    expect(readScan(raw, options)).toEqual(reading);
  });
});

describe('a keyed count before the scan', () => {
  it.each<[string, LayoutId | 'us', LayoutId[] | null]>([
    ['5* and an EAN on a US computer', 'us', null],
    ['5* and an EAN typed on AZERTY', 'fr', ['fr']],
    ['5* and an EAN on a German computer (digits unchanged)', 'de', null],
  ])('%s reads as 5*<EAN>', (_name, layout, layouts) => {
    expect(readScan(`5*${typedOn(layout, EAN13)}\r`, SCANNER)).toEqual(taken(`5*${EAN13}`, { layouts }));
  });
});

describe('station command barcodes (commandIn)', () => {
  it.each<[string, string, 'scanner' | 'manual', string | undefined]>([
    ['REPORT IN from a scanner', 'REPORT IN', 'scanner', 'REPORT IN'],
    ['report-in from a scanner', 'report-in', 'scanner', 'REPORT IN'],
    ['FETCH PARCEL ID with Code 128’s ]C0', ']C0FETCH PARCEL ID', 'scanner', 'FETCH PARCEL ID'],
    ['FETCH PARCEL ID typed on AZERTY (A and Q swap)', typedOn('fr', 'FETCH PARCEL ID'), 'scanner', 'FETCH PARCEL ID'],
    ['NEW PARCEL typed on AZERTY with ]C0', typedOn('fr', ']C0NEW PARCEL'), 'scanner', 'NEW PARCEL'],
    ['PARTIAL typed on QWERTZ with ]C0', typedOn('de', ']C0PARTIAL'), 'scanner', 'PARTIAL'],
    ['SHIP CHECKED typed on a Swedish computer with ]C0 (] is a dead key)', typedOn('se', ']C0SHIP CHECKED'), 'scanner', 'SHIP CHECKED'],
    ['a person typing FETCH PQRCEL ID: taken as typed, no command', 'FETCH PQRCEL ID', 'manual', undefined],
    ['a parcel ID', 'JJD00012345678901', 'scanner', undefined],
    ['an order code', ORDER, 'scanner', undefined],
    ['HELLO WORLD', 'HELLO WORLD', 'scanner', undefined],
    ['REPORT IN NOW', 'REPORT IN NOW', 'scanner', undefined],
    ['an empty scan', '\r', 'scanner', undefined],
  ])('%s', (_name, raw, source, command) => {
    expect(commandIn(raw, source)).toBe(command);
  });

  it('a text with a digit in it is never a command, whatever layout it is read through', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z _-]{0,12}$/), fc.stringMatching(/^\d$/), fc.stringMatching(/^[A-Za-z _-]{0,12}$/), (before, digit, after) => {
        expect(commandIn(before + digit + after, 'scanner')).toBeUndefined();
      }),
      { seed: 7, numRuns: 500 },
    );
  });
});
