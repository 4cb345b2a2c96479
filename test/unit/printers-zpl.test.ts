import { describe, expect, it } from 'vitest';
import { isPrinterHost } from '../../src/printers/schemas.js';
import { code128Data, dots, fieldData, labelZpl } from '../../src/printers/zpl.js';
import { translator } from '../../src/i18n/index.js';
import type { DocOrder, Seller } from '../../src/documents/model.js';

describe('ZPL field data', () => {
  it.each([
    ['Åsa Łódź', 'Åsa Łódź'],
    ['a^b~c_d', 'a_5Eb_7Ec_5Fd'],
    ['line\nbreak\u0007', 'linebreak'],
  ])('%j is written %j after ^FH_', (text, zpl) => expect(fieldData(text)).toBe(zpl));
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
  it.each(['192.168.1.50', 'zebra-1', 'zebra-1.lager.lan', 'ZEBRA.lan.', 'fd00::50', '[fd00::50]', '::1'])('%s is a host', (host) => expect(isPrinterHost(host)).toBe(true));
  it.each(['http://zebra-1', 'zebra-1:9100', 'zebra-1/print', 'user@zebra', '192.168.1.300', '1.2.3', 'zebra 1', '-zebra', 'zebra_1', '', 'fd00::zz'])('%j is not', (host) =>
    expect(isPrinterHost(host)).toBe(false),
  );
});

describe('the label', () => {
  const order = { code: '1234567897', customerName: 'Åsa', shipTo: { line1: 'Gata 1', line2: null, postalCode: '111 22', city: 'Stockholm', country: 'SE' } } as DocOrder;
  const seller = { name: 'Nordlager AB', address: 'Storgatan 1' } as Seller;
  it('is one UTF-8 label of 100 × 150 mm with one copy, the SSCC with FNC1 and 0.5 mm modules at both resolutions', () => {
    const at = (dpi: 203 | 300) => labelZpl({ order, seller, parcel: { parcelId: '373500000000000427', index: 1, of: 1 }, t: translator('en') }, dpi);
    for (const [dpi, module] of [[203, 4], [300, 6]] as const) {
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
