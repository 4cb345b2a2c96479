import { describe, expect, it } from 'vitest';
import { describeEvent } from '../../src/orders/history.js';
import { formatters } from '../../src/i18n/format.js';
import { translator } from '../../src/i18n/index.js';

const t = translator('en');
const fmt = formatters('en', 'UTC');
const event = (type: string, data: Record<string, unknown>): Parameters<typeof describeEvent>[0] => ({
  id: 1,
  type,
  actor: { type: 'user', name: 'Pia' },
  data,
  createdAt: '2026-11-20T08:00:00.000Z',
});

describe('order history wording', () => {
  it.each([
    ['label', 'JJD00012345678901', 'Printed: Shipping label · parcel JJD00012345678901'],
    ['invoice', '1042', 'Printed: Invoice · invoice 1042'],
    ['credit_note', '7', 'Printed: Credit note · credit note 7'],
  ])('a printed %s names its number as its own kind', (kind, reference, text) => {
    expect(describeEvent(event('document_printed', { kind, reference, reprint: false }), t, fmt, 'SEK')).toBe(text);
  });

  it('a custom status change shows the labels, not the codes (a deleted status keeps its code)', () => {
    const e = event('flags_changed', { changes: { customStatus: { from: 'GONE', to: 'CALL' } } });
    expect(describeEvent(e, t, fmt, 'SEK', { statusLabels: new Map([['CALL', 'Call the customer']]) })).toBe('Custom status: GONE → Call the customer');
  });
});
