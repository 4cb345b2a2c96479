import { describe, expect, it } from 'vitest';
import { gtinVariants, parseElementString, readItemScan, splitCount } from '../../src/domain/item-scan.js';

const GS = '\x1D';

// Examples from the GS1 General Specifications (release 24.0): the GTIN 09501101020917 and SSCC
// 095011015300000057 are GS1's own example numbers (section 2 and figure 5.4.2-1); the element
// strings follow the examples of section 5.4.7 (concatenation, FNC1 after a variable-length field).
describe('reading an item barcode (GS1 General Specifications examples)', () => {
  it.each([
    ['EAN-13', '5901234123457', '05901234123457'],
    ['EAN-8', '96385074', '00000096385074'],
    ['UPC-A', '036000291452', '00036000291452'],
    ['GTIN-14', '09501101020917', '09501101020917'],
  ])('%s %s is GTIN %s', (_kind, code, gtin) => {
    expect(readItemScan(code)).toEqual({ kind: 'gtin', gtin });
  });

  it('a GTIN whose check digit does not match is refused, never taken for another', () => {
    expect(readItemScan('5901234123458')).toEqual({ kind: 'invalid', reason: 'check_digit' });
    expect(readItemScan('(01)09501101020918')).toEqual({ kind: 'invalid', reason: 'check_digit' });
  });

  it('GS1-128 as a scanner sends it: ]C1, FNC1 as GS after variable-length fields', () => {
    expect(readItemScan(`]C101095011010209171719050810ABCD1234${GS}2110`)).toEqual({ kind: 'gtin', gtin: '09501101020917', expiry: '190508', batch: 'ABCD1234', serial: '10' });
  });

  it('GS1 DataMatrix (]d2) with the serial first and the batch last', () => {
    expect(readItemScan(`]d2010950110102091721123456789012${GS}17250630${'10'}LOT-7`)).toEqual({ kind: 'gtin', gtin: '09501101020917', serial: '123456789012', expiry: '250630', batch: 'LOT-7' });
  });

  it('a leading FNC1 without a symbology identifier, and a net weight (3103) between', () => {
    expect(readItemScan(`${GS}0109501101020917310300125010B-1`)).toEqual({ kind: 'gtin', gtin: '09501101020917', batch: 'B-1' });
  });

  it('the human-readable form with brackets', () => {
    expect(readItemScan('(01)09501101020917(17)190508(10)ABCD1234(21)10')).toEqual({ kind: 'gtin', gtin: '09501101020917', expiry: '190508', batch: 'ABCD1234', serial: '10' });
  });

  it('an SSCC (00) alone has no GTIN: not an item', () => {
    expect(readItemScan(`]C100095011015300000057`)).toEqual({ kind: 'invalid', reason: 'element_string' });
  });

  it('anything else is text: a SKU', () => {
    expect(readItemScan('TENT-2P')).toEqual({ kind: 'text', text: 'TENT-2P' });
    expect(readItemScan('JJD00012345678901')).toEqual({ kind: 'text', text: 'JJD00012345678901' });
  });

  it('element strings: unknown AIs and short fixed fields are refused', () => {
    expect(parseElementString('0109501101020917')).toEqual(new Map([['01', '09501101020917']]));
    expect(parseElementString('01095011010209')).toBeNull();
    expect(parseElementString('5509501101020917')).toBeNull();
    expect(parseElementString(`10${'X'.repeat(21)}`)).toBeNull();
  });

  it('a product barcode may be stored as EAN-13, UPC-A or EAN-8', () => {
    expect(gtinVariants('05901234123457')).toEqual(['05901234123457', '5901234123457']);
    expect(gtinVariants('00000096385074')).toEqual(['00000096385074', '0000096385074', '000096385074', '96385074']);
  });

  it('a keyed count before the scan: 5*code', () => {
    expect(splitCount('5*5901234123457')).toEqual({ quantity: 5, code: '5901234123457' });
    expect(splitCount('12 x TENT')).toEqual({ quantity: 12, code: 'TENT' });
    expect(splitCount('5901234123457')).toEqual({ quantity: 1, code: '5901234123457' });
    expect(splitCount('0*X')).toEqual({ quantity: 1, code: '0*X' });
  });
});
