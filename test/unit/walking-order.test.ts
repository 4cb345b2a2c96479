import { describe, expect, it } from 'vitest';
import { binParts, binPlace, compareBinNames, walkingOrder, type WalkSettings } from '../../src/domain/walking-order.js';

const walk = (bins: (string | null)[], settings: Partial<WalkSettings> = {}) => walkingOrder(bins, (b) => b, { zoneOrder: [], serpentine: false, ...settings });

describe('bin names, part by part', () => {
  it.each([
    ['A-2', ['A', 2]],
    ['A-10', ['A', 10]],
    ['B-01-3', ['B', 1, 3]],
    ['b 1 03', ['B', 1, 3]],
    ['B1-3', ['B', 1, 3]],
    ['Ö-1', ['Ö', 1]],
    ['A10', ['A', 10]],
    ['HYLLA.12/B', ['HYLLA', 12, 'B']],
    ['', []],
  ])('%s reads as %j', (name, parts) => {
    expect(binParts(name)).toEqual(parts);
  });

  it('reads zone, aisle and place: three parts or more have an aisle, two do not', () => {
    expect(binPlace('B-01-3')).toEqual({ zone: 'B', aisle: 1, place: [3] });
    expect(binPlace('C-2-4-1')).toEqual({ zone: 'C', aisle: 2, place: [4, 1] });
    expect(binPlace('A-10')).toEqual({ zone: 'A', aisle: null, place: [10] });
    expect(binPlace('KYL')).toEqual({ zone: 'KYL', aisle: null, place: [] });
  });

  it.each([
    ['A-2', 'A-10', -1],
    ['A-02', 'A-2', 0],
    ['a-2', 'A-2', 0],
    ['A-9-9', 'A-10-1', -1],
    ['A-1', 'A-1-2', -1],
    ['Z-9', 'Å-1', -1],
    ['Å-1', 'Ä-1', -1],
    ['Ä-1', 'Ö-1', -1],
    ['A-1', 'A-B', -1],
  ])('%s against %s: %d', (a, b, sign) => {
    expect(Math.sign(compareBinNames(a, b))).toBe(sign);
    expect(Math.sign(compareBinNames(b, a))).toBe(-sign || 0);
  });
});

describe('the walking order', () => {
  const mixed = ['A-10', 'Ö-1', 'B-01-3', 'A-2', 'B-1-1', 'B-02-5', 'B-2-1', 'A-1', null, 'C-1', 'B-01-10'];

  it('walks zones, aisles and places in natural order; bins with no name last', () => {
    expect(walk(mixed)).toEqual(['A-1', 'A-2', 'A-10', 'B-1-1', 'B-01-3', 'B-01-10', 'B-2-1', 'B-02-5', 'C-1', 'Ö-1', null]);
  });

  it('follows the zone order of Settings → Warehouse, the zones it does not name after, in natural order', () => {
    expect(walk(mixed, { zoneOrder: ['ö', 'B'] })).toEqual(['Ö-1', 'B-1-1', 'B-01-3', 'B-01-10', 'B-2-1', 'B-02-5', 'A-1', 'A-2', 'A-10', 'C-1', null]);
  });

  it('in a serpentine, walks every other aisle it visits from the far end, starting again in each zone', () => {
    const bins = ['B-1-1', 'B-1-9', 'B-2-1', 'B-2-9', 'B-4-5', 'B-4-2', 'C-7-1', 'C-7-3', 'C-8-1', 'C-8-3', 'A-5'];
    expect(walk(bins, { serpentine: true })).toEqual([
      'A-5',
      'B-1-1',
      'B-1-9',
      'B-2-9',
      'B-2-1',
      // Aisle 3 has nothing to pick: aisle 4 is the third visited, walked from the front again.
      'B-4-2',
      'B-4-5',
      'C-7-1',
      'C-7-3',
      'C-8-3',
      'C-8-1',
    ]);
    expect(walk(bins, { serpentine: false }).slice(3, 5)).toEqual(['B-2-1', 'B-2-9']);
  });

  it('keeps the items of one bin together and in the order given, in either direction', () => {
    const items = [
      { bin: 'A-2-5', sku: 'x' },
      { bin: 'A-1-1', sku: 'a' },
      { bin: 'A-2-5', sku: 'y' },
      { bin: 'A-2-1', sku: 'z' },
      { bin: 'a-2-05', sku: 'w' },
    ];
    const skus = (serpentine: boolean) => walkingOrder(items, (i) => i.bin, { zoneOrder: [], serpentine }).map((i) => i.sku);
    expect(skus(false)).toEqual(['a', 'z', 'x', 'y', 'w']);
    expect(skus(true)).toEqual(['a', 'x', 'y', 'w', 'z']);
  });

  it('walks Norwegian letters in the Norwegian alphabet when told', () => {
    expect(walk(['Å-1', 'Ø-1', 'Æ-1', 'Z-1'], { locale: 'nb' })).toEqual(['Z-1', 'Æ-1', 'Ø-1', 'Å-1']);
    expect(walk(['Ö-1', 'Ä-1', 'Å-1', 'Z-1'], { locale: 'sv' })).toEqual(['Z-1', 'Å-1', 'Ä-1', 'Ö-1']);
  });
});
