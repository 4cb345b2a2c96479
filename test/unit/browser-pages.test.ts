import { describe, expect, it } from 'vitest';
import { readScan, type ScanReading } from '../../src/domain/scan-input.js';
import { mailChoice } from '../../src/browser/lib/forms.js';
import { newOrdersText, readNewOrder } from '../../src/browser/lib/live-text.js';
import { describeOrder, fillFrom, paymentView, verdict, type PackRunTexts, type RunOrder } from '../../src/browser/lib/pack-run-text.js';
import { describeReading, layoutNames, layoutNoticeOf, visible, type ScannerTexts } from '../../src/browser/lib/scan-words.js';
import { hasKeyedCount } from '../../src/domain/keyed-count.js';
import { fill } from '../../src/browser/lib/template.js';
import { newKey } from '../../src/browser/lib/keys.js';

describe('fill: a page’s text with its {{placeholders}}', () => {
  it.each([
    [undefined, {}, ''],
    ['{{count}} waiting', { count: 3 }, '3 waiting'],
    ['{{name}} and {{name}}', { name: 'Ann' }, 'Ann and Ann'],
    ['{{code}} by {{name}}', { code: 'A1' }, 'A1 by {{name}}'],
    ['{{name}}', { name: 'Ann $& Bo' }, 'Ann $& Bo'],
  ] as const)('%j with %j → %j', (template, params, text) => expect(fill(template, params)).toBe(text));
});

describe('the status form’s e-mail choice', () => {
  it.each([
    ['nothing chosen', { chosen: false, mode: 'auto', canMail: true }, { choiceHidden: true, noneHidden: true, notify: true }],
    ['a status that mails automatically', { chosen: true, mode: 'auto', canMail: true }, { choiceHidden: false, noneHidden: true, notify: true }],
    ['a status that offers an e-mail', { chosen: true, mode: 'offer', canMail: true }, { choiceHidden: false, noneHidden: true, notify: false }],
    ['a status that sends none', { chosen: true, mode: 'never', canMail: true }, { choiceHidden: true, noneHidden: false, notify: false }],
    ['an option without a mode', { chosen: true, mode: undefined, canMail: true }, { choiceHidden: true, noneHidden: false, notify: false }],
    ['no e-mail can go', { chosen: true, mode: 'auto', canMail: false }, { choiceHidden: true, noneHidden: false, notify: true }],
  ] as const)('%s', (_, input, shown) => expect(mailChoice(input)).toEqual(shown));
});

describe('the new-orders notice', () => {
  const texts = { one: 'New order {{code}} from {{name}}', many: '{{count}} new orders' };
  it.each([
    [1, { code: 'A1', customerName: 'Ann' }, 'New order A1 from Ann'],
    [1, { code: 'A1', customerName: null }, 'New order A1 from '],
    [2, { code: 'A2', customerName: 'Bo' }, '2 new orders'],
    [12, { code: 'A3' }, '12 new orders'],
  ])('after %i: %j → %j', (count, order, text) => expect(newOrdersText(count, order, texts)).toBe(text));

  it('reads an order event', () => expect(readNewOrder('{"code":"A1","customerName":"Ann","id":3}')).toEqual({ code: 'A1', customerName: 'Ann' }));
});

describe('a pack run’s live rows, in the words of src/pack/steps.ts', () => {
  const texts: PackRunTexts = {
    promoted: 'Promoted',
    held: 'Held: {{reason}}',
    payment: { paid: 'paid', not_paid: 'not paid', approved: 'approved', approval_needed: 'needs approval', no_approval: 'no approval needed' },
    payLater: ['invoice', 'cash_on_delivery'],
    lineCheck: 'needs {{need}}, {{available}} available',
    lineUntracked: 'needs {{need}}, not tracked',
    reasons: { insufficient_stock: 'not enough stock' },
  };
  const payment = (p: Partial<RunOrder['payment']>): RunOrder['payment'] => ({ paid: false, paymentMethod: 'card', approved: false, ok: false, ...p });

  it.each([
    [{ paid: true }, 'paid'],
    [{ paymentMethod: 'card' }, 'not_paid'],
    [{ paymentMethod: 'invoice', approved: true }, 'approved'],
    [{ paymentMethod: 'invoice', ok: true }, 'no_approval'],
    [{ paymentMethod: 'cash_on_delivery' }, 'approval_needed'],
  ] as const)('payment %j reads as %s', (p, view) => expect(paymentView(payment(p), texts.payLater)).toBe(view));

  it.each([
    [{ outcome: 'promoted' }, 'Promoted'],
    [{ outcome: 'held', reason: 'insufficient_stock' }, 'Held: not enough stock'],
    [{ outcome: 'held', reason: 'new_reason' }, 'Held: new_reason'],
    [{ outcome: 'held' }, 'Held: '],
  ])('%j → %j', (o, text) => expect(verdict({ code: 'A', payment: payment({}), ...o }, texts)).toBe(text));

  it('describes the payment and each line’s stock', () => {
    const order: RunOrder = {
      code: 'A',
      outcome: 'held',
      payment: payment({ paid: true }),
      lines: [
        { sku: 'MUG', need: 2, available: 1, ok: false },
        { sku: 'PDF', need: 1, available: null, ok: true },
      ],
    };
    expect(describeOrder(order, texts)).toBe('paid · MUG needs 2, 1 available ✗ · PDF needs 1, not tracked ✓');
  });

  it.each([
    ['{{a}}-{{b}}', { a: 1 }, '1-'],
    ['{{a}}', { a: null }, ''],
    ['no placeholders', { a: 1 }, 'no placeholders'],
  ] as const)('fillFrom(%j, %j) → %j', (text, values, out) => expect(fillFrom(text, values)).toBe(out));
});

describe('the scan reader’s words', () => {
  const texts: ScannerTexts = {
    msgLayout: '{{value}} reads as {{reading}} on {{layouts}}',
    msgCharacters: '{{value}} has {{chars}}',
    msgRepaired: 'Read through {{layouts}}: set the scanner',
    layoutNames: JSON.stringify({ fr: 'French', de: 'German' }),
    layoutJoin: ' or ',
  };
  const refused = (reading: Partial<Extract<ScanReading, { ok: false }>>): ScanReading => ({
    ok: false,
    problem: 'layout',
    layouts: [],
    reading: '',
    chars: '',
    ...reading,
  });

  it.each([
    [['fr'], texts, 'French'],
    [['fr', 'de', 'se'], texts, 'French or German or se'],
    [['fr', 'de'], { ...texts, layoutJoin: undefined }, 'French / German'],
    [['fr'], { layoutNames: 'not json' }, 'fr'],
  ] as const)('names %j', (layouts, t, names) => expect(layoutNames(layouts, t)).toBe(names));

  it.each([
    ['a layout', ' &é"  ', refused({ problem: 'layout', layouts: ['fr'], reading: '123' }), '&é" reads as 123 on French'],
    ['characters', 'ABC§\x1D1', refused({ problem: 'characters', chars: '§' }), 'ABC§⟨GS⟩1 has §'],
    ['a reading that was taken', 'ABC', readScan('ABC', { source: 'scanner' }), ''],
  ] as const)('words a refusal of %s', (_, raw, reading, words) => expect(describeReading(raw, reading, texts)).toBe(words));

  it('says which layout a taken scan was read through, and nothing for a plain one', () => {
    expect(layoutNoticeOf({ ok: true, value: '123', gs1: false, aim: null, layouts: ['fr', 'de'], checked: 'gtin' }, texts)).toBe(
      'Read through French or German: set the scanner',
    );
    expect(layoutNoticeOf(readScan('ABC', { source: 'scanner' }), texts)).toBe('');
  });

  it('shows GS', () => expect(visible('a\x1Db\x1D')).toBe('a⟨GS⟩b⟨GS⟩'));
});

describe("goods in and counts: a keyed count books at once, read by the server's rule", () => {
  it.each([
    ['12*7350053850019', true],
    [' 3 x 7350053850019', true],
    ['1×ABC', true],
    ['999X1', true],
    ['1000*7350053850019', false],
    ['7350053850019', false],
    ['*5', false],
    ['ABC*2', false],
    // As the server reads them (splitCount): no count of 0, and a count needs something after it.
    ['0*7350053850019', false],
    ['12*', false],
  ])('%j: %s', (raw, keyed) => expect(hasKeyedCount(raw)).toBe(keyed));
});

describe('keys for scans and forms', () => {
  it('are 32 hex digits, each its own', () => {
    const keys = new Set(Array.from({ length: 100 }, () => newKey()));
    expect(keys.size).toBe(100);
    for (const key of keys) expect(key).toMatch(/^[0-9a-f]{32}$/);
  });
});
