import { describe, expect, it } from 'vitest';
import { gtinVariants, invalidScanParams, readItemScan, splitCount } from '../../src/domain/item-scan.js';

const GS = '\x1D';

// Examples from the GS1 General Specifications (release 24.0): the GTIN 09501101020917 is GS1's own
// example number (section 2), given an SSCC with its check digit (095011015300000058); the element
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
    expect(readItemScan(`]C101095011010209171719050810ABCD1234${GS}2110`)).toEqual({
      kind: 'gtin',
      gtin: '09501101020917',
      expiry: '190508',
      batch: 'ABCD1234',
      serial: '10',
    });
  });

  it('GS1 DataMatrix (]d2) with the serial first and the batch last', () => {
    expect(readItemScan(`]d2010950110102091721123456789012${GS}17250630${'10'}LOT-7`)).toEqual({
      kind: 'gtin',
      gtin: '09501101020917',
      serial: '123456789012',
      expiry: '250630',
      batch: 'LOT-7',
    });
  });

  it('a leading FNC1 without a symbology identifier, and a net weight (3103) between', () => {
    expect(readItemScan(`${GS}0109501101020917310300125010B-1`)).toEqual({ kind: 'gtin', gtin: '09501101020917', batch: 'B-1' });
  });

  it('the human-readable form with brackets', () => {
    expect(readItemScan('(01)09501101020917(17)190508(10)ABCD1234(21)10')).toEqual({
      kind: 'gtin',
      gtin: '09501101020917',
      expiry: '190508',
      batch: 'ABCD1234',
      serial: '10',
    });
  });

  it('an SSCC (00) alone has no GTIN: not an item', () => {
    expect(readItemScan(`]C100095011015300000058`)).toEqual({ kind: 'invalid', reason: 'element_string', problem: 'no_gtin' });
  });

  it('anything else is text: a SKU', () => {
    expect(readItemScan('TENT-2P')).toEqual({ kind: 'text', text: 'TENT-2P' });
    expect(readItemScan('JJD00012345678901')).toEqual({ kind: 'text', text: 'JJD00012345678901' });
  });

  // The findings GS1's Barcode Syntax Engine disagreed with: the reader is the GS1 module (gs1/).
  it.each([
    ['company internal (91) and (99)', '(01)09501101020917(91)ABC(99)X-1'],
    ['third-party controlled serial (235)', '(01)09501101020917(235)ABC123'],
    ['ship to (410)', '(01)09501101020917(410)9501101020917'],
    ['country of origin (422)', '(01)09501101020917(422)752'],
    ['expiry date and time (7003)', '(01)09501101020917(7003)2501311230'],
    ['a net weight (3103) as an element string', `]C1010950110102091731030001251${'0'}B-1`],
    ['29 February of a leap year', '(01)09501101020917(11)240229'],
  ])('valid GS1 is read: %s', (_what, code) => {
    expect(readItemScan(code)).toMatchObject({ kind: 'gtin', gtin: '09501101020917' });
  });

  it.each([
    ['month 13', '(01)09501101020917(17)251301', 'bad_date', '17'],
    ['day 32', '(01)09501101020917(17)250132', 'bad_date', '17'],
    ['29 February 2025', '(01)09501101020917(11)250229', 'bad_date', '11'],
    ['a character outside set 82', '(01)09501101020917(10)AB#', 'bad_character', '10'],
    ['an over-long bracketed batch (no made-up serial)', '(01)09501101020917(10)ABCDEFGHIJKLMNOPQRST2199', 'bad_length', '10'],
    ['a repeated AI with another value', '(01)09501101020917(10)A(10)B', 'repeated_ai_conflict', '10'],
    ['a pair the specification forbids', '(01)09501101020917(02)09501101020917', 'invalid_pairing', '02'],
    ['an SSCC with a wrong check digit beside a valid (01)', '(00)095011015300000057(01)09501101020917', 'bad_check_digit', '00'],
    ['an impossible date as a scanner sends it', `]d201095011010209171725130110A${GS}21X`, 'bad_date', '17'],
  ])('invalid GS1 is refused with the rule it breaks: %s', (_what, code, problem, ai) => {
    const scan = readItemScan(code);
    expect(scan).toMatchObject({ kind: 'invalid', reason: 'element_string', problem, ai });
    expect(scan.kind === 'invalid' && invalidScanParams(scan)).toMatchObject({ problem, ai });
  });

  it('a required pairing names the AIs it needs; an unknown AI and an endless string are refused', () => {
    expect(readItemScan('(02)09501101020917')).toEqual({ kind: 'invalid', reason: 'element_string', problem: 'missing_required', ai: '02', detail: '(37)' });
    expect(readItemScan(`]C10109501101020917${'55'}ABC`)).toMatchObject({ kind: 'invalid', reason: 'element_string', problem: 'unknown_ai' });
    expect(readItemScan(`]C1${'1'.repeat(5000)}`)).toEqual({ kind: 'invalid', reason: 'element_string', problem: 'too_long' });
  });

  it('a SKU in brackets is text, not GS1', () => {
    expect(readItemScan('(ABC)-1')).toEqual({ kind: 'text', text: '(ABC)-1' });
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
