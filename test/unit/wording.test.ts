import { describe, expect, it } from 'vitest';
import { en } from '../../src/i18n/en.js';
import { formatters } from '../../src/i18n/format.js';
import { translator } from '../../src/i18n/index.js';
import { formatNumber } from '../../src/i18n/numbers.js';
import { sv } from '../../src/i18n/sv.js';

/** Every catalog text with its dotted key. */
function texts(obj: object, prefix = ''): [string, string][] {
  return Object.entries(obj).flatMap(([k, v]) => (typeof v === 'string' ? [[`${prefix}${k}`, v] as [string, string]] : texts(v as object, `${prefix}${k}.`)));
}

/** Intl writes a no-break space (or a narrow one, in French) between thousands: compared as a plain space. */
const plain = (s: string) => s.replace(/[\u00a0\u202f]/g, ' ');

const tSv = translator('sv');
const tEn = translator('en');

describe('Swedish wording', () => {
  it('says what Unpack does: back to status Order, not unpacking a parcel', () => {
    expect(tSv('orders.statusChange.action.unpack')).toBe('Tillbaka till Order');
    expect(tSv('orders.statusConfirm.title.unpack', { code: '1000000017' })).toBe('Flytta order 1000000017 tillbaka till Order?');
    expect(tEn('orders.statusChange.action.unpack')).toBe('Back to Order');
    for (const [key, text] of texts(sv)) expect(text, key).not.toMatch(/Packa upp/);
  });

  it('names the pack script interval plainly', () => {
    expect(tSv('pack.settings.interval')).toBe('Minuter mellan körningarna');
    expect(tEn('pack.settings.interval')).toBe('Minutes between runs');
    expect(tSv('pack.scheduleOn', { count: 1 })).toBe('Körs automatiskt varje minut.');
    expect(tSv('pack.scheduleOn', { count: 15 })).toBe('Körs automatiskt med 15 minuters mellanrum.');
  });

  it("keeps pack runs' Examined apart from orders' Reviewed", () => {
    expect(tSv('pack.examined')).not.toBe(tSv('orders.reviewed'));
    expect(tSv('pack.examined')).toBe('Genomgångna');
    expect(tSv('orders.reviewed')).toBe('Granskad');
    expect(tEn('pack.examined')).not.toBe(tEn('orders.reviewed'));
  });

  it('agrees in gender: a manual dry run, a receipt printed', () => {
    expect(tSv('pack.triggerDry.manual')).toBe('Manuell testkörning');
    // "Kvitto" is neuter and "Plocksedel" common: the printed note uses a form that fits both.
    expect(tSv('outbound.printedBy', { kind: 'receipt', at: '12:00', by: 'Anna', count: 1 })).toBe('Kvitto skrevs ut 12:00 av Anna (1×)');
    expect(tSv('outbound.printedBy', { kind: 'receipt', at: '12:00', by: 'Anna', count: 1 })).not.toMatch(/Kvitto utskriven/);
    expect(tSv('docs.printed', { at: '12:00', by: 'Anna' })).toBe('Utskrift 12:00 av Anna');
    expect(tSv('events.document_printed', { kind: 'receipt' })).toBe('Utskrift: Kvitto');
  });

  it('uses one word for cancelled: Annullerad, as the status says', () => {
    expect(tSv('emails.template.cancelled')).toBe(tSv('status.cancelled'));
    for (const [key, text] of texts(sv)) expect(text, key).not.toMatch(/[Mm]akuler/);
  });

  it('translates the system actors', () => {
    const f = formatters('sv', 'UTC');
    expect(f.actor('pack script')).toBe('packskriptet');
    expect(f.actor('demo data')).toBe('demodata');
    expect(f.actor('cli')).toBe('kommandoraden');
    expect(f.actor('Anna Berg')).toBe('Anna Berg');
    // A pack run's lease: "<who> (<trigger>)".
    expect(f.actor('pack script (cron)')).toBe('packskriptet (schema)');
    expect(f.actor('Erik (manual)')).toBe('Erik (manuellt)');
    expect(formatters('en', 'UTC').actor('Erik (api)')).toBe('Erik (API)');
    expect(formatters('en', 'UTC').actor('pack script')).toBe('pack script');
  });
});

describe('plurals', () => {
  it('no text guesses at a plural with (s), (er) or (ar)', () => {
    for (const [key, text] of texts(en)) expect(text, key).not.toMatch(/\w\(s\)/);
    for (const [key, text] of texts(sv)) expect(text, key).not.toMatch(/\w\((er|ar|or|n)\)/);
  });

  it('every plural form comes in a pair', () => {
    for (const catalog of [en, sv]) {
      const keys = new Set(texts(catalog).map(([k]) => k));
      for (const key of keys) {
        if (key.endsWith('_one')) expect(keys.has(key.replace(/_one$/, '_other')), key).toBe(true);
        if (key.endsWith('_other')) expect(keys.has(key.replace(/_other$/, '_one')), key).toBe(true);
      }
    }
  });

  it.each([
    ['orders.bulk.done', { count: 1 }, 'Done for 1 order.', 'Klart för 1 order.'],
    ['orders.bulk.done', { count: 3 }, 'Done for 3 orders.', 'Klart för 3 ordrar.'],
    ['shipping.ordersShipped', { count: 1 }, '1 order shipped', '1 order skickad'],
    ['shipping.ordersShipped', { count: 2 }, '2 orders shipped', '2 ordrar skickade'],
    ['printers.usedBy', { count: 1 }, 'used by 1 station', 'används av 1 station'],
    ['csv.preview.create', { count: 1 }, '1 new product', '1 ny produkt'],
    ['docs.partialPending', { count: 1 }, 'Partial delivery pending: 1 unit already shipped', 'Delleverans pågår: 1 enhet redan skickad'],
    ['events.created', { status: 'order', count: 1 }, 'Created as Order with 1 line', 'Skapad som Order med 1 rad'],
    ['errors.validationFailed', { count: 1 }, 'The request has 1 invalid field.', 'Anropet har 1 ogiltigt fält.'],
    ['pack.moreSkus', { count: 1 }, 'and 1 more SKU', 'och 1 artikel till'],
    ['csv.preview.unchanged', { count: 1 }, '1 unchanged', '1 oförändrad'],
    ['stock.goodsIn.releasedShort', { count: 1 }, 'Finished: 1 order released', 'Avslutad: 1 order frigjord'],
  ])('%s with %j', (key, params, english, swedish) => {
    expect(tEn(key, params)).toBe(english);
    expect(tSv(key, params)).toBe(swedish);
  });

  it('a delivery report of one order reads singular', () => {
    const report = (t: typeof tEn, shipped: number) =>
      t('shipping.reported', { count: 1, shipped: t('shipping.ordersShipped', { count: shipped }), partial: 1 - shipped });
    expect(report(tEn, 1)).toBe('Reported 1 delivery: 1 order shipped, 0 partly.');
    expect(report(tSv, 1)).toBe('1 leverans rapporterad: 1 order skickad, 0 delvis.');
  });
});

describe('numbers follow the language', () => {
  it('counts in texts get thousands separators; names that are numbers do not', () => {
    expect(plain(tSv('orders.bulk.done', { count: 1234 }))).toBe('Klart för 1 234 ordrar.');
    expect(tEn('orders.bulk.done', { count: 1234 })).toBe('Done for 1,234 orders.');
    expect(tSv('pack.runTitle', { id: 12345 })).toBe('Packkörning 12345');
    expect(tSv('docSettings.seriesRunning', { last: 10000, next: 10001 })).toBe('Fakturanumren löper utan luckor: det senaste var 10000, nästa blir 10001.');
  });

  it('fmt writes decimals and durations the local way', () => {
    const f = formatters('sv', 'UTC');
    expect(plain(f.number(1234))).toBe('1 234');
    expect(f.number(0.4, 1)).toBe('0,4');
    expect(plain(f.seconds(412))).toBe('0,4 s');
    expect(plain(f.seconds(1234567, 2))).toBe('1 234,57 s');
    expect(formatters('en', 'UTC').seconds(412)).toBe('0.4\u00a0s');
    expect(formatters('en', 'UTC').number(1234)).toBe('1,234');
  });

  it('Norwegian and French write them their own way', () => {
    expect(plain(formatters('nb', 'UTC').seconds(412))).toBe('0,4 s');
    expect(plain(formatters('fr', 'UTC').number(1234))).toBe('1 234');
    expect(plain(translator('nb')('pack.moreSkus', { count: 1234 }))).toMatch(/^\D*1 234\D*$/);
    expect(plain(translator('fr')('pack.moreSkus', { count: 1234 }))).toMatch(/^\D*1 234\D*$/);
    expect(plain(formatNumber('nb-NO', 1234.5))).toBe('1 234,5');
    expect(plain(formatNumber('fr-FR', 1234.5))).toBe('1 234,5');
    expect(formatNumber('en-GB', 1234.5)).toBe('1,234.5');
  });
});
