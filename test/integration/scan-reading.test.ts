import { describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/client.js';
import { gs1CheckDigit } from '../../src/domain/gtin.js';
import { putScannerSettings } from '../../src/scanners/settings.js';
import { putVerificationMode } from '../../src/shipping/checks.js';
import { buildPackingOrder, buildProduct, buildShippedOrder, buildUser } from '../builders.js';
import { csrfOf, loginAs, loginAtStation, makeApp, makeDb, TEST_PARCEL_FORMS } from '../helpers.js';
import { usScannerOn, type LayoutId } from '../xkb.js';

// The server reads what scan fields send with the same rule as the pages (src/domain/scan-input.ts
// through src/scanners/read.ts): a form sent without the page's script, a resent form or another
// client gets the same reading. Layout texts come from xkb (test/xkb.ts), not from the rule's tables.

/** What a computer with `layout` types when a US-set scanner sends `text` (no dead keys in these texts). */
function typedOn(layout: LayoutId, text: string): string {
  const keys = usScannerOn(layout);
  return [...text].map((ch) => keys.get(ch)!.char).join('');
}

const withCheck = (body: string) => body + gs1CheckDigit(body);
const EAN = withCheck('735005385001');
const SSCC = withCheck('37350000000000001'.slice(0, 17));

const parcelsOf = (db: Db, code: string) =>
  db.$client
    .prepare(
      'SELECT p.parcel_id AS id FROM delivery_parcels p JOIN deliveries d ON d.id = p.delivery_id JOIN orders o ON o.id = d.order_id WHERE o.code = ? ORDER BY p.id',
    )
    .pluck()
    .all(code) as string[];

const message = (html: string) => /<output id="scan-message">([^<]*)<\/output>/.exec(html)?.[1] ?? '';

describe('Scans read on the server as the page reads them', () => {
  it('the station: AIM identifiers, a US scanner on AZERTY proven by check digits, refusals naming the layout, typing taken as typed', async () => {
    // The shop's own parcel form has a + in it: what a Swedish keyboard types for a US scanner's -.
    const { app, db } = makeApp({ db: makeDb(':memory:', { parcelForms: [...TEST_PARCEL_FORMS, 'ABC\\+\\d+'] }) });
    const packer = await buildUser(db, 'packer');
    const order = buildPackingOrder(db);
    const other = buildPackingOrder(db);
    const station = await loginAtStation(app, packer.email);

    // ]C0 + an order's code opens that order: the identifier is not part of the code.
    expect(message((await station.scanFragment(`]C0${order.code}`)).text)).toContain(order.code);
    expect(db.$client.prepare('SELECT current_order_id FROM stations').pluck().get()).toBe(order.id);
    // ]C1 00 + SSCC, typed on a French keyboard: the check digit proves the reading.
    const sscc = await station.scanFragment(typedOn('fr', `]C100${SSCC}`));
    expect(message(sscc.text)).toContain(SSCC);
    // A carrier's number without a check digit, typed on AZERTY: refused, with what it would read.
    const refused = await station.scanFragment(typedOn('fr', 'JJD13456813'));
    expect(message(refused.text)).toContain('reads as JJD13456813');
    expect(message(refused.text)).toContain('French (AZERTY)');
    // A US scanner on a Swedish keyboard types - as +.
    expect(message((await station.scanFragment('ABC+123')).text)).toContain('Swedish/Finnish or Norwegian or Danish');
    // A person types what they mean: taken as typed.
    expect(message((await station.scanFragment('ABC+123', { source: 'manual' })).text)).toContain('ABC+123');
    expect(parcelsOf(db, order.code)).toEqual([SSCC, 'ABC+123']);

    // A plain form (no script) is read as a scanner's: refused the same way, nothing saved.
    const plain = await station.scan(typedOn('fr', 'JJD13456813'));
    expect(plain.status).toBe(303);
    expect((await station.agent.get('/shipping')).text).toContain('reads as JJD13456813');
    expect(parcelsOf(db, order.code)).toEqual([SSCC, 'ABC+123']);
    expect(parcelsOf(db, other.code)).toEqual([]);
  });

  it('the station: a scan kept on a device goes to its order, user and station, or is refused in words', async () => {
    const { app, db } = makeApp();
    const pia = await buildUser(db, 'packer', { name: 'Pia' });
    const first = buildPackingOrder(db);
    const second = buildPackingOrder(db);
    const station = await loginAtStation(app, pia.email);
    await station.scanFragment(second.code);

    // Scanned while the first order was open (an outage, then a takeover): not added to the second.
    const meant = message((await station.scanFragment('PARCEL-1', { order: first.code, user: String(pia.id), station: 'Bench 1' })).text);
    expect(meant).toBe(
      `Not saved: PARCEL-1 was scanned for order ${first.code}, but ${second.code} is open here now. Scan it again if it belongs to ${second.code}.`,
    );
    const none = message((await station.scanFragment('PARCEL-2', { order: '' })).text);
    expect(none).toContain('was scanned with no order open');
    const otherUser = message((await station.scanFragment('PARCEL-3', { order: second.code, user: String(pia.id + 1000) })).text);
    expect(otherUser).toContain('was scanned by another user');
    const otherStation = message((await station.scanFragment('PARCEL-4', { order: second.code, user: String(pia.id), station: 'Bench 9' })).text);
    expect(otherStation).toContain('was scanned at station Bench 9');
    expect(parcelsOf(db, second.code)).toEqual([]);

    // Meant for the order that is open: saved.
    await station.scanFragment('PARCEL-5', { order: second.code, user: String(pia.id), station: 'Bench 1' });
    expect(parcelsOf(db, second.code)).toEqual(['PARCEL-5']);
  });

  it('GS from the shop’s substitute keeps batch and serial apart in an item check', async () => {
    const { app, db } = makeApp();
    putVerificationMode(db, 'required', new Date(), 'test');
    putScannerSettings(db, { gsSubstitute: '~' }, new Date(), 'test');
    const product = buildProduct(db, { barcode: EAN });
    const order = buildPackingOrder(db, { lines: [{ sku: product.sku, quantity: 1 }] });
    const packer = await buildUser(db, 'packer');
    const station = await loginAtStation(app, packer.email);
    await station.scanFragment(order.code);
    const answer = await station.scanFragment(`]C101${EAN.padStart(14, '0')}10LOT7~21SER1`);
    expect(message(answer.text)).toContain(product.sku);
    expect(db.$client.prepare('SELECT batch, serial FROM delivery_checks').get()).toEqual({ batch: 'LOT7', serial: 'SER1' });
  });

  it('goods in, Outbound verify and returns read a US scanner on AZERTY, and refuse what no check digit proves at the field', async () => {
    const { app, db } = makeApp();
    const product = buildProduct(db, { barcode: EAN, onHand: 5 });
    const operator = await buildUser(db, 'admin');
    const { agent, submit } = await loginAs(app, operator.email);

    const started = await submit('/tools/stock', '/tools/stock/goods-in', { reference: 'PO-1' });
    const goodsIn = started.headers.location!;
    const booked = await submit(goodsIn, `${goodsIn}/items`, { code: typedOn('fr', EAN), quantity: '2', source: 'scanner' });
    expect(booked.status).toBe(303);
    expect(db.$client.prepare('SELECT on_hand FROM products WHERE sku = ?').pluck().get(product.sku)).toBe(7);
    const refused = await submit(goodsIn, `${goodsIn}/items`, { code: typedOn('fr', 'SKU-9'), quantity: '2', source: 'scanner' });
    expect(refused.status).toBe(422);
    expect(refused.text).toMatch(/id="code-error"[^>]*>[^<]*reads as SKU-9[^<]*French/);
    expect(db.$client.prepare('SELECT on_hand FROM products WHERE sku = ?').pluck().get(product.sku)).toBe(7);

    // Outbound → Verify: the item's EAN through AZERTY counts the unit.
    const packing = buildPackingOrder(db, { lines: [{ sku: product.sku, quantity: 1 }] });
    const verify = await agent.get(`/outbound/orders/${packing.code}/verify`);
    const checked = await agent
      .post(`/outbound/orders/${packing.code}/checks`)
      .type('form')
      .send({ _csrf: csrfOf(verify.text), barcode: typedOn('fr', EAN), source: 'scanner' });
    expect(checked.status).toBe(303);
    expect(db.$client.prepare('SELECT gtin FROM delivery_checks').pluck().all()).toEqual([EAN.padStart(14, '0')]);

    // Returns: an AIM identifier in front of the EAN.
    const shipped = buildShippedOrder(db, { lines: [{ sku: product.sku, quantity: 1 }] });
    const form = await agent.get(`/orders/${shipped.code}/returns/new`);
    const line = /name="(restock_\d+)"/.exec(form.text)![1]!;
    const scanned = await agent
      .post(`/orders/${shipped.code}/returns`)
      .type('form')
      .send({ _csrf: csrfOf(form.text), action: 'scan', scan: `]E0${EAN}`, source: 'scanner', [line]: '0' });
    expect(scanned.status).toBe(200);
    expect(scanned.text).toMatch(new RegExp(`name="${line}"[^>]*value="1"`));
  });

  it('goods in and returns refuse a GS1 string that breaks GS1’s rules at the field, naming the AI', async () => {
    const { app, db } = makeApp();
    const product = buildProduct(db, { barcode: EAN, onHand: 5 });
    const operator = await buildUser(db, 'admin');
    const { agent, submit } = await loginAs(app, operator.email);
    // (17) 13th month: a lenient reader took the GTIN and booked it.
    const impossible = `]C101${EAN.padStart(14, '0')}17251301`;

    const started = await submit('/tools/stock', '/tools/stock/goods-in', { reference: 'PO-2' });
    const goodsIn = started.headers.location!;
    const refused = await submit(goodsIn, `${goodsIn}/items`, { code: impossible, quantity: '2', source: 'scanner' });
    expect(refused.status).toBe(422);
    expect(refused.text).toMatch(/id="code-error"[^>]*>[^<]*\(17\) holds a date that does not exist/);
    expect(db.$client.prepare('SELECT on_hand FROM products WHERE sku = ?').pluck().get(product.sku)).toBe(5);

    const shipped = buildShippedOrder(db, { lines: [{ sku: product.sku, quantity: 1 }] });
    const form = await agent.get(`/orders/${shipped.code}/returns/new`);
    const line = /name="(restock_\d+)"/.exec(form.text)![1]!;
    const scanned = await agent
      .post(`/orders/${shipped.code}/returns`)
      .type('form')
      .send({ _csrf: csrfOf(form.text), action: 'scan', scan: impossible, source: 'scanner', [line]: '0' });
    expect(scanned.text).toContain('(17) holds a date that does not exist');
    expect(scanned.text).toMatch(new RegExp(`name="${line}"[^>]*value="0"`));
  });
});
