import { describe, expect, it } from 'vitest';
import { gs1CheckDigit, isValidGtin, looksLikeGtin } from '../../src/domain/gtin.js';
import { normalizeParcelId, parcelIdProblem } from '../../src/domain/parcel-id.js';
import { can, ROLES, CAPABILITIES } from '../../src/domain/permissions.js';

describe('GS1 check digits', () => {
  it('computes the SSCC example from the recipes', () => expect(gs1CheckDigit('37350000000000001')).toBe('7'));
  it.each(['7350000001006', '96385074', '012345678905', '10012345678902'])('%s is a valid GTIN', (c) => expect(isValidGtin(c)).toBe(true));
  it.each(['7350000001001', '96385075', 'ABC12345', '123'])('%s is not', (c) => expect(isValidGtin(c)).toBe(false));
  it('only GTIN-shaped codes are checked', () => {
    expect(looksLikeGtin('7350000001006')).toBe(true);
    expect(looksLikeGtin('INT-4711')).toBe(false);
  });
});

describe('parcel IDs', () => {
  it.each([
    ['  ABC123  ', 'ABC123'],
    ['(00)373500000000000017', '373500000000000017'],
    ['00373500000000000017', '373500000000000017'],
    ['\x1D00373500000000000017', '373500000000000017'],
  ])('normalizes %j', (input, out) => expect(normalizeParcelId(input)).toBe(out));

  it.each([
    ['', 'empty'],
    ['X'.repeat(36), 'too_long'],
    ['AB CD', 'not_printable'],
    ['ÅÄÖ', 'not_printable'],
    ['373500000000000018', 'sscc_check_digit'],
  ])('%j → %s', (id, problem) => expect(parcelIdProblem(id)).toBe(problem));

  it('accepts a valid SSCC and a carrier tracking number', () => {
    expect(parcelIdProblem('373500000000000017')).toBeNull();
    expect(parcelIdProblem('JJD000390007891234')).toBeNull();
  });
});

describe('roles', () => {
  it.each(Object.entries(CAPABILITIES))('%s needs at least %s', (capability, minimum) => {
    for (const role of ROLES) {
      expect(can(role, capability as keyof typeof CAPABILITIES)).toBe(ROLES.indexOf(role) >= ROLES.indexOf(minimum));
    }
  });
});
