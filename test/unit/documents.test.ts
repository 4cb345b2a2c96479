import { describe, expect, it } from 'vitest';
import { luhnCheckDigit } from '../../src/domain/gtin.js';
import { batchRows, inPickOrder, vatSummary, type DocLine, type DocOrder } from '../../src/documents/model.js';
import { documentFileName } from '../../src/documents/service.js';

const line = (sku: string, location: string | null, remaining: number, extra: Partial<DocLine> = {}): DocLine => ({
  sku,
  name: sku,
  barcode: null,
  location,
  quantity: remaining,
  shipped: 0,
  remaining,
  thisDelivery: remaining,
  unitPrice: 10_000,
  vatRate: 2500,
  ...extra,
});
const order = (code: string, lines: DocLine[], extra: Partial<DocOrder> = {}): DocOrder => ({
  code,
  status: 'packing',
  currency: 'SEK',
  paymentMethod: 'invoice',
  paid: false,
  placedAt: 0,
  createdAt: 0,
  customerName: null,
  customerEmail: null,
  customerPhone: null,
  shipTo: { line1: null, line2: null, postalCode: null, city: null, country: null },
  comment: null,
  priority: 5,
  subtotal: 0,
  shippingFee: 0,
  total: 0,
  lines,
  ...extra,
});

describe('pick order', () => {
  it('sorts by bin with numbers in numeric order, lines without a bin last, then by SKU', () => {
    const lines = [line('B', 'A-10-1', 1), line('A', null, 1), line('D', 'A-2-1', 1), line('C', 'A-02-1', 1), line('E', 'B-01-1', 1)];
    expect(inPickOrder(lines).map((l) => l.sku)).toEqual(['C', 'D', 'B', 'E', 'A']);
  });

  it('walks the warehouse as Settings → Warehouse says: its zones first, aisles in a serpentine', () => {
    const lines = [line('A1', 'A-1-1', 1), line('B1', 'B-1-1', 1), line('B2', 'B-1-9', 1), line('B3', 'B-2-1', 1), line('B4', 'B-2-9', 1)];
    expect(inPickOrder(lines, { zoneOrder: ['B'], serpentine: true }).map((l) => l.sku)).toEqual(['B1', 'B2', 'B4', 'B3', 'A1']);
    const rows = batchRows([order('1', lines)], { zoneOrder: ['B'], serpentine: true });
    expect(rows.map((r) => r.sku)).toEqual(['B1', 'B2', 'B4', 'B3', 'A1']);
  });
});

describe('batch pick list', () => {
  it('adds up what is left to pick per SKU with the split per order, in pick order', () => {
    const rows = batchRows([order('1', [line('MUG', 'A-1', 2), line('TENT', 'C-1', 1), line('DONE', 'B-1', 0)]), order('2', [line('MUG', 'A-1', 3)])]);
    expect(rows.map((r) => [r.sku, r.total, r.split])).toEqual([
      [
        'MUG',
        5,
        [
          { code: '1', quantity: 2 },
          { code: '2', quantity: 3 },
        ],
      ],
      ['TENT', 1, [{ code: '1', quantity: 1 }]],
    ]);
  });
});

describe('VAT', () => {
  it('is summed per rate over the lines and the shipping fee (at its own rate), highest rate first', () => {
    const o = order(
      '1',
      [
        line('A', null, 2, { unitPrice: 5000, quantity: 2 }),
        line('B', null, 1, { vatRate: 1200, unitPrice: 11_200 }),
        line('C', null, 1, { vatRate: 600, unitPrice: 0 }),
      ],
      { shippingFee: 4900 },
    );
    expect(vatSummary(o, 2500)).toEqual([
      { rate: 2500, gross: 14_900, net: 11_920, vat: 2980 },
      { rate: 1200, gross: 11_200, net: 10_000, vat: 1200 },
    ]);
    expect(vatSummary(o, 600)).toEqual([
      { rate: 2500, gross: 10_000, net: 8000, vat: 2000 },
      { rate: 1200, gross: 11_200, net: 10_000, vat: 1200 },
      { rate: 600, gross: 4900, net: 4623, vat: 277 },
    ]);
  });
});

describe('payment reference', () => {
  it('ends in a Luhn check digit', () => {
    expect(luhnCheckDigit('7992739871')).toBe('3');
    expect(luhnCheckDigit('1001')).toBe('7');
    expect(luhnCheckDigit('5001')).toBe('3');
  });
});

describe('file names', () => {
  it('name the order, or the day and the count', () => {
    expect(documentFileName('pick_slip', ['1234567897'], new Date('2026-11-22T10:00:00Z'))).toBe('pick-slip-1234567897.pdf');
    expect(documentFileName('batch_pick_list', ['1', '2'], new Date('2026-11-22T10:00:00Z'))).toBe('batch-pick-list-2026-11-22-2.pdf');
  });
});
