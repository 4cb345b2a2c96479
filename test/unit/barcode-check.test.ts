import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { gs1CheckDigit as serverCheckDigit, isValidGtin } from '../../src/domain/gtin.js';
import { normalizeParcelId, parcelIdProblem } from '../../src/domain/parcel-id.js';
import * as check from '../../src/browser/lib/barcode-check.js';

describe('the camera’s read check (src/browser/lib/barcode-check.ts)', () => {
  it('computes the same GS1 check digit as the server', () => {
    fc.assert(fc.property(fc.stringMatching(/^\d{1,17}$/), (body) => check.gs1CheckDigit(body) === serverCheckDigit(body)));
  });

  it('passes a GTIN exactly when the server calls it valid', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(8, 12, 13, 14),
        fc.stringMatching(/^\d{14}$/),
        (length, digits) => check.checkDigitPasses(digits.slice(0, length)) === isValidGtin(digits.slice(0, length)),
      ),
    );
  });

  it('passes an SSCC exactly when the server takes it as a parcel ID', () => {
    fc.assert(fc.property(fc.stringMatching(/^\d{18}$/), (sscc) => check.checkDigitPasses(sscc) === (parcelIdProblem(sscc) === null)));
  });

  it.each(['ABC123', 'Code 128', '123', '1234567'])('%j carries no check digit', (code) => expect(check.checkDigitPasses(code)).toBe(false));

  it.each([
    ['\x1D00373500000000000017', '373500000000000017'],
    ['\x1D\x1D(00)373500000000000017', '373500000000000017'],
    ['00373500000000000017', '373500000000000017'],
    ['  JJD000111 ', 'JJD000111'],
    ['\x1D8101054321120021123456', '8101054321120021123456'],
  ])('strips FNC1 and the SSCC application identifier from %j as the server does', (read, code) => {
    expect(check.normalizeRead(read)).toBe(code);
    expect(check.normalizeRead(read)).toBe(normalizeParcelId(read));
  });

  it('takes a code with a passing check digit from one frame', () => {
    const filter = check.createReadFilter();
    expect(filter.offer('\x1D00373500000000000017', 0)).toBe('373500000000000017');
  });

  it('never takes a single frame of a code without a passing check digit: a misread SSCC or EAN, or plain text', () => {
    const filter = check.createReadFilter();
    expect(filter.offer('373500000000000018', 0)).toBeNull();
    expect(filter.offer('7350000001001', 40)).toBeNull();
    expect(filter.offer('JJD000111', 80)).toBeNull();
    expect(filter.offer(null, 120)).toBeNull();
    // Not successive: a frame with nothing between them.
    expect(filter.offer('JJD000111', 160)).toBeNull();
  });

  it('takes a code that two successive frames agree on', () => {
    const filter = check.createReadFilter();
    expect(filter.offer('JJD000111', 0)).toBeNull();
    expect(filter.offer('JJD000111', 33)).toBe('JJD000111');
  });

  it('takes a code once while it stays in sight, and again after it was gone for the quiet period', () => {
    const filter = check.createReadFilter({ quietMs: 1500 });
    expect(filter.offer('7350000001006', 0)).toBe('7350000001006');
    // Held in front of the camera for 5 s: every read extends the quiet period.
    for (let t = 100; t <= 5000; t += 100) expect(filter.offer('7350000001006', t)).toBeNull();
    // Another code in between is its own.
    expect(filter.offer('96385074', 5100)).toBe('96385074');
    expect(filter.offer('7350000001006', 6400)).toBeNull();
    expect(filter.offer('7350000001006', 8000)).toBe('7350000001006');
  });

  it.each([
    ['no reads', [], null],
    ['one read without a position', [{ text: 'A' }], 'A'],
    [
      'the read nearest the middle',
      [
        { text: 'edge', center: { x: 10, y: 10 } },
        { text: 'middle', center: { x: 310, y: 250 } },
      ],
      'middle',
    ],
    ['a read with a position before one without', [{ text: 'nowhere' }, { text: 'somewhere', center: { x: 0, y: 0 } }], 'somewhere'],
    [
      'the first of two equally near',
      [
        { text: 'left', center: { x: 300, y: 240 } },
        { text: 'right', center: { x: 340, y: 240 } },
      ],
      'left',
    ],
  ] as const)('takes %s from a 640×480 frame', (_, reads, text) => {
    expect(check.nearestMiddle(reads, 640, 480)).toBe(text);
  });

  it('finds the middle of a barcode from its four corners', () => {
    expect(check.middleOf({ topLeft: { x: 0, y: 0 }, topRight: { x: 10, y: 2 }, bottomRight: { x: 12, y: 12 }, bottomLeft: { x: 2, y: 10 } })).toEqual({
      x: 6,
      y: 6,
    });
  });
});
