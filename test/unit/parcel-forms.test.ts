import { describe, expect, it } from 'vitest';
import { matchesParcelPattern, parcelFormOf, parcelPatternProblem, s10CheckDigit } from '../../src/domain/parcel-id.js';

// The forms carriers print parcel IDs in (src/domain/parcel-id.ts). RR123456785SE is the usual
// example of a UPU S10 number; 1Z999AA10123456784 is UPS's published sample tracking number.
describe('parcel ID forms', () => {
  it('UPU S10: weights 8 6 4 2 3 5 9 7, 11 − sum mod 11, 10 → 0 and 11 → 5', () => {
    // 8·1 + 6·2 + 4·3 + 2·4 + 3·5 + 5·6 + 9·7 + 7·8 = 204 ≡ 6 (mod 11) → 11 − 6 = 5
    expect(s10CheckDigit('12345678')).toBe('5');
    // 7·1 = 7 → 4
    expect(s10CheckDigit('00000001')).toBe('4');
    // a sum ≡ 0 gives 11 → 5; 7·8 = 56 ≡ 1 gives 10 → 0
    expect(s10CheckDigit('00000000')).toBe('5');
    expect(s10CheckDigit('00000008')).toBe('0');
  });

  it.each([
    ['373500000000000017', 'sscc'],
    ['RR123456785SE', 'upu'],
    ['JJD00012345678901', 'dhl'],
    ['JVGL0612345678', 'dhl'],
    ['1Z999AA10123456784', 'ups'],
    ['1234567890', 'numeric'],
    ['7350053850019000000001', 'numeric'],
  ])('%s is %s', (id, form) => {
    expect(parcelFormOf(id)).toBe(form);
  });

  it.each([['RR123456784SE'], ['RR123456780SE']])('a postal number with a wrong check digit (%s) is named as such', (id) => {
    expect(parcelFormOf(id)).toBe('upu_check_digit');
  });

  it.each([['373500000000000018'], ['PARCEL-1'], ['123456789'], ['ABCDEFGHIJ'], ['JJD123'], ['12345678901234567890123']])('%s has no known form', (id) => {
    expect(parcelFormOf(id)).toBeNull();
  });

  it('a shop’s pattern matches the whole ID, never a part', () => {
    expect(matchesParcelPattern('IB1234567890', ['IB[0-9]{10}'])).toBe(true);
    expect(matchesParcelPattern('XIB1234567890', ['IB[0-9]{10}'])).toBe(false);
    expect(matchesParcelPattern('IB12345678901', ['IB[0-9]{10}'])).toBe(false);
    // An alternation is held whole too: "A|B" does not match "Ax".
    expect(matchesParcelPattern('IB1234567890X', ['IB[0-9]{10}|BUD[0-9]+'])).toBe(false);
  });

  it('a pattern is refused when it does not compile, is over-long, or takes anything', () => {
    expect(parcelPatternProblem('IB[0-9]{10}')).toBeNull();
    expect(parcelPatternProblem('IB[0-9')).toBe('invalid');
    expect(parcelPatternProblem('A'.repeat(201))).toBe('tooLong');
    expect(parcelPatternProblem('.*')).toBe('matchesEverything');
    expect(parcelPatternProblem('[A-Z0-9]+')).toBe('matchesEverything');
  });
});
