import { describe, expect, it } from 'vitest';
import { isPrinterHost } from '../../src/printers/schemas.js';
import {
  blockData,
  charsThatFit,
  code128Data,
  dots,
  DPIS,
  fieldData,
  labelZpl,
  LABEL_MM,
  TEST_LETTERS,
  TEST_LETTERS_MM,
  testLabelZpl,
} from '../../src/printers/zpl.js';
import { translator } from '../../src/i18n/index.js';
import type { DocOrder, Seller } from '../../src/documents/model.js';

describe('ZPL field data', () => {
  it.each([
    ['Åsa Łódź', 'Åsa Łódź'],
    ['a^b~c_d', 'a_5Eb_7Ec_5Fd'],
    ['line\nbreak\u0007', 'line break'],
    // A backslash is hex too: it is never next to `&` or `(` in what the printer reads.
    ['Gata 1 \\& 2 \\(x) \\\\', 'Gata 1 _5C& 2 _5C(x) _5C_5C'],
    // Every kind of line break is a space, never glue: "AnnaLund" was the bug.
    ['Anna\nLund', 'Anna Lund'],
    ['Anna\r\nLund', 'Anna Lund'],
    ['Anna\rLund', 'Anna Lund'],
    ['Anna\u2028Lund\u2029Berg\u0085Ek\tÖ', 'Anna Lund Berg Ek Ö'],
    ['  Anna \n\n Lund\n', 'Anna Lund'],
  ])('%j is written %j after ^FH_', (text, zpl) => expect(fieldData(text)).toBe(zpl));

  it('in a field block (centred or right-aligned text) a backslash is doubled, as ^FB prints one', () => {
    expect(blockData('AB\\&1^~_\n2')).toBe('AB\\\\&1_5E_7E_5F 2');
  });
});

describe('the test label', () => {
  it.each(DPIS)('shows every one of its letters at %i dpi: each line fits between the margins, none is cut', (dpi) => {
    const zpl = testLabelZpl({ name: 'Zebra', host: 'zebra-1.lan', port: 9100, dpi }, translator('en'));
    const width = dots(LABEL_MM.width - 8, dpi);
    for (const letters of TEST_LETTERS) {
      expect([...letters].length).toBeLessThanOrEqual(charsThatFit(width, dots(TEST_LETTERS_MM, dpi)));
      expect(zpl).toContain(`^FD${letters}^FS`);
    }
    expect(zpl).not.toContain('…');
    // Nordic and Polish letters, every one of them on the label.
    for (const letter of 'ÅÄÖåäöÆØæøŁłŻżŚśĆćŃńŹźĘęĄą') expect(zpl).toContain(letter);
  });
});

describe('Code 128 data for ^BC', () => {
  it.each([
    ['1234567890', {}, '>;1234567890'],
    ['00373500000000000427', { gs1: true }, '>;>800373500000000000427'],
    ['123', {}, '>:123'],
    ['JJD0001', {}, '>:JJD0001'],
    ['A>B^C~D_E', {}, '>:A>0B><C>=D_5FE'],
  ])('%j %j → %j', (data, opts, zpl) => expect(code128Data(data, opts)).toBe(zpl));
});

describe('dots', () => {
  it('100 × 150 mm at 203 and 300 dpi', () => {
    expect([dots(100, 203), dots(150, 203)]).toEqual([799, 1199]);
    expect([dots(100, 300), dots(150, 300)]).toEqual([1181, 1772]);
  });
});

describe('printer hosts', () => {
  it.each(['192.168.1.50', 'zebra-1', 'zebra-1.lager.lan', 'ZEBRA.lan.', 'fd00::50', '[fd00::50]', '::1'])('%s is a host', (host) =>
    expect(isPrinterHost(host)).toBe(true),
  );
  it.each(['http://zebra-1', 'zebra-1:9100', 'zebra-1/print', 'user@zebra', '192.168.1.300', '1.2.3', 'zebra 1', '-zebra', 'zebra_1', '', 'fd00::zz'])(
    '%j is not',
    (host) => expect(isPrinterHost(host)).toBe(false),
  );
});

describe('the label', () => {
  const order = {
    code: '1234567897',
    customerName: 'Åsa',
    shipTo: { line1: 'Gata 1', line2: null, postalCode: '111 22', city: 'Stockholm', country: 'SE' },
  } as DocOrder;
  const seller = { name: 'Nordlager AB', address: 'Storgatan 1' } as Seller;
  it('a name or address with line breaks, backslashes and ZPL’s own characters is one plain field a line, never a field block', () => {
    const odd = {
      code: '1234567897',
      customerName: 'Anna\nLund',
      shipTo: { line1: 'Gata \\& 1^XZ', line2: 'c/o ~JA_x', postalCode: '111 22', city: 'Stockholm', country: 'SE' },
    } as DocOrder;
    const zpl = labelZpl({ order: odd, seller, parcel: { parcelId: 'JJD0001', index: 1, of: 1 }, t: translator('en') }, 203);
    expect(zpl).toContain('^FDAnna Lund^FS');
    expect(zpl).toContain('^FDGata _5C& 1_5EXZ^FS');
    expect(zpl).toContain('^FDc/o _7EJA_5Fx^FS');
    expect(zpl.match(/\^XA/g)).toHaveLength(1);
    expect(zpl.match(/\^XZ/g)).toHaveLength(1);
    for (const field of zpl.split('\n').filter((l) => l.includes('^FB'))) expect(field).not.toMatch(/Anna|Gata|c\/o/);
  });
  it('is one UTF-8 label of 100 × 150 mm with one copy, the SSCC with FNC1 and 0.5 mm modules at both resolutions', () => {
    const at = (dpi: 203 | 300) => labelZpl({ order, seller, parcel: { parcelId: '373500000000000427', index: 1, of: 1 }, t: translator('en') }, dpi);
    for (const [dpi, module] of [
      [203, 4],
      [300, 6],
    ] as const) {
      const zpl = at(dpi);
      expect(zpl.match(/\^XA/g)).toHaveLength(1);
      expect(zpl).toMatch(/^\^XA\n\^CI28\n\^PW\d+\n\^LL\d+\n/);
      expect(zpl).toContain(`^BY${module}\n`);
      expect(zpl).toContain('^FD>;>800373500000000000427^FS');
      expect(zpl).toContain('^FD(00) 373500000000000427^FS');
      expect(zpl.trimEnd().endsWith('^PQ1\n^XZ')).toBe(true);
    }
  });
});
