import { describe, expect, it } from 'vitest';
import { canonicalResource, keepsKeyInWork } from '../../src/api/idempotency.js';
import { canonicalJson } from '../../src/domain/canonical-json.js';

describe('canonicalJson', () => {
  it.each([
    [
      { b: 1, a: 2 },
      { a: 2, b: 1 },
    ],
    [{ x: { d: [1, { z: 1, y: 2 }], c: null } }, { x: { c: null, d: [1, { y: 2, z: 1 }] } }],
  ])('reads %j and %j the same', (a, b) => expect(canonicalJson(a)).toBe(canonicalJson(b)));

  it('keeps the order of arrays and tells values apart', () => {
    expect(canonicalJson([1, 2])).not.toBe(canonicalJson([2, 1]));
    expect(canonicalJson({ a: 1 })).not.toBe(canonicalJson({ a: '1' }));
    expect(canonicalJson(undefined)).toBe('null');
  });
});

describe('canonicalResource', () => {
  it.each([
    ['/orders/9310849608/returns', '/orders/9310849608/returns'],
    ['/orders/9310-849608/returns', '/orders/9310849608/returns'],
    ['/ORDERS/9310849608/returns/', '/orders/9310849608/returns'],
    ['/orders/9310%20849608//Returns', '/orders/9310849608/returns'],
    ['/products/Tent-2P', '/products/Tent-2P'],
    ['/Products/a%2Fb', '/products/a%2Fb'],
    ['/orders/9310849608/parcels/JJd0001', '/orders/9310849608/parcels/JJd0001'],
    ['/orders/9310849608/parcels/FETCH', '/orders/9310849608/parcels/fetch'],
    // A parcel ID as the parcel rule reads it: an SSCC with or without (00), 00, FNC1 or spaces around.
    ['/orders/9310849608/parcels/(00)373500000000000017', '/orders/9310849608/parcels/373500000000000017'],
    ['/orders/9310849608/parcels/00373500000000000017/label/PRINT', '/orders/9310849608/parcels/373500000000000017/label/print'],
    ['/orders/9310849608/parcels/%1D00373500000000000017', '/orders/9310849608/parcels/373500000000000017'],
    ['/orders/9310849608/parcels/%20JJd0001%20', '/orders/9310849608/parcels/JJd0001'],
    ['/orders/nope/status', '/orders/nope/status'],
  ])('%s is %s', (path, canonical) => expect(canonicalResource(path)).toBe(canonical));
});

describe('keepsKeyInWork', () => {
  it.each([
    ['POST', '/orders', true],
    ['post', '/Orders/', true],
    ['POST', '/orders/9310-849608/returns', true],
    ['POST', '/orders/9310849608/deliveries', true],
    ['POST', '/deliveries/report', true],
    ['POST', '/orders/9310849608/payments', false],
    ['PATCH', '/orders/9310849608', false],
    ['POST', '/orders/9310849608/parcels', false],
    ['POST', '/orders/9310849608/invoice', false],
  ])('%s %s: %s', (method, path, kept) => expect(keepsKeyInWork(method, path)).toBe(kept));
});
