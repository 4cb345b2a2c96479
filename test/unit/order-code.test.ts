import { describe, expect, it } from 'vitest';
import { dammCheckDigit, generateOrderCode, readOrderCode } from '../../src/domain/order-code.js';

describe('order code check digit (Damm)', () => {
  it.each([
    ['572', '4'],
    ['43881234567', '9'],
    ['000000000', '0'],
  ])('check digit of %s is %s', (body, digit) => {
    expect(dammCheckDigit(body)).toBe(digit);
  });

  const code = generateOrderCode(() => 7);
  it('makes ten-digit codes that read as valid', () => {
    expect(code).toMatch(/^[1-9]\d{9}$/);
    expect(readOrderCode(code)).toEqual({ kind: 'valid', code });
  });

  it('catches every single mistyped digit', () => {
    for (const c of ['4839201752', code, generateOrderCode((max) => max - 1)]) {
      const valid = c.slice(0, 9) + dammCheckDigit(c.slice(0, 9));
      for (let i = 0; i < 10; i++) {
        for (let d = 0; d < 10; d++) {
          if (String(d) === valid[i] || (i === 0 && d === 0)) continue;
          const typo = valid.slice(0, i) + d + valid.slice(i + 1);
          expect(readOrderCode(typo).kind, typo).toBe('bad_check');
        }
      }
    }
  });

  it('catches every swap of neighbouring digits', () => {
    const valid = '4839201756'.slice(0, 9) + dammCheckDigit('483920175');
    for (let i = 0; i < 9; i++) {
      if (valid[i] === valid[i + 1] || (i === 0 && valid[1] === '0')) continue;
      const swapped = valid.slice(0, i) + valid[i + 1] + valid[i] + valid.slice(i + 2);
      expect(readOrderCode(swapped).kind, swapped).toBe('bad_check');
    }
  });

  it.each([
    ['  4839201756 ', 'spaces around'],
    ['483-920-175-6', 'dashes'],
    ['483 920 1756', 'spaces inside'],
  ])('reads %j (%s)', (input) => {
    const reading = readOrderCode(input);
    expect(reading.kind === 'valid' || reading.kind === 'bad_check').toBe(true);
  });

  it('says when the check digit is missing and what the code would be', () => {
    expect(readOrderCode(code.slice(0, 9))).toEqual({ kind: 'missing_check', code });
  });

  it.each(['', 'abc', '12345', '0123456789', '12345678901', 'Erik'])('%j is not a code', (input) => {
    expect(readOrderCode(input).kind).toBe('not_a_code');
  });
});
